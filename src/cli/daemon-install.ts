// `looper daemon install|uninstall`: write (or remove) the systemd user unit / launchd agent that runs
// looperd at login, then load it with systemctl / launchctl when they exist, else say what to run.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LooperError } from '../domain/index.js';
import { type CommandContext, clientFor, resolveTarget, type Target } from './context.js';
import { assertSameDataDir, daemonLogFile, stopDaemon } from './daemon-process.js';
import { exitCodes } from './output.js';
import {
  type ServiceManager,
  type ServiceSpec,
  serviceCommands,
  serviceFile,
  serviceManagerFor,
  serviceText,
} from './service-unit.js';
import { shellQuote, which } from './which.js';

export interface InstallOptions {
  /** Show the unit (or what would be removed) and change nothing. */
  print?: boolean;
}

interface CommandReport {
  command: string;
  ran: boolean;
  exit_code: number | null;
}

/** Variables never written into a unit file: it is not a place for secrets. */
const secretName = /TOKEN|SECRET|PASSWORD|KEY/i;
/** Set by the unit itself, or meaningful only to this shell's CLI. */
const ownNames = new Set(['LOOPER_HOME', 'LOOPER_CONFIG', 'LOOPER_URL', 'LOOPER_TOKEN']);

function managerOrFail(): ServiceManager {
  const manager = serviceManagerFor(process.platform);
  if (manager === null) {
    throw new LooperError(
      'bad_request',
      `looper daemon install supports Linux (systemd) and macOS (launchd), not ${process.platform}`,
    );
  }
  return manager;
}

function serviceEnv(ctx: CommandContext, target: Target): Record<string, string> {
  const env: Record<string, string> = { LOOPER_HOME: target.dataDir };
  if (target.configFile !== undefined) env.LOOPER_CONFIG = target.configFile;
  // Agents' CLIs (claude, codex, gh…) are found on PATH; a service manager's own PATH is minimal.
  if (ctx.io.env.PATH) env.PATH = ctx.io.env.PATH;
  const skipped: string[] = [];
  for (const [name, value] of Object.entries(ctx.io.env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.startsWith('LOOPER_') || ownNames.has(name) || value === undefined) continue;
    if (secretName.test(name)) skipped.push(name);
    else env[name] = value;
  }
  if (skipped.length > 0) {
    ctx.out.info(
      `looper: not written into the service (secrets): ${skipped.join(', ')}; put them in the config file`,
    );
  }
  return env;
}

function specFor(ctx: CommandContext, target: Target): ServiceSpec {
  const script = fileURLToPath(ctx.io.daemonEntry);
  if (!existsSync(script)) {
    throw new LooperError('internal', `looperd not found at ${script}; run \`npm run build\``);
  }
  return {
    execPath: ctx.io.execPath,
    script,
    dataDir: target.dataDir,
    logFile: daemonLogFile(target.dataDir),
    env: serviceEnv(ctx, target),
    stopTimeoutSecs: target.shutdownGraceSecs + 15,
  };
}

function run(ctx: CommandContext, argv: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const [file = '', ...args] = argv;
    execFile(
      file,
      args,
      { env: ctx.io.env, cwd: ctx.io.cwd, timeout: 60_000, encoding: 'utf8' },
      (error, _stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stderr: stderr.trim() });
      },
    );
  });
}

/** Runs each command whose tool is on PATH; stops at a failure when `strict`. */
async function runAll(
  ctx: CommandContext,
  commands: string[][],
  strict: boolean,
): Promise<CommandReport[]> {
  const reports: CommandReport[] = [];
  for (const argv of commands) {
    const shown = argv.map(shellQuote).join(' ');
    const tool = which(argv[0] ?? '', ctx.io.env.PATH, ctx.io.cwd);
    if (tool === null) {
      reports.push({ command: shown, ran: false, exit_code: null });
      continue;
    }
    const result = await run(ctx, [tool, ...argv.slice(1)]);
    reports.push({ command: shown, ran: true, exit_code: result.code });
    if (result.code === 0) continue;
    const message = `\`${shown}\` failed (exit ${result.code})${result.stderr ? `: ${result.stderr}` : ''}`;
    if (strict) throw new LooperError('internal', message, { details: { commands: reports } });
    ctx.out.info(`looper: warning: ${message}`);
  }
  return reports;
}

