// Supervises `gh webhook forward` per repository (`looper webhook enable --forward`): GitHub's
// deliveries reach looperd's own /webhooks/github through gh, with no public URL. A child that
// exits is restarted after an exponential backoff; daemon shutdown ends its process group.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ProcessResult, ProcessSpec } from '../agents/index.js';
import type { WebhookForwardView } from '../api/index.js';
import { webhookEvents } from '../api/index.js';
import type { Clock } from '../domain/index.js';
import type { EventSink, RunnerLog } from '../runner/index.js';

export interface ForwarderBackoff {
  /** Delay after the first quick exit; doubled after each further one (default 1000). */
  initialMs: number;
  /** Longest delay (default 60 000). */
  maxMs: number;
  /** A child that ran this long is healthy again: its exit restarts after `initialMs`. */
  stableMs: number;
}

export interface WebhookForwarderDeps {
  /** gh's working directory. */
  dataDir: string;
  /** looperd's environment: gh gets it without Looper's own LOOPER_* variables. */
  env: NodeJS.ProcessEnv;
  /** looperd's /webhooks/github, known once the server listens. */
  receiverUrl: () => string;
  /** The webhook secret gh signs with (generated when missing). */
  secret: () => string;
  /** `--github-host` for GitHub Enterprise; null for github.com. */
  githubHost: string | null;
  events: EventSink;
  log: RunnerLog;
  clock: Clock;
  runProcess: (spec: ProcessSpec) => Promise<ProcessResult>;
  /** The GitHub CLI (default `gh`, looked up on `env.PATH`). */
  command?: string;
  backoff?: Partial<ForwarderBackoff>;
}

export interface WebhookForwarder {
  /** Starts forwarding `repo` unless it already is; `unavailable` when gh cannot run. */
  start(repo: string): WebhookForwardView;
  /** Stops the child (SIGTERM, then SIGKILL to its group); false when it was not forwarded. */
  stop(repo: string): Promise<boolean>;
  status(repo: string): WebhookForwardView | null;
  stopAll(): Promise<void>;
}

/** gh is meant to run until stopped; the executor needs a wall clock, so: setTimeout's longest. */
const forEverMs = 2_147_483_647;
const killGraceMs = 3000;

export const ghMissing =
  "gh (the GitHub CLI) is not on looperd's PATH: install it (https://cli.github.com) and its webhook extension (`gh extension install cli/gh-webhook`)";
const extensionMissing =
  'the gh webhook extension is not installed: run `gh extension install cli/gh-webhook`';

/** The executable `command` names on `pathVar`, like a shell finds it; null when none. */
export function findExecutable(command: string, pathVar: string | undefined): string | null {
  const candidates = command.includes('/')
    ? [command]
    : (pathVar ?? '')
        .split(delimiter)
        .filter((dir) => dir !== '')
        .map((dir) => join(dir, command));
  for (const file of candidates) {
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not this one
    }
  }
  return null;
}

/** `gh webhook forward` arguments. The secret is on gh's command line: never log these. */
export function forwardArgs(options: {
  repo: string;
  url: string;
  secret: string;
  githubHost: string | null;
}): string[] {
  return [
    'webhook',
    'forward',
    `--repo=${options.repo}`,
    `--events=${webhookEvents.join(',')}`,
    `--url=${options.url}`,
    `--secret=${options.secret}`,
    ...(options.githubHost ? [`--github-host=${options.githubHost}`] : []),
  ];
}

interface Supervised {
  repo: string;
  view: WebhookForwardView;
  /** Consecutive exits of children that ran less than `stableMs`. */
  quickExits: number;
  stopping: boolean;
  controller: AbortController | null;
  running: Promise<void> | null;
  timer: NodeJS.Timeout | null;
  /** Events of this forwarder, in order. */
  emitted: Promise<void>;
}

const lastLines = (text: string) => text.trimEnd().split('\n').slice(-5).join('\n').slice(-1000);

