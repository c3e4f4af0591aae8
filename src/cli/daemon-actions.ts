// `looper daemon start|stop|restart|status`: start looperd detached, stop it through POST /shutdown,
// restart it (stop, then start once its lock is free), and report whether it runs. Output is the
// same facts as text or one JSON document.
import { join } from 'node:path';
import type { StatusView } from '../api/index.js';
import { LooperError } from '../domain/index.js';
import type { CommandContext, Target } from './context.js';
import {
  assertSameDataDir,
  connect,
  daemonLogFile,
  startDaemon,
  stopDaemon,
} from './daemon-process.js';
import { formatDuration } from './format.js';
import { exitCodes, formatPairs } from './output.js';

interface DaemonReport {
  running: boolean;
  pid: number | null;
  url: string;
  data_dir: string;
  log_file: string;
  version?: string;
  uptime_s?: number;
}

function report(target: Target, status: StatusView | undefined, pid?: number): DaemonReport {
  return {
    running: status !== undefined || pid !== undefined,
    pid: status?.pid ?? pid ?? null,
    url: target.baseUrl,
    data_dir: status?.data_dir ?? target.dataDir,
    log_file: daemonLogFile(target.dataDir),
    ...(status === undefined ? {} : { version: status.version, uptime_s: status.uptime_s }),
  };
}

function describe(view: DaemonReport): string {
  const pairs: [string, string][] = [
    ['looperd', view.running ? 'running' : 'not running'],
    ['pid', view.pid === null ? '-' : String(view.pid)],
    ['url', view.url],
    ['data dir', view.data_dir],
    ['log', view.log_file],
  ];
  if (view.version !== undefined) pairs.push(['version', view.version]);
  if (view.uptime_s !== undefined) pairs.push(['uptime', formatDuration(view.uptime_s * 1_000)]);
  return formatPairs(pairs);
}

export async function daemonStart(ctx: CommandContext): Promise<number> {
  const { target, client } = await connect(ctx, { autostart: false });
  if (await client.healthy()) {
    const status = await client.status();
    if (!target.explicitUrl) assertSameDataDir(status, target);
    const view = report(target, status);
    ctx.out.result(
      { ...view, started: false },
      () => `looperd is already running (pid ${status.pid}) on ${target.baseUrl}`,
    );
    return exitCodes.success;
  }
  const started = await startDaemon(target, client, ctx.io);
  const status = await client.status().catch(() => undefined);
  const view = report(target, status, started.pid);
  ctx.out.result(
    { ...view, started: true },
    () => `started looperd (pid ${view.pid}) on ${target.baseUrl} for data dir ${view.data_dir}`,
  );
  return exitCodes.success;
}

export async function daemonStop(ctx: CommandContext): Promise<number> {
  const { target, client } = await connect(ctx, { autostart: false });
  if (!(await client.healthy())) {
    const view = report(target, undefined);
    ctx.out.result({ ...view, stopped: false }, () => `looperd is not running on ${view.url}`);
    return exitCodes.success;
  }
  const status = await client.status();
  if (!target.explicitUrl) assertSameDataDir(status, target);
  // The daemon lets running agents finish for shutdown-grace-secs; allow that and a margin.
  // A daemon found through LOOPER_URL may live elsewhere: only a local one's lock is waited on.
  const lock = target.explicitUrl
    ? undefined
    : { file: join(target.dataDir, 'looperd.lock'), pid: status.pid };
  await stopDaemon(client, ctx.io, (target.shutdownGraceSecs + 15) * 1_000, lock);
  ctx.out.result(
    { ...report(target, undefined), pid: status.pid, stopped: true },
    () => `stopped looperd (pid ${status.pid}) on ${target.baseUrl}`,
  );
  return exitCodes.success;
}

export async function daemonRestart(ctx: CommandContext): Promise<number> {
  const { target, client } = await connect(ctx, { autostart: false });
  if (target.explicitUrl) {
    // Stopping it would work, but the daemon started after it would be a local one, not that.
    throw new LooperError(
      'bad_request',
      `LOOPER_URL names a daemon (${target.baseUrl}) this CLI does not start; restart it where it runs`,
    );
  }
  let previousPid: number | null = null;
  if (await client.healthy()) {
    const status = await client.status();
    assertSameDataDir(status, target);
    const lock = { file: join(target.dataDir, 'looperd.lock'), pid: status.pid };
    // Waits until the old daemon has released the data dir's lock, so the new one can take it.
    await stopDaemon(client, ctx.io, (target.shutdownGraceSecs + 15) * 1_000, lock);
    previousPid = status.pid;
    ctx.out.progress(`stopped looperd (pid ${status.pid}); starting it again`);
  }
  const started = await startDaemon(target, client, ctx.io);
  const status = await client.status().catch(() => undefined);
  const view = report(target, status, started.pid);
  ctx.out.result({ ...view, restarted: previousPid !== null, previous_pid: previousPid }, () =>
    previousPid === null
      ? `looperd was not running; started it (pid ${view.pid}) on ${target.baseUrl}`
      : `restarted looperd on ${target.baseUrl}: pid ${previousPid} → ${view.pid}`,
  );
  return exitCodes.success;
}

export async function daemonStatus(ctx: CommandContext): Promise<number> {
  const { target, client } = await connect(ctx, { autostart: false });
  const status = (await client.healthy()) ? await client.status() : undefined;
  if (status !== undefined && !target.explicitUrl) assertSameDataDir(status, target);
  const view = report(target, status);
  ctx.out.result(view, () => describe(view));
  return view.running ? exitCodes.success : exitCodes.failure;
}
