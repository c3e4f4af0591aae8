// What every GitHub operation shares: the client, the repo of a project, GitHub errors translated to
// LooperError once, response validation, and the token's user (looked up once per gateway).
import type { z } from 'zod';
import { LooperError } from '../../domain/index.js';
import type { ProjectRef } from '../forge.js';
import type { GitHubClient } from './octokit.js';
import { User } from './schemas.js';
import type { ForgeLog, GitHubUser } from './types.js';

export interface RepoCoordinates {
  owner: string;
  repo: string;
}

export interface GitHubContext {
  client: GitHubClient;
  log: ForgeLog;
  sleep: (ms: number) => Promise<void>;
  mergeability: { attempts: number; delayMs: number };
  me(): Promise<GitHubUser>;
  /** Plain fetch (the one Octokit uses) for URLs outside the API, sent without the token. */
  fetch: typeof fetch;
}

export function repoOf(project: ProjectRef): RepoCoordinates {
  const [owner, repo, extra] = (project.repo ?? '').split('/');
  if (!owner || !repo || extra !== undefined) {
    throw new LooperError('bad_request', `project ${project.id} has no GitHub repo (owner/name)`);
  }
  return { owner, repo };
}

export function statusOf(error: unknown): number | null {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}

const codeOfStatus = (status: number | null) => {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
    case 410:
      return 'not_found';
    case 409:
      return 'conflict';
    case 422:
      return 'validation_failed';
    default:
      return 'forge_failed';
  }
};

/** Runs one GitHub call; a failure (after the client's retries) becomes a LooperError. */
export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof LooperError) throw error;
    const status = statusOf(error);
    const reason = error instanceof Error ? error.message : String(error);
    const message = `GitHub ${what} failed${status === null ? '' : ` (${status})`}: ${reason}`;
    throw new LooperError(codeOfStatus(status), message, { cause: error, details: { status } });
  }
}

/** Validates the fields we rely on; a response that breaks them is GitHub's fault, not ours. */
export function parse<S extends z.ZodType>(schema: S, data: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new LooperError('forge_failed', `unexpected GitHub response to ${what}`, {
    details: result.error.issues.slice(0, 5),
  });
}

export function createMe(client: GitHubClient): () => Promise<GitHubUser> {
  let cached: Promise<GitHubUser> | null = null;
  return () => {
    cached ??= call('get the authenticated user', async () => {
      const { data } = await client.rest.users.getAuthenticated();
      return parse(User, data, 'GET /user');
    }).catch((error: unknown) => {
      cached = null;
      throw error;
    });
    return cached;
  };
}
