// Shared set-up for the runner's and scheduler's tests: a real store, local forge, git repository and
// check executor in a temp dir, with a scripted fake AgentRunner at the agents seam.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type AgentOutcome,
  type AgentRequest,
  type AgentRunner,
  processStartTime,
  runProcess,
} from '../agents/index.js';
import { type Config, defaultConfig } from '../config/index.js';
import {
  type Clock,
  type IdSource,
  type LoopState,
  RESULT_MARKER,
  type Role,
  stateLabels,
} from '../domain/index.js';
import { createLocalForge, type LocalForge, type ProjectRef } from '../forge/index.js';
import { createGit } from '../git/index.js';
import {
  type AppendEvent,
  type EventRecord,
  type LoopRecord,
  openStore,
  type ProjectRecord,
  type Store,
} from '../store/index.js';
import type { RunnerDeps, RunnerLog } from './deps.js';
import { createLoopRunner, type LoopRunner, type StepOutcome } from './loop-runner.js';

export interface FakeClock extends Clock {
  advance(ms: number): void;
}

export function fakeClock(start = Date.UTC(2030, 0, 1)): FakeClock {
  let time = start;
  return {
    now: () => time,
    advance(ms) {
      time += ms;
    },
  };
}

/** `<prefix>_00001`, `<prefix>_00002`, …: sortable and the same on every run. */
export function sequentialIds(): IdSource {
  const counts = new Map<string, number>();
  return {
    next(prefix) {
      const n = (counts.get(prefix) ?? 0) + 1;
      counts.set(prefix, n);
      return `${prefix}_${String(n).padStart(5, '0')}`;
    },
  };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Resolves when `signal` aborts (at once if it already has). */
export function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

export function outcome(partial: Partial<AgentOutcome> = {}): AgentOutcome {
  return {
    status: 'succeeded',
    exitCode: 0,
    signal: null,
    durationMs: 5,
    finalText: '',
    usage: { inputTokens: 100, outputTokens: 20, cachedTokens: 0, costUsd: 0 },
    sessionId: null,
    errorKind: null,
    errorMessage: null,
    outputTail: '',
    ...partial,
  };
}

/** A successful run whose final message ends in the role's result line. */
export function resultOutcome(result: object, costUsd = 0): AgentOutcome {
  return outcome({
    finalText: `Done.\n${RESULT_MARKER}${JSON.stringify(result)}`,
    usage: { inputTokens: 100, outputTokens: 20, cachedTokens: 0, costUsd },
  });
}

export type AgentScript = (req: AgentRequest) => Promise<AgentOutcome> | AgentOutcome;

/** The default agents: a planner that writes the spec, approving reviewers, a worker that adds feature.txt. */
export const defaultScripts: Record<Role, AgentScript> = {
  planner: (req) => {
    const specPath = /^Spec file: (.+)$/m.exec(req.prompt)?.[1]?.trim() ?? 'specs/spec.md';
    fs.mkdirSync(path.dirname(path.join(req.cwd, specPath)), { recursive: true });
    fs.writeFileSync(path.join(req.cwd, specPath), '# Spec\n\nAdd feature.txt.\n');
    return resultOutcome({ summary: 'Spec: add feature.txt.' });
  },
  plan_reviewer: () => resultOutcome({ verdict: 'approve', summary: 'Good plan.', comments: [] }),
  worker: (req) => {
    fs.writeFileSync(path.join(req.cwd, 'feature.txt'), 'done\n');
    return resultOutcome({ summary: 'Added feature.txt.' });
  },
  fixer: () => resultOutcome({ summary: 'Nothing changed.' }),
  reviewer: () => resultOutcome({ verdict: 'approve', summary: 'Looks right.', comments: [] }),
};

export interface FakeAgents extends AgentRunner {
  readonly requests: AgentRequest[];
  /** Agents running right now, and the most ever at once. */
  readonly active: number;
  readonly maxActive: number;
  /** Replaces one role's behaviour. */
  script(role: Role, behaviour: AgentScript): void;
  /** Resolves with the next request that arrives (for `role`, if given). */
  nextRequest(role?: Role): Promise<AgentRequest>;
}

export function fakeAgents(): FakeAgents {
  const scripts = { ...defaultScripts };
  const requests: AgentRequest[] = [];
  const waiting: { role?: Role; resolve: (req: AgentRequest) => void }[] = [];
  let active = 0;
  let maxActive = 0;
  return {
    requests,
    get active() {
      return active;
    },
    get maxActive() {
      return maxActive;
    },
    script(role, behaviour) {
      scripts[role] = behaviour;
    },
    nextRequest(role) {
      return new Promise((resolve) => waiting.push({ role, resolve }));
    },
    async run(req) {
      requests.push(req);
      active++;
      maxActive = Math.max(maxActive, active);
      for (const w of waiting.filter((w) => w.role === undefined || w.role === req.role)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(req);
      }
      try {
        return await scripts[req.role](req);
      } finally {
        active--;
      }
    },
  };
}

export interface RunnerFixture {
  root: string;
  repo: string;
  dataDir: string;
  nodeId: string;
  store: Store;
  forge: LocalForge;
  clock: FakeClock;
  config: Config;
  agents: FakeAgents;
  deps: RunnerDeps;
  runner: LoopRunner;
  warnings: string[];
  createLoop(input?: { title?: string; body?: string; checks?: string[] }): Promise<LoopRecord>;
  ref(loop: LoopRecord): Promise<ProjectRef>;
  /** Saves a loop state as if written by an earlier (crashed) step. */
  saveState(
    loopId: string,
    state: Partial<LoopState>,
    pending?: LoopRecord['pendingEffects'],
  ): Promise<void>;
  /** Calls `advance` until it returns something other than `continue`; `each` runs after every step. */
  advanceUntilDone(
    loopId: string,
    each?: (outcome: StepOutcome) => Promise<void>,
  ): Promise<StepOutcome>;
  /** The stages a loop went through, from its `loop.stage` events. */
  stagesSeen(loopId: string): Promise<string[]>;
  /** The Looper state labels on the loop's issue. */
  stateLabelsOf(loop: LoopRecord): Promise<string[]>;
  /** `subject | Looper-Effect` of each commit on the loop's branch since main, oldest first. */
  branchLog(loopId: string): Promise<string[]>;
  events(loopId: string, type: string): Promise<EventRecord[]>;
  /** Resolves once `count` further events match. Register before causing them. */
  waitForEvents(match: (event: EventRecord) => boolean, count?: number): Promise<void>;
  close(): Promise<void>;
}

function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function initRepo(repo: string): void {
  fs.mkdirSync(repo, { recursive: true });
  sh(repo, 'init', '--quiet', '--initial-branch=main');
  sh(repo, 'config', 'user.name', 'Fixture Person');
  sh(repo, 'config', 'user.email', 'person@example.com');
  fs.writeFileSync(path.join(repo, 'README.md'), '# sample\n');
  sh(repo, 'add', '-A');
  sh(repo, 'commit', '--quiet', '-m', 'initial');
}

const looperStateLabels = new Set<string>(
  Object.values(stateLabels).filter((l): l is NonNullable<typeof l> => l !== null),
);

export async function createRunnerFixture(
  options: { configure?: (config: Config) => void } = {},
): Promise<RunnerFixture> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
  const repo = path.join(root, 'repo');
  const dataDir = path.join(root, 'data');
  initRepo(repo);
  const clock = fakeClock();
  const ids = sequentialIds();
  const store = await openStore({ dataDir, clock, ids });
  const forge = createLocalForge(store);
  const config = defaultConfig();
  options.configure?.(config);
  const agents = fakeAgents();
  const warnings: string[] = [];
  const log: RunnerLog = {
    info: () => undefined,
    warn: (_data, message) => warnings.push(message),
    error: (_data, message) => warnings.push(message),
  };
  const waiters = new Set<{ match: (e: EventRecord) => boolean; left: number; done: () => void }>();
  const deps: RunnerDeps = {
    store,
    forge,
    git: createGit({ dataDir, clock }),
    agents,
    runProcess,
    processStartTime,
    clock,
    ids,
    config,
    dataDir,
    nodeId: 'node-test',
    env: { PATH: process.env.PATH, HOME: root },
    events: {
      async emit(input: AppendEvent) {
        const event = await store.events.appendEvent(input);
        for (const w of [...waiters]) {
          if (!w.match(event)) continue;
          w.left--;
          if (w.left > 0) continue;
          waiters.delete(w);
          w.done();
        }
        return event;
      },
    },
    log,
  };
  let project: ProjectRecord | null = null;
  const refOf = (p: ProjectRecord): ProjectRef => ({ id: p.id, repo: p.repo, path: p.path });

  const fixture: RunnerFixture = {
    root,
    repo,
    dataDir,
    nodeId: deps.nodeId,
    store,
    forge,
    clock,
    config,
    agents,
    deps,
    runner: createLoopRunner(deps),
    warnings,
    async createLoop(input = {}) {
      project ??= await store.projects.createProject({
        name: 'sample',
        forge: 'local',
        path: repo,
      });
      const title = input.title ?? 'Add a feature';
      const body = input.body ?? 'Please add feature.txt.';
      const issue = await forge.createIssue(refOf(project), {
        title,
        body,
        labels: ['looper:plan'],
      });
      return store.loops.createLoop({
        projectId: project.id,
        kind: 'issue',
        number: issue.number,
        title,
        body,
        options: input.checks ? { checks: input.checks } : {},
      });
    },
    async ref(loop) {
      return refOf(await store.projects.getProject(loop.projectId));
    },
    async saveState(loopId, state, pending = []) {
      const loop = await store.loops.getLoop(loopId);
      await store.loops.saveLoopState(
        loopId,
        { state: { ...loop.state, ...state }, pendingEffects: pending },
        loop.version,
      );
    },
    async advanceUntilDone(loopId, each) {
      for (let steps = 0; steps < 40; steps++) {
        const result = await fixture.runner.advance(loopId, new AbortController().signal);
        await each?.(result);
        if (result.kind !== 'continue') return result;
      }
      throw new Error(`loop ${loopId} did not settle in 40 steps`);
    },
    async stagesSeen(loopId) {
      const events = await fixture.events(loopId, 'loop.stage');
      const first = events[0]?.data.from;
      return [
        ...(typeof first === 'string' ? [first] : []),
        ...events.map((e) => String(e.data.to)),
      ];
    },
    async stateLabelsOf(loop) {
      const issue = await forge.getIssue(await fixture.ref(loop), loop.number);
      return issue.labels.filter((l) => looperStateLabels.has(l));
    },
    async branchLog(loopId) {
      const loop = await store.loops.getLoop(loopId);
      const format = `--format=%s | %(trailers:key=Looper-Effect,valueonly,separator=%x2C)`;
      const out = sh(repo, 'log', '--reverse', format, `main..${loop.branch}`);
      return out.split('\n').filter((line) => line.trim() !== '');
    },
    async events(loopId, type) {
      const all = await store.events.listEvents({ loopId, limit: 10_000 });
      return all.filter((e) => e.type === type);
    },
    waitForEvents(match, count = 1) {
      return new Promise((done) => waiters.add({ match, left: count, done: () => done() }));
    },
    async close() {
      await store.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  return fixture;
}
