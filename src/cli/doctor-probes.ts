// The probes behind `looper doctor`, each bounded by a timeout: git, the config, the database, the
// daemon, GitHub (token, user and scopes, rate limit, each repository) and the vendor CLIs.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Config } from '../config/index.js';
import type { VendorName } from '../domain/index.js';
import type { GitHubForge } from '../forge/index.js';
import { ApiClient } from './client.js';
import { type DoctorCheck, type VendorNeed, vendorLogin } from './doctor-checks.js';
import { which } from './which.js';

export const probeTimeoutMs = 10_000;

export interface ProbeResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  error: string | null;
}

/** Runs a command with no stdin; on timeout its whole process group is killed. */
export function runProbe(
  command: string,
  args: readonly string[],
  options: { env: Record<string, string | undefined>; cwd: string; timeoutMs?: number },
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (result: Omit<ProbeResult, 'stdout' | 'stderr'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, stdout, stderr });
    };
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      finish({ code: null, timedOut: true, error: null });
    }, options.timeoutMs ?? probeTimeoutMs);
    const keep = (text: string, chunk: Buffer) => (text.length > 65_536 ? text : text + chunk);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = keep(stdout, chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = keep(stderr, chunk);
    });
    child.on('error', (error) => finish({ code: null, timedOut: false, error: error.message }));
    child.on('close', (code) => finish({ code, timedOut: false, error: null }));
  });
}

/** The first meaningful line of `--version` output, without a leading program name. */
export function versionLine(output: string): string {
  const line = output
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  return (line ?? '').slice(0, 80);
}

export async function gitCheck(env: Record<string, string | undefined>, cwd: string) {
  const result = await runProbe('git', ['--version'], { env, cwd });
  if (result.code === 0) {
    const version = versionLine(result.stdout).replace(/^git version /, '');
    return { check: 'git', status: 'ok', detail: version, data: { version } } as DoctorCheck;
  }
  const why = result.timedOut ? 'timed out' : (result.error ?? versionLine(result.stderr));
  return { check: 'git', status: 'fail', detail: `git not usable: ${why}` } as DoctorCheck;
}

export async function daemonCheck(baseUrl: string): Promise<DoctorCheck> {
  const client = new ApiClient({ baseUrl, timeoutMs: 3_000 });
  if (!(await client.healthy(2_000))) {
    return {
      check: 'daemon',
      status: 'warn',
      detail: `not running at ${baseUrl} (start it with \`looper daemon start\`)`,
      data: { url: baseUrl, running: false },
    };
  }
  try {
    const status = await client.status();
    return {
      check: 'daemon',
      status: 'ok',
      detail: `running at ${baseUrl} (pid ${status.pid}, version ${status.version}, data dir ${status.data_dir})`,
      data: { url: baseUrl, running: true, pid: status.pid, version: status.version },
    };
  } catch (error) {
    return {
      check: 'daemon',
      status: 'warn',
      detail: `answers at ${baseUrl} but its status failed: ${(error as Error).message}`,
      data: { url: baseUrl, running: true },
    };
  }
}

