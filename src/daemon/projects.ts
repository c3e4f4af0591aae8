// `[[projects]]` from the config, mirrored into the store at start so loops, intake and the API see
// them; plus where a forge project is cloned from and the GitHub token Looper (never the agent) uses.
import { execFileSync } from 'node:child_process';
import { basename } from 'node:path';
import type { Config } from '../config/index.js';
import type { ProjectRecord, Store } from '../store/index.js';

export async function syncProjects(store: Store, config: Config): Promise<ProjectRecord[]> {
  const synced: ProjectRecord[] = [];
  for (const entry of config.projects) {
    const repo = entry.repo ?? null;
    const existing = repo
      ? await store.projects.findProjectByRepo(repo)
      : entry.path
        ? await store.projects.findProjectByPath(entry.path)
        : null;
    const checks = entry.checks ?? [];
    const baseBranch = entry['base-branch'];
    if (existing) {
      synced.push(await store.projects.updateProject(existing.id, { checks, baseBranch }));
      continue;
    }
    synced.push(
      await store.projects.createProject({
        name: repo ?? basename(entry.path ?? 'project'),
        forge: repo ? 'github' : 'local',
        repo,
        path: entry.path ?? null,
        baseBranch,
        checks,
      }),
    );
  }
  return synced;
}

/** `https://api.github.com` → `https://github.com/<repo>.git`; GHE `https://h/api/v3` → `https://h/<repo>.git`. */
export function defaultCloneUrl(apiUrl: string, repo: string): string {
  const url = new URL(apiUrl);
  const host = url.hostname === 'api.github.com' ? 'github.com' : url.host;
  return `${url.protocol}//${host}/${repo}.git`;
}

export function cloneUrlFor(config: Config, repo: string): string {
  const entry = config.projects.find((p) => p.repo === repo);
  return entry?.['clone-url'] ?? defaultCloneUrl(config.github['api-url'], repo);
}

export type GitHubTokenSource = 'github.token' | 'GITHUB_TOKEN' | 'GH_TOKEN' | 'gh auth token';

/** `github.token`, then GITHUB_TOKEN / GH_TOKEN, then `gh auth token`, and which one it was. */
export function findGitHubToken(
  config: Config,
  env: NodeJS.ProcessEnv,
): { token: string; source: GitHubTokenSource } | null {
  const configured = config.github.token.trim();
  if (configured !== '') return { token: configured, source: 'github.token' };
  for (const name of ['GITHUB_TOKEN', 'GH_TOKEN'] as const) {
    const value = (env[name] ?? '').trim();
    if (value !== '') return { token: value, source: name };
  }
  try {
    const token = execFileSync('gh', ['auth', 'token'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
      env,
    }).trim();
    return token === '' ? null : { token, source: 'gh auth token' };
  } catch {
    return null;
  }
}

/** `github.token`, then GITHUB_TOKEN / GH_TOKEN, then `gh auth token`; '' when none. */
export function resolveGitHubToken(config: Config, env: NodeJS.ProcessEnv): string {
  return findGitHubToken(config, env)?.token ?? '';
}

/** The `[[projects]]` entry a stored project mirrors, if any. */
export function configEntryFor(
  config: Config,
  project: { repo: string | null; path: string | null },
): Config['projects'][number] | undefined {
  return config.projects.find((entry) =>
    project.repo !== null
      ? entry.repo?.toLowerCase() === project.repo.toLowerCase()
      : entry.repo === undefined && entry.path !== undefined && entry.path === project.path,
  );
}
