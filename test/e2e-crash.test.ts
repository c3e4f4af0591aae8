// End to end, crash recovery (DESIGN "Crash"): `kill -9` of looperd while the worker agent runs; the
// restarted daemon kills the orphaned agent, marks its run interrupted, re-runs the worker and ends
// the loop `ready` with one spec commit and one work commit, nothing duplicated, the queue empty.
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventView, LoopView, StatusView } from '../src/api/index.js';
import { api, eventually, readEvents, terminalStages, waitForFile } from './support/loop-events.js';
import {
  createLooperEnv,
  git,
  type LooperEnv,
  makeRepo,
  tempDir,
  waitForOutput,
} from './support/looper-harness.js';

/**
 * A deterministic agent for the `custom` vendor, like the demo agent, except that the worker's first
 * run writes `$E2E_MARKER` (its pid and cwd) and then hangs until it is killed.
 */
const agentSource = `
import fs from 'node:fs';
import path from 'node:path';

const role = process.env.LOOPER_ROLE ?? '';
const prompt = process.env.LOOPER_PROMPT ?? '';
const marker = process.env.E2E_MARKER ?? '';
const emit = (line) => process.stdout.write(JSON.stringify(line) + '\\n');
const finish = (result, text) => {
  emit({ type: 'usage', inputTokens: 100, outputTokens: 20, cachedTokens: 0, costUsd: 0 });
  emit({ type: 'result', text: text + '\\n__LOOPER_RESULT__=' + JSON.stringify(result) });
};
const source = () => fs.readFileSync('src/math.js', 'utf8');

switch (role) {
  case 'planner': {
    const spec = /^Spec file: (.+)$/m.exec(prompt)?.[1]?.trim();
    if (!spec) throw new Error('no Spec file line in the prompt');
    fs.mkdirSync(path.dirname(spec), { recursive: true });
    fs.writeFileSync(spec, '# Fix add\\n\\n## Objective\\nadd() must add.\\n');
    finish({ summary: 'Spec: make add() add.' }, 'Wrote the spec.');
    break;
  }
  case 'plan_reviewer':
    finish({ verdict: 'approve', summary: 'Good plan.', comments: [] }, 'Approved.');
    break;
  case 'worker':
    if (!fs.existsSync(marker)) {
      emit({ type: 'text', text: 'Thinking very hard…' });
      fs.writeFileSync(marker + '.tmp', JSON.stringify({ pid: process.pid, cwd: process.cwd() }));
      fs.renameSync(marker + '.tmp', marker);
      setInterval(() => {}, 60_000);
      break;
    }
    fs.writeFileSync('src/math.js', source().replace('a - b', 'a + b'));
    finish({ summary: 'add() adds.' }, 'Fixed.');
    break;
  case 'fixer':
    fs.writeFileSync('src/math.js', source().replace('a - b', 'a + b'));
    finish({ summary: 'Fixed add().' }, 'Fixed.');
    break;
  case 'reviewer':
    finish(
      source().includes('a + b')
        ? { verdict: 'approve', summary: 'Correct.', comments: [] }
        : {
            verdict: 'request_changes',
            summary: 'add() still subtracts.',
            comments: [{ path: 'src/math.js', line: 1, body: 'Use a + b.' }],
          },
      'Reviewed.',
    );
    break;
  default:
    process.stderr.write('unknown role ' + role + '\\n');
    process.exit(2);
}
`;

const repoFiles = {
  'package.json': '{"type":"module","scripts":{"test":"node --test test/"}}\n',
  'src/math.js': 'export const add = (a, b) => a - b;\n',
  'test/math.test.js': [
    "import assert from 'node:assert/strict';",
    "import { test } from 'node:test';",
    "import { add } from '../src/math.js';",
    '',
    "test('add adds', () => assert.equal(add(2, 3), 5));",
    '',
  ].join('\n'),
};

/** Reads the loop's event stream from the start until a `loop.stage` event to a terminal stage. */
function waitForTerminal(env: LooperEnv, loopId: string): Promise<EventView[]> {
  return readEvents(
    env,
    { loopId },
    (event) => event.type === 'loop.stage' && terminalStages.has(String(event.data.to)),
  );
}

/** A process that has exited (a zombie no one reaped yet counts as gone). */
function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 1).trim()[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

let env: LooperEnv | undefined;
let orphan: number | undefined;
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
  if (orphan !== undefined && isRunning(orphan)) process.kill(-orphan, 'SIGKILL');
  orphan = undefined;
});