/** Vendor CLI: found (configured command or on PATH), its version, logged in where knowable. */
export async function vendorCheck(input: {
  vendor: VendorName;
  need: VendorNeed;
  config: Config;
  env: Record<string, string | undefined>;
  home: string;
  cwd: string;
}): Promise<DoctorCheck> {
  const { vendor, need } = input;
  const check = `vendor ${vendor}`;
  const settings = input.config.vendors[vendor];
  const command = settings.command.trim();
  // A vendor the config never runs is reported, not judged.
  const missing: DoctorCheck['status'] =
    need === 'primary' ? 'fail' : need === 'fallback' ? 'warn' : 'ok';
  const usage =
    need === 'primary' ? 'used by the config' : need === 'fallback' ? 'a fallback' : 'not used';
  const data: Record<string, unknown> = { vendor, command, needed: need };
  if (command === '') {
    return {
      check,
      status: missing,
      detail: `no command configured (vendors.${vendor}.command; ${usage})`,
      data: { ...data, found: false },
    };
  }
  const path = which(command, input.env.PATH, input.cwd);
  if (path === null) {
    return {
      check,
      status: missing,
      detail: `${command} not found on PATH (${usage})`,
      data: { ...data, found: false },
    };
  }
  Object.assign(data, { found: true, path });
  // A custom vendor is any program: running it to ask for a version could do anything.
  if (vendor === 'custom') {
    return { check, status: 'ok', detail: `${path} (${usage})`, data };
  }
  const result = await runProbe(path, ['--version'], { env: input.env, cwd: input.cwd });
  const version = result.code === 0 ? versionLine(result.stdout || result.stderr) : null;
  const login = vendorLogin(
    vendor,
    { ...input.env, ...input.config.agent.env, ...settings.env },
    input.home,
    existsSync,
  );
  Object.assign(data, { version, logged_in: login.loggedIn, login: login.via });
  const versionText =
    version ??
    (result.timedOut
      ? '--version timed out'
      : `--version failed (${result.error ?? `exit ${result.code}`})`);
  const loginText = login.loggedIn ? `logged in (${login.via})` : login.via;
  const status: DoctorCheck['status'] =
    need !== 'unused' && (version === null || login.loggedIn !== true) ? 'warn' : 'ok';
  return { check, status, detail: `${versionText} · ${loginText} · ${usage}`, data };
}

export interface GitHubProbeInput {
  forge: GitHubForge;
  repos: readonly string[];
}

/** `GET /user` (login, scopes), `GET /rate_limit`, and `GET /repos/{o}/{r}` for each project. */
export async function gitHubChecks(input: GitHubProbeInput): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  try {
    const info = await input.forge.tokenInfo();
    const scopes = info.scopes;
    const scopeText =
      scopes === null
        ? 'no classic scopes reported (fine-grained token or app)'
        : `scopes ${scopes.length === 0 ? '(none)' : scopes.join(', ')}`;
    const lacksRepo = scopes !== null && !scopes.some((s) => s === 'repo' || s === 'public_repo');
    checks.push({
      check: 'github user',
      status: lacksRepo ? 'warn' : 'ok',
      detail: `${info.user.login} · ${scopeText}${lacksRepo ? ' (the repo scope is needed to push and open PRs)' : ''}`,
      data: { login: info.user.login, scopes },
    });
  } catch (error) {
    checks.push({
      check: 'github user',
      status: 'fail',
      detail: `GET /user failed: ${(error as Error).message}`,
    });
    return checks;
  }
  try {
    const { core } = await input.forge.rateLimit();
    const low = core.remaining < core.limit / 10;
    const resetIn = Math.max(0, Math.round((core.resetAt - Date.now()) / 60_000));
    checks.push({
      check: 'github rate limit',
      status: low ? 'warn' : 'ok',
      detail: `${core.remaining} of ${core.limit} left, resets in ${resetIn} min`,
      data: {
        remaining: core.remaining,
        limit: core.limit,
        used: core.used,
        reset_at: new Date(core.resetAt).toISOString(),
      },
    });
  } catch (error) {
    checks.push({
      check: 'github rate limit',
      status: 'warn',
      detail: `GET /rate_limit failed: ${(error as Error).message}`,
    });
  }
  for (const repo of input.repos) {
    try {
      const found = await input.forge.getRepository({ id: repo, repo, path: null });
      const push = found.permissions?.push;
      checks.push({
        check: `github ${repo}`,
        status: push === false ? 'warn' : 'ok',
        detail: `reachable, default branch ${found.defaultBranch}${push === false ? '; the token cannot push' : ''}`,
        data: {
          repo,
          default_branch: found.defaultBranch,
          private: found.private,
          permissions: found.permissions,
        },
      });
    } catch (error) {
      checks.push({
        check: `github ${repo}`,
        status: 'fail',
        detail: `not reachable with the token: ${(error as Error).message}`,
      });
    }
  }
  return checks;
}
