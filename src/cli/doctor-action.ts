// `looper doctor`: checks what Looper needs, in this process (no daemon required): git, the config,
// the database, the daemon, GitHub when a GitHub project is configured, and every vendor CLI.
// Exit 0 when nothing the config needs failed.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Config, LoadedConfig } from '../config/index.js';
import { vendorNames } from '../domain/index.js';
import type { CommandContext } from './context.js';
import { serverUrl } from './context.js';
import { type DoctorCheck, doctorReport, formatDoctor, vendorNeeds } from './doctor-checks.js';
import { forwardCheck } from './doctor-forward.js';
import {
  daemonCheck,
  gitCheck,
  gitHubChecks,
  probeTimeoutMs,
  vendorCheck,
} from './doctor-probes.js';
import { detailLines, exitCodes } from './output.js';

interface ConfigOutcome {
  check: DoctorCheck;
  config: Config;
  dataDir: string;
}

async function configCheck(ctx: CommandContext): Promise<ConfigOutcome> {
  const { loadConfig, defaultConfig } = await import('../config/index.js');
  const file =
    ctx.globals.config === undefined ? undefined : resolve(ctx.io.cwd, ctx.globals.config);
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig({ env: ctx.io.env, ...(file === undefined ? {} : { file }) });
  } catch (error) {
    const issues = detailLines((error as { details?: unknown }).details);
    const message = issues.length > 0 ? issues.join('; ') : (error as Error).message;
    const home = ctx.io.env.HOME || homedir();
    const dataDir = resolve(ctx.io.env.LOOPER_HOME || join(home, '.looper'));
    return {
      check: { check: 'config', status: 'fail', detail: `invalid: ${message}` },
      config: defaultConfig(),
      dataDir,
    };
  }
  const where = loaded.file ?? 'no file (defaults and LOOPER_* variables)';
  const warnings = loaded.warnings;
  return {
    check: {
      check: 'config',
      status: warnings.length > 0 ? 'warn' : 'ok',
      detail: warnings.length > 0 ? `${where}; ${warnings.join('; ')}` : `${where}, valid`,
      data: { file: loaded.file, warnings, data_dir: loaded.dataDir },
    },
    config: loaded.config,
    dataDir: loaded.dataDir,
  };
}

async function databaseCheck(config: Config, dataDir: string): Promise<DoctorCheck> {
  const { inspectStore } = await import('../store/index.js');
  try {
    const found = inspectStore({ url: config.storage.url, dataDir });
    if (found.kind === 'postgres') {
      return {
        check: 'database',
        status: 'warn',
        detail: `${found.location}: PostgreSQL is not supported yet`,
      };
    }
    const data = {
      location: found.location,
      exists: found.exists,
      applied: found.applied,
      pending: found.pending,
    };
    if (!found.exists) {
      return {
        check: 'database',
        status: 'warn',
        detail: `no database yet at ${found.location} (looperd creates it at its first start)`,
        data,
      };
    }
    if (found.unknown.length > 0) {
      return {
        check: 'database',
        status: 'fail',
        detail: `${found.location} was written by a newer Looper (migrations ${found.unknown.join(', ')})`,
        data,
      };
    }
    if (found.pending.length > 0) {
      return {
        check: 'database',
        status: 'warn',
        detail: `${found.location}: ${found.pending.length} migration(s) pending (looperd applies them at start)`,
        data,
      };
    }
    return {
      check: 'database',
      status: 'ok',
      detail: `${found.location}, migrations current (${found.applied.length})`,
      data,
    };
  } catch (error) {
    return {
      check: 'database',
      status: 'fail',
      detail: `cannot open: ${(error as Error).message}`,
    };
  }
}

/** GitHub repositories of the config's `[[projects]]` and the database's projects. */
async function gitHubRepos(config: Config, dataDir: string): Promise<string[]> {
  const repos = new Set(config.projects.flatMap((p) => (p.repo ? [p.repo] : [])));
  try {
    const { inspectStore } = await import('../store/index.js');
    const found = inspectStore({ url: config.storage.url, dataDir });
    if (found.kind === 'sqlite') {
      for (const p of found.projects) if (p.forge === 'github' && p.repo) repos.add(p.repo);
    }
  } catch {
    // the database check reports it
  }
  return [...repos];
}

async function gitHubSection(
  ctx: CommandContext,
  config: Config,
  repos: string[],
): Promise<DoctorCheck[]> {
  const { findGitHubToken } = await import('../daemon/index.js');
  const found = findGitHubToken(config, ctx.io.env as NodeJS.ProcessEnv);
  if (found === null) {
    return [
      {
        check: 'github token',
        status: 'fail',
        detail: 'none found: set github.token, GITHUB_TOKEN or GH_TOKEN, or run `gh auth login`',
      },
    ];
  }
  const tokenCheck: DoctorCheck = {
    check: 'github token',
    status: 'ok',
    detail: `from ${found.source} (for ${config.github['api-url']})`,
    data: { source: found.source, api_url: config.github['api-url'] },
  };
  const { createGitHubForge } = await import('../forge/index.js');
  const forge = createGitHubForge({
    apiUrl: config.github['api-url'],
    token: found.token,
    throttle: { retries: 1, backoffMs: 200 },
    fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(probeTimeoutMs) }),
  });
  return [tokenCheck, ...(await gitHubChecks({ forge, repos }))];
}

export async function doctorAction(ctx: CommandContext): Promise<number> {
  const { env, cwd } = ctx.io;
  const home = env.HOME || homedir();
  const { check: config, config: settings, dataDir } = await configCheck(ctx);
  const override = env.LOOPER_URL?.trim();
  const baseUrl =
    override !== undefined && override !== ''
      ? override.replace(/\/+$/, '').replace(/\/api\/v1$/, '')
      : serverUrl(settings.server.host, settings.server.port);
  const needs = vendorNeeds(settings);
  const repos = await gitHubRepos(settings, dataDir);
  const { readForwardedRepos } = await import('../daemon/index.js');
  const forwarded = readForwardedRepos(dataDir);
  const [git, database, daemon, github, forward, vendors] = await Promise.all([
    gitCheck(env, cwd),
    databaseCheck(settings, dataDir),
    daemonCheck(baseUrl),
    repos.length > 0 ? gitHubSection(ctx, settings, repos) : Promise.resolve([]),
    repos.length > 0 || forwarded.length > 0
      ? forwardCheck({ forwarded, env, cwd }).then((c) => [c])
      : Promise.resolve([]),
    Promise.all(
      vendorNames.map((vendor) =>
        vendorCheck({ vendor, need: needs[vendor], config: settings, env, home, cwd }),
      ),
    ),
  ]);
  const report = doctorReport([git, config, database, daemon, ...github, ...forward, ...vendors]);
  ctx.out.result(report, () => formatDoctor(report));
  return report.ok ? exitCodes.success : exitCodes.failure;
}
