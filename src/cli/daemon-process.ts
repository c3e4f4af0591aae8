// Starting, finding and stopping looperd from the CLI: spawn it detached with its output appended
// to <dataDir>/logs/daemon.log, wait for /healthz, and refuse a daemon that serves another data dir.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StatusView } from '../api/index.js';
import { LooperError } from '../domain/index.js';
import type { ApiClient } from './client.js';
import {
  type CliIo,
  type CommandContext,
  clientFor,
  resolveTarget,
  type Target,
} from './context.js';
import type { Output } from './output.js';

const startTimeoutMs = 15_000;
const pollIntervalMs = 100;

export interface StartedDaemon {
  pid: number;
  logFile: string;
}

export function daemonLogFile(dataDir: string): string {
  return join(dataDir, 'logs', 'daemon.log');
}

/** Spawns looperd detached and resolves once /healthz answers; throws with the log's tail if not. */
export async function startDaemon(
  target: Target,
  client: ApiClient,
  io: CliIo,
  timeoutMs = startTimeoutMs,
): Promise<StartedDaemon> {
  const script = fileURLToPath(io.daemonEntry);
  if (!existsSync(script)) {
    throw new LooperError('internal', `looperd not found at ${script}; run \`npm run build\``);
  }
  const logFile = daemonLogFile(target.dataDir);
  mkdirSync(join(target.dataDir, 'logs'), { recursive: true });
  const fd = openSync(logFile, 'a');
  const child = (() => {
    try {
      return spawn(io.execPath, [script], {
        detached: true,
        stdio: ['ignore', fd, fd],
        // The same data dir and config file as this CLI, whatever the defaults would find.
        env: {
          ...io.env,
          LOOPER_HOME: target.dataDir,
          ...(target.configFile === undefined ? {} : { LOOPER_CONFIG: target.configFile }),
        },
        cwd: io.cwd,
      });
    } finally {
      closeSync(fd);
    }
  })();
  let exited: number | string | undefined;
  const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
    exited = code ?? signal ?? 'unknown';
  };
  child.on('exit', onExit);
  child.on('error', (error) => {
    exited = error.message;
  });
  child.unref();
  try {
    const deadline = io.clock.now() + timeoutMs;
    while (io.clock.now() < deadline) {
      if (await client.healthy(500)) return { pid: child.pid ?? 0, logFile };
      if (exited !== undefined) {
        // Another looperd may have won the race for the lock: one last look before failing.
        if (await client.healthy(500)) return { pid: child.pid ?? 0, logFile };
        throw startFailure(`looperd exited (${exited}) before it answered`, logFile);
      }
      await delay(pollIntervalMs);
    }
    throw startFailure(
      `looperd did not answer at ${target.baseUrl} within ${timeoutMs / 1000} s`,
      logFile,
    );
  } finally {
    child.off('exit', onExit);
  }
}

function startFailure(message: string, logFile: string): LooperError {
  const tail = logTail(logFile, 10);
  const shown = tail.length > 0 ? `; the end of ${logFile}:\n${tail.join('\n')}` : '';
  return new LooperError('daemon_unreachable', `${message}${shown}`, {
    details: { log_file: logFile, log_tail: tail },
  });
}

function logTail(file: string, lines: number): string[] {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines);
  } catch {
    return [];
  }
}

/**
 * The daemon a command needs: if none answers (and LOOPER_URL did not pick one), start one and say
 * so on stderr. A daemon serving another data dir is refused.
 */
export async function ensureDaemon(
  target: Target,
  client: ApiClient,
  io: CliIo,
  out: Output,
): Promise<StatusView | undefined> {
  // LOOPER_URL names a daemon that may live elsewhere: neither start nor check one.
  if (target.explicitUrl) return undefined;
  if (!(await client.healthy())) {
    const started = await startDaemon(target, client, io);
    out.info(
      `started looperd (pid ${started.pid}) on ${target.baseUrl} for data dir ${target.dataDir}`,
    );
  }
  const status = await client.status();
  assertSameDataDir(status, target);
  return status;
}

export interface Connection {
  target: Target;
  client: ApiClient;
}

/** Resolves the target and a client; with `autostart`, also makes sure the right daemon runs. */
export async function connect(
  ctx: CommandContext,
  options: { autostart: boolean },
): Promise<Connection & { status?: StatusView | undefined }> {
  const target = await resolveTarget(ctx.io, ctx.out, ctx.globals);
  const client = clientFor(target, ctx.io);
  if (!options.autostart) return { target, client };
  const status = await ensureDaemon(target, client, ctx.io, ctx.out);
  return { target, client, status };
}

export function assertSameDataDir(status: StatusView, target: Target): void {
  if (samePath(status.data_dir, target.dataDir)) return;
  throw new LooperError(
    'conflict',
    `another looperd (pid ${status.pid}, data dir ${status.data_dir}) holds ${target.baseUrl}; ` +
      `this CLI uses data dir ${target.dataDir}. Stop that daemon, or give this one its own ` +
      'port (LOOPER_SERVER_PORT) or point LOOPER_HOME at its data dir',
    {
      details: { url: target.baseUrl, daemon_data_dir: status.data_dir, data_dir: target.dataDir },
    },
  );
}

function samePath(a: string, b: string): boolean {
  const canonical = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  return canonical(a) === canonical(b);
}

/** The lock a local daemon holds on its data dir until its very last step. */
export interface DaemonLock {
  file: string;
  pid: number;
}

/**
 * Asks the daemon to shut down and waits until /healthz stops answering and, for a local daemon,
 * until it has released its data dir's lock: its listener closes before in-flight requests and the
 * store are done, and a `looper daemon start` right after must not find the old lock held.
 */
export async function stopDaemon(
  client: ApiClient,
  io: CliIo,
  timeoutMs: number,
  lock?: DaemonLock,
): Promise<void> {
  await client.shutdown();
  const deadline = io.clock.now() + timeoutMs;
  let answering = true;
  while (io.clock.now() < deadline) {
    answering = answering && (await client.healthy(500));
    if (!answering && (lock === undefined || !holdsLock(lock))) return;
    await delay(pollIntervalMs);
  }
  const seconds = Math.round(timeoutMs / 1000);
  throw new LooperError(
    'internal',
    answering
      ? `looperd at ${client.baseUrl} still answers ${seconds} s after shutdown`
      : `looperd (pid ${lock?.pid}) still holds ${lock?.file} ${seconds} s after shutdown`,
  );
}

function holdsLock(lock: DaemonLock): boolean {
  let holder: number;
  try {
    holder = Number.parseInt(readFileSync(lock.file, 'utf8'), 10);
  } catch {
    return false; // released
  }
  if (holder !== lock.pid) return false;
  try {
    process.kill(holder, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
