// Route table plumbing for the emulator: OpenAPI path templates as routes (the same keys the
// validator uses), GitHub-style errors, pagination with Link headers, and repo/permission lookups.
import type { Json, JsonContext } from './json-core.js';
import { type EmRepo, type EmulatorState, type RepoRole, roleOf } from './state.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Json;
  /** The authenticated user. */
  login: string;
  accept: string;
  /** Absolute URL of this request (for Link headers). */
  url: URL;
  json: JsonContext;
  state: EmulatorState;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** A non-JSON body (e.g. the diff media type). */
  text?: string;
  headers?: Record<string, string>;
}

export interface Route {
  method: Method;
  /** OpenAPI path template, e.g. /repos/{owner}/{repo}/issues/{issue_number}. */
  template: string;
  handle(ctx: RouteContext): Promise<Reply> | Reply;
}

/** Rate-limit use per `${login}:${resource}`, shared by the server and GET /rate_limit. */
export interface RateState {
  limit: number;
  /** Epoch seconds. */
  resetAt: number;
  used: Map<string, number>;
}

export const docs = 'https://docs.github.com/rest';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
  ) {
    super(message);
  }
}

export const notFound = (): HttpError => new HttpError(404, 'Not Found');

export function errorBody(error: HttpError): Json {
  return {
    message: error.message,
    documentation_url: docs,
    ...(error.errors ? { errors: error.errors } : {}),
    status: String(error.status),
  };
}

export function matcher(template: string): RegExp {
  const pattern = template
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\{(\w+)\}/g, '(?<$1>[^/]+)');
  return new RegExp(`^${pattern}$`);
}

export function repoOf(ctx: RouteContext): EmRepo {
  const key = `${ctx.params.owner}/${ctx.params.repo}`.toLowerCase();
  const repo = ctx.state.repos.get(key);
  if (!repo) throw notFound();
  return repo;
}

const rank: Record<RepoRole, number> = { read: 0, triage: 1, write: 2, maintain: 3, admin: 4 };

/** GitHub answers a write without the needed role with 403 (404 on private repos). */
export function requireRole(ctx: RouteContext, repo: EmRepo, role: RepoRole): void {
  // Anyone may read (and review, comment on) a public repository.
  if (role === 'read' && !repo.private) return;
  const have = roleOf(repo, ctx.login);
  if (have && rank[have] >= rank[role]) return;
  if (repo.private) throw notFound();
  throw new HttpError(403, 'Resource not accessible by personal access token');
}

export function intParam(ctx: RouteContext, name: string): number {
  const value = Number(ctx.params[name]);
  if (!Number.isInteger(value) || value < 1) throw notFound();
  return value;
}

/** GitHub's page/per_page pagination with a Link header (next/last) the paginate plugin follows. */
export function paginate<T>(ctx: RouteContext, items: readonly T[]): { page: T[]; link?: string } {
  const perPage = Math.min(Math.max(Number(ctx.query.get('per_page') ?? 30) || 30, 1), 100);
  const page = Math.max(Number(ctx.query.get('page') ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  if (last <= 1) return { page: slice };
  const at = (n: number) => {
    const url = new URL(ctx.url);
    url.searchParams.set('page', String(n));
    url.searchParams.set('per_page', String(perPage));
    return url.toString();
  };
  const links: string[] = [];
  if (page < last) links.push(`<${at(page + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`);
  if (page > 1) links.push(`<${at(1)}>; rel="first"`, `<${at(page - 1)}>; rel="prev"`);
  return { page: slice, ...(links.length ? { link: links.join(', ') } : {}) };
}

export function listReply<T>(
  ctx: RouteContext,
  items: readonly T[],
  toJson: (t: T) => Json,
): Reply {
  const { page, link } = paginate(ctx, items);
  return { status: 200, body: page.map(toJson), ...(link ? { headers: { link } } : {}) };
}

export function stringField(body: Json, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' ? value : undefined;
}

export function validationError(resource: string, field: string, code: string): HttpError {
  return new HttpError(422, 'Validation Failed', [{ resource, field, code }]);
}
