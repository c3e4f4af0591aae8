// Finding a stored project by `owner/name` (GitHub names are case-insensitive) and the 422s the
// project, webhook and issue-URL paths share.
import { LooperError } from '../domain/index.js';
import type { ProjectRecord, Store } from '../store/index.js';

export function invalid(path: string, message: string): LooperError {
  return new LooperError('validation_failed', message, {
    details: { issues: [{ path, message }] },
  });
}

export function noGitHubToken(): LooperError {
  return invalid(
    'repo',
    'no GitHub token: set github.token, GITHUB_TOKEN or GH_TOKEN (or run `gh auth login`), then restart looperd',
  );
}

/** `owner/name` as stored, or spelled in another case. */
export async function findByRepo(store: Store, repo: string): Promise<ProjectRecord | null> {
  const exact = await store.projects.findProjectByRepo(repo);
  if (exact) return exact;
  const wanted = repo.toLowerCase();
  return (
    (await store.projects.listProjects()).find((p) => p.repo?.toLowerCase() === wanted) ?? null
  );
}