function describeCommands(reports: CommandReport[]): string[] {
  const notRun = reports.filter((r) => !r.ran);
  const lines = reports.filter((r) => r.ran).map((r) => `ran: ${r.command}`);
  if (notRun.length > 0) {
    lines.push('not found on PATH; run these yourself:', ...notRun.map((r) => `  ${r.command}`));
  }
  return lines;
}

/** A daemon this CLI started holds the data dir's lock: stop it so the service's looperd can start. */
async function stopRunningDaemon(ctx: CommandContext, target: Target): Promise<number | null> {
  if (target.explicitUrl) return null;
  const client = clientFor(target, ctx.io);
  if (!(await client.healthy())) return null;
  const status = await client.status();
  assertSameDataDir(status, target);
  const lock = { file: join(target.dataDir, 'looperd.lock'), pid: status.pid };
  await stopDaemon(client, ctx.io, (target.shutdownGraceSecs + 15) * 1_000, lock);
  ctx.out.info(`stopped looperd (pid ${status.pid}) so the service can run it`);
  return status.pid;
}

export async function daemonInstall(ctx: CommandContext, options: InstallOptions): Promise<number> {
  const manager = managerOrFail();
  const target = await resolveTarget(ctx.io, ctx.out, ctx.globals);
  const file = serviceFile(manager, ctx.io.env, ctx.io.env.HOME || homedir());
  const content = serviceText(manager, specFor(ctx, target));
  if (options.print === true) {
    ctx.out.result({ manager, path: file, content }, () => content);
    return exitCodes.success;
  }
  const commands = serviceCommands(manager, file);
  const reinstall = existsSync(file);
  mkdirSync(join(target.dataDir, 'logs'), { recursive: true, mode: 0o700 });
  mkdirSync(dirname(file), { recursive: true });
  const canRun = commands.install.every((argv) =>
    which(argv[0] ?? '', ctx.io.env.PATH, ctx.io.cwd),
  );
  // An agent loaded from an older file must be unloaded before launchctl loads the new one.
  if (canRun && reinstall && manager === 'launchd') await runAll(ctx, commands.uninstall, false);
  writeFileSync(file, content, { mode: 0o644 });
  const stoppedPid = canRun ? await stopRunningDaemon(ctx, target) : null;
  const reports = await runAll(ctx, commands.install, true);
  const view = {
    manager,
    path: file,
    installed: true,
    started: reports.length > 0 && reports.every((r) => r.ran && r.exit_code === 0),
    commands: reports,
    stopped_pid: stoppedPid,
  };
  ctx.out.result(view, () =>
    [`wrote ${file}`, ...describeCommands(reports)]
      .concat(view.started ? ['looperd runs as a service; `looper daemon status` shows it'] : [])
      .join('\n'),
  );
  return exitCodes.success;
}

export async function daemonUninstall(
  ctx: CommandContext,
  options: InstallOptions,
): Promise<number> {
  const manager = managerOrFail();
  const file = serviceFile(manager, ctx.io.env, ctx.io.env.HOME || homedir());
  const commands = serviceCommands(manager, file);
  const planned = [...commands.uninstall, ...commands.afterRemove].map((argv) =>
    argv.map(shellQuote).join(' '),
  );
  if (options.print === true) {
    ctx.out.result({ manager, path: file, installed: existsSync(file), commands: planned }, () =>
      [`would run: ${planned.join('; ')}`, `would remove: ${file}`].join('\n'),
    );
    return exitCodes.success;
  }
  if (!existsSync(file)) {
    ctx.out.result(
      { manager, path: file, removed: false, commands: [] },
      () => `looperd is not installed as a service (no ${file})`,
    );
    return exitCodes.success;
  }
  const before = await runAll(ctx, commands.uninstall, false);
  rmSync(file, { force: true });
  const after = await runAll(ctx, commands.afterRemove, false);
  const reports = [...before, ...after];
  ctx.out.result({ manager, path: file, removed: true, commands: reports }, () =>
    [`removed ${file}`, ...describeCommands(reports)].join('\n'),
  );
  return exitCodes.success;
}
