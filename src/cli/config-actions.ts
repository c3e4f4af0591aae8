// `looper config path|view|get|set|validate`, in this process: the file is found, read, validated
// and written by the config module; secrets are masked in everything printed.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type Config,
  type ConfigEditResult,
  type ConfigFileOptions,
  type ConfigIssue,
  type ConfigPath,
  configEntries,
  formatIssue,
  keyError,
  type LoadedConfig,
  loadConfig,
  locateConfigFile,
  maskSecrets,
  parsedSpelling,
  resolveConfigKey,
  setConfigValue,
  validateConfigFile,
} from '../config/index.js';
import { isLooperError } from '../domain/index.js';
import { type CommandContext, readAll, serverUrl } from './context.js';
import { exitCodes, formatTable } from './output.js';

function fileOptions(ctx: CommandContext): ConfigFileOptions {
  const env = ctx.io.env as NodeJS.ProcessEnv;
  const { config } = ctx.globals;
  return config === undefined ? { env } : { env, file: resolve(ctx.io.cwd, config) };
}

function load(ctx: CommandContext): LoadedConfig {
  const loaded = loadConfig(fileOptions(ctx));
  for (const warning of loaded.warnings) ctx.out.info(`looper: warning: ${warning}`);
  return loaded;
}

/** A value as the file would hold it: text quoted, lists and tables as JSON. */
function shown(value: unknown): string {
  return JSON.stringify(value);
}

function valueAt(root: unknown, path: ConfigPath): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

export async function configPathAction(ctx: CommandContext): Promise<number> {
  const location = locateConfigFile(fileOptions(ctx));
  for (const other of location.ignored) {
    ctx.out.info(`looper: warning: ${other} is ignored: ${location.file} is read first`);
  }
  if (!location.exists) {
    ctx.out.info(`looper: ${location.file} does not exist yet; \`looper config set\` creates it`);
  }
  const { dataDir: _dataDir, ...view } = location;
  ctx.out.result(view, () => location.file);
  return exitCodes.success;
}

export async function configViewAction(ctx: CommandContext, sources: boolean): Promise<number> {
  const loaded = load(ctx);
  const masked = maskSecrets(loaded.config);
  const entries = configEntries(masked);
  const sourceOf = (path: ConfigPath) => loaded.sourceOf(path);
  const view = {
    file: loaded.file,
    config: masked,
    ...(sources
      ? { sources: Object.fromEntries(entries.map((entry) => [entry.key, sourceOf(entry.path)])) }
      : {}),
  };
  ctx.out.result(view, () => {
    const title = `# ${loaded.file ?? 'no config file: defaults and environment only'}`;
    const body = sources
      ? formatTable(
          ['KEY', 'VALUE', 'SOURCE'],
          entries.map((entry) => [entry.key, shown(entry.value), sourceOf(entry.path)]),
        )
      : entries.map((entry) => `${entry.key} = ${shown(entry.value)}`).join('\n');
    return `${title}\n${body}`;
  });
  return exitCodes.success;
}

export async function configGetAction(ctx: CommandContext, key: string): Promise<number> {
  const resolved = resolveConfigKey(key);
  if (!resolved.ok) throw keyError(resolved.issue);
  const loaded = load(ctx);
  const path = parsedSpelling(resolved.key.path);
  const value = valueAt(maskSecrets(loaded.config), path);
  const source = loaded.sourceOf(path);
  if (value === undefined) ctx.out.info(`looper: ${resolved.key.key} is not set`);
  ctx.out.result(
    { key: resolved.key.key, value: value ?? null, set: value !== undefined, source },
    () => (value === undefined ? '' : typeof value === 'string' ? value : shown(value)),
  );
  return value === undefined ? exitCodes.failure : exitCodes.success;
}

/** The pid of the looperd holding this data dir's lock, if it runs. */
function runningDaemon(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(join(dataDir, 'looperd.lock'), 'utf8'), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

/** looperd reads its config once: a running one needs a restart, found at its old address. */
function restartNote(result: ConfigEditResult, pid: number, env: CommandContext['io']['env']) {
  const address = (config: Config) => serverUrl(config.server.host, config.server.port);
  const before = result.previous === undefined ? undefined : address(result.previous);
  const moved = before !== undefined && before !== address(result.config) && !env.LOOPER_URL;
  if (moved) {
    return (
      `looperd (pid ${pid}) still listens on ${before}; restart it there to apply this: ` +
      `LOOPER_URL=${before} looper daemon stop && looper daemon start`
    );
  }
  return (
    `looperd (pid ${pid}) keeps the config it started with; restart it to apply this: ` +
    'looper daemon stop && looper daemon start'
  );
}

export async function configSetAction(
  ctx: CommandContext,
  key: string,
  value: string,
): Promise<number> {
  const raw = value === '-' ? (await readAll(ctx.io.stdin)).replace(/\r?\n$/, '') : value;
  const result = setConfigValue({ ...fileOptions(ctx), key, value: raw });
  const [change] = result.changes;
  const pid = runningDaemon(result.dataDir);
  const notes = [
    ...result.notes,
    ...(pid === undefined ? [] : [restartNote(result, pid, ctx.io.env)]),
  ];
  for (const note of notes) ctx.out.info(`looper: ${note}`);
  const view = {
    file: result.file,
    created: result.created,
    key: change?.key ?? key,
    value: change?.value ?? null,
    secret: change?.secret ?? false,
    restart_required: pid !== undefined,
    daemon_pid: pid ?? null,
    notes,
  };
  ctx.out.result(view, () => {
    const what = view.secret
      ? `${view.key} (secret, not shown)`
      : `${view.key} = ${shown(view.value)}`;
    return `set ${what} in ${view.file}${view.created ? ' (created it, mode 600)' : ''}`;
  });
  return exitCodes.success;
}

/** Problems of the config in use (file and LOOPER_… variables) as loading it would find them. */
function problemsInUse(ctx: CommandContext): { file: string | null; issues: ConfigIssue[] } {
  try {
    return { file: load(ctx).file, issues: [] };
  } catch (error) {
    if (!isLooperError(error) || error.code !== 'config_invalid') throw error;
    const { issues } = error.details as { issues: ConfigIssue[] };
    return { file: locateFile(ctx), issues };
  }
}

function locateFile(ctx: CommandContext): string | null {
  try {
    const location = locateConfigFile(fileOptions(ctx));
    return location.exists ? location.file : null;
  } catch {
    return null;
  }
}

export async function configValidateAction(
  ctx: CommandContext,
  file: string | undefined,
): Promise<number> {
  const checked =
    file === undefined
      ? problemsInUse(ctx)
      : { file: resolve(ctx.io.cwd, file), issues: validateConfigFile(resolve(ctx.io.cwd, file)) };
  const valid = checked.issues.length === 0;
  ctx.out.result({ file: checked.file, valid, issues: checked.issues }, () => {
    if (!valid) return checked.issues.map((issue) => formatIssue(issue, (f) => f)).join('\n');
    return checked.file === null
      ? 'no config file: the defaults (and LOOPER_… variables) are valid'
      : `${checked.file}: valid`;
  });
  return valid ? exitCodes.success : exitCodes.failure;
}