export function createWebhookForwarder(deps: WebhookForwarderDeps): WebhookForwarder {
  const backoff: ForwarderBackoff = {
    initialMs: 1000,
    maxMs: 60_000,
    stableMs: 60_000,
    ...deps.backoff,
  };
  const supervised = new Map<string, Supervised>();
  const iso = (ms: number) => new Date(ms).toISOString();
  const env = Object.fromEntries(
    Object.entries(deps.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && !entry[0].startsWith('LOOPER_'),
    ),
  );

  function emit(s: Supervised, type: string, data: Record<string, unknown>): void {
    s.emitted = s.emitted
      .then(() => deps.events.emit({ type, data: { repo: s.repo, ...data } }))
      .then(
        () => {},
        (error: unknown) => deps.log.warn({ type, error: String(error) }, 'event not recorded'),
      );
  }

  function unavailable(s: Supervised, reason: string): void {
    s.view = { ...s.view, state: 'unavailable', pid: null, restart_delay_ms: null, reason };
    deps.log.warn({ repo: s.repo, reason }, 'gh webhook forward cannot run');
  }

  function launch(s: Supervised): void {
    s.timer = null;
    const gh = findExecutable(deps.command ?? 'gh', env.PATH);
    if (gh === null) {
      unavailable(s, ghMissing);
      return;
    }
    const secret = deps.secret();
    const url = deps.receiverUrl();
    const controller = new AbortController();
    s.controller = controller;
    s.view = { ...s.view, state: 'running', url, restart_delay_ms: null, reason: null };
    const startedAt = deps.clock.now();
    s.running = deps
      .runProcess({
        command: gh,
        args: forwardArgs({ repo: s.repo, url, secret, githubHost: deps.githubHost }),
        cwd: deps.dataDir,
        env,
        timeoutMs: forEverMs,
        idleTimeoutMs: 0,
        killGraceMs,
        redact: [secret],
        maxBufferBytes: 64 * 1024,
        signal: controller.signal,
        onSpawn: (pid) => {
          s.view = { ...s.view, pid, started_at: iso(startedAt) };
          deps.log.info({ repo: s.repo, pid, url }, 'gh webhook forward started');
          emit(s, 'webhook.forward.started', { pid, url });
        },
        // Lines arrive with the secret already replaced by ***.
        onLine: (line, stream) =>
          deps.log.info({ repo: s.repo, stream, line }, 'gh webhook forward output'),
      })
      .then((result) => exited(s, result, deps.clock.now() - startedAt));
  }

  function exited(s: Supervised, result: ProcessResult, ranMs: number): void {
    s.controller = null;
    const at = deps.clock.now();
    const pid = s.view.pid;
    const stderrTail = lastLines(result.stderr || result.spawnError || '');
    s.view = {
      ...s.view,
      pid: null,
      last_exit: {
        exit_code: result.exitCode,
        signal: result.signal,
        at: iso(at),
        stderr_tail: stderrTail,
      },
    };
    const exit = { pid, exit_code: result.exitCode, signal: result.signal, ran_ms: ranMs };
    if (s.stopping) {
      s.view = { ...s.view, state: 'stopped' };
      emit(s, 'webhook.forward.exited', { ...exit, restart_delay_ms: null, reason: 'stopped' });
      return;
    }
    const reason =
      result.status === 'spawn_failed'
        ? `gh could not start: ${result.spawnError ?? 'unknown error'}`
        : /unknown command "?webhook"?/i.test(result.stderr)
          ? extensionMissing
          : null;
    if (reason !== null) {
      // Restarting would fail the same way: wait for `looper webhook enable --forward` instead.
      unavailable(s, reason);
      emit(s, 'webhook.forward.exited', { ...exit, restart_delay_ms: null, reason });
      return;
    }
    s.quickExits = ranMs >= backoff.stableMs ? 1 : s.quickExits + 1;
    const delayMs = Math.min(backoff.initialMs * 2 ** (s.quickExits - 1), backoff.maxMs);
    s.view = { ...s.view, state: 'restarting', restart_delay_ms: delayMs };
    deps.log.warn({ repo: s.repo, ...exit, delayMs, stderrTail }, 'gh webhook forward exited');
    emit(s, 'webhook.forward.exited', {
      ...exit,
      restart_delay_ms: delayMs,
      stderr_tail: stderrTail,
    });
    s.timer = setTimeout(() => {
      s.view = { ...s.view, restarts: s.view.restarts + 1 };
      launch(s);
    }, delayMs);
  }

  async function stopOne(s: Supervised): Promise<void> {
    s.stopping = true;
    if (s.timer) clearTimeout(s.timer);
    s.timer = null;
    s.controller?.abort();
    await s.running;
    if (s.view.state !== 'unavailable') s.view = { ...s.view, state: 'stopped' };
    await s.emitted;
  }

  return {
    start(repo) {
      const current = supervised.get(repo);
      if (current && !current.stopping && current.view.state !== 'unavailable') return current.view;
      const s: Supervised = {
        repo,
        view: {
          state: 'stopped',
          pid: null,
          url: deps.receiverUrl(),
          started_at: null,
          restarts: 0,
          last_exit: current?.view.last_exit ?? null,
          restart_delay_ms: null,
          reason: null,
        },
        quickExits: 0,
        stopping: false,
        controller: null,
        running: null,
        timer: null,
        emitted: Promise.resolve(),
      };
      supervised.set(repo, s);
      launch(s);
      return s.view;
    },

    async stop(repo) {
      const s = supervised.get(repo);
      if (!s) return false;
      supervised.delete(repo);
      await stopOne(s);
      return true;
    },

    status: (repo) => supervised.get(repo)?.view ?? null,

    async stopAll() {
      const all = [...supervised.values()];
      supervised.clear();
      await Promise.all(all.map(stopOne));
    },
  };
}