describe('looperd crash recovery', () => {
  it('kill -9 while the worker runs: the restarted daemon finishes the loop ready, once', async () => {
    const work = tempDir('looper-crash-');
    const agent = path.join(work, 'agent.mjs');
    fs.writeFileSync(agent, agentSource);
    const marker = path.join(work, 'worker-started.json');
    const repo = makeRepo(repoFiles);
    env = await createLooperEnv({
      env: {
        LOOPER_AGENT_VENDOR: 'custom',
        LOOPER_VENDORS_CUSTOM_COMMAND: process.execPath,
        LOOPER_VENDORS_CUSTOM_ARGS: JSON.stringify([agent]),
        LOOPER_AGENT_ENV_E2E_MARKER: marker,
      },
    });

    const first = env.spawnDaemon();
    await waitForOutput(first, /listening on/);
    const started = await env.json<LoopView>(['run', '--repo', repo, '--title', 'Fix add']);
    expect(started.code).toBe(0);
    const loopId = started.data.id;

    await waitForFile(marker, 60_000);
    const { pid: agentPid, cwd } = JSON.parse(fs.readFileSync(marker, 'utf8')) as {
      pid: number;
      cwd: string;
    };
    orphan = agentPid;
    expect((await api<LoopView>(env, `/loops/${loopId}`)).stage).toBe('working');
    first.kill('SIGKILL');
    await once(first, 'exit');
    // The agent runs in its own process group: it outlives the daemon.
    expect(isRunning(agentPid)).toBe(true);

    const second = env.spawnDaemon();
    await waitForOutput(second, /listening on/);
    const events = await waitForTerminal(env, loopId);
    // Recovery killed the orphaned agent (it would otherwise hang forever).
    expect(isRunning(agentPid)).toBe(false);

    const loop = await api<LoopView>(env, `/loops/${loopId}`);
    expect(loop.stage).toBe('ready');
    const workers = (loop.runs ?? []).filter((r) => r.role === 'worker');
    expect(workers.map((r) => r.status)).toEqual(['interrupted', 'succeeded']);
    const interrupted = events.filter((e) => e.type === 'run.interrupted');
    expect(interrupted).toHaveLength(1);
    expect(interrupted[0]?.run_id).toBe(workers[0]?.id);
    expect(interrupted[0]?.data).toMatchObject({ role: 'worker', pid: agentPid });
    // Every other role ran exactly once.
    expect(
      (loop.runs ?? []).filter((r) => r.role !== 'worker').map((r) => [r.role, r.status]),
    ).toEqual([
      ['planner', 'succeeded'],
      ['plan_reviewer', 'succeeded'],
      ['reviewer', 'succeeded'],
    ]);

    // One spec commit and one work commit on the branch, each effect committed once.
    const branch = loop.branch ?? '';
    expect(branch).toMatch(/^looper\/1-/);
    const log = git(
      repo,
      'log',
      '--reverse',
      '--format=%an <%ae>%x1f%s%x1f%(trailers:key=Looper-Effect,valueonly,separator=%x1d)%x1e',
      `main..${branch}`,
    )
      .split('\x1e')
      .map((record) => record.trim())
      .filter((record) => record !== '')
      .map((record) => record.split('\x1f'));
    expect(log.map(([author, subject]) => [author, subject])).toEqual([
      ['Looper <looper@localhost>', 'Add spec for #1: Fix add'],
      ['Looper <looper@localhost>', 'Fix add (#1)'],
    ]);
    const trailers = log.map(([, , trailer]) => trailer?.trim() ?? '');
    expect(trailers.every((t) => t.startsWith(`${loopId}:`))).toBe(true);
    expect(new Set(trailers).size).toBe(2);
    const commits = events.filter((e) => e.type === 'git.commit');
    expect(commits.filter((e) => e.data.committed === true)).toHaveLength(2);
    expect(git(repo, 'show', `${branch}:src/math.js`)).toBe(
      'export const add = (a, b) => a + b;\n',
    );
    expect(git(cwd, 'status', '--porcelain')).toBe('');

    const status = await eventually(
      () => api<StatusView>(env as LooperEnv, '/status'),
      (s) => s.queue.queued === 0 && s.queue.claimed === 0,
    );
    expect(status.queue).toEqual({ queued: 0, claimed: 0 });
    expect(status.runs.running).toBe(0);
  });
});
