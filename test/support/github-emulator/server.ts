// The emulator's HTTP front: authentication, injected faults, routing, ETags and 304s, rate-limit
// headers, the counted-requests tally, and OpenAPI validation of every response it sends.
import { createHash } from 'node:crypto';
import type http from 'node:http';
import type { FaultQueue } from './faults.js';
import { handleGraphql } from './graphql.js';
import type { JsonContext } from './json-core.js';
import type { OpenApiValidator } from './openapi.js';
import { errorBody, HttpError, matcher, type RateState, type Reply, type Route } from './router.js';
import { type EmulatorState, settleBackground } from './state.js';

export interface RequestRecord {
  method: string;
  path: string;
  /** "GET /repos/{owner}/{repo}/issues", "POST /graphql", or null when no route matched. */
  route: string | null;
  status: number;
  /** Counted against the rate limit (not a 304, not /rate_limit, not an injected fault). */
  counted: boolean;
  fault: boolean;
  login: string | null;
  /** The request carried an Authorization header (the blob host must never see one). */
  authorization: boolean;
}

export interface Counts {
  /** Requests counted against the rate limit. */
  counted: number;
  notModified: number;
  faults: number;
  graphql: number;
  /** Every request received. */
  total: number;
  byRoute: Record<string, number>;
}

export interface ServerDeps {
  state: EmulatorState;
  routes: Route[];
  faults: FaultQueue;
  validator: OpenApiValidator;
  json: () => JsonContext;
  rateLimit: RateState;
  counts: Counts;
  requests: RequestRecord[];
  violations: string[];
}

interface Compiled {
  route: Route;
  key: string;
  regex: RegExp;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function authLogin(deps: ServerDeps, header: string | undefined): string | null {
  const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header ?? '');
  return match?.[1] ? (deps.state.tokens.get(match[1]) ?? null) : null;
}

function parseJson(raw: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'Problems parsing JSON');
  }
}

export function createHandler(deps: ServerDeps): http.RequestListener {
  const params = (template: string) => (template.match(/\{/g) ?? []).length;
  // Literal segments win over parameters (/issues/events before /issues/{issue_number}).
  const compiled: Compiled[] = [...deps.routes]
    .sort((a, b) => params(a.template) - params(b.template))
    .map((route) => ({
      route,
      key: `${route.method} ${route.template}`,
      regex: matcher(route.template),
    }));

  const find = (method: string, path: string) => {
    for (const entry of compiled) {
      if (entry.route.method !== method) continue;
      const m = entry.regex.exec(path);
      if (!m) continue;
      const params = Object.fromEntries(
        Object.entries(m.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]),
      );
      return { entry, params };
    }
    return null;
  };

  return (req, res) => {
    void (async () => {
      const raw = await readBody(req);
      // What GitHub did after its last answer (an auto-merge) is visible to the next request.
      for (const failure of await settleBackground(deps.state)) {
        deps.violations.push(`emulator background work failed: ${failure}`);
      }
      const method = (req.method ?? 'GET').toUpperCase();
      const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
      const url = new URL(req.url ?? '/', origin);
      // GitHub Enterprise serves REST under /api/v3 and GraphQL at /api/graphql.
      const path = url.pathname
        .replace(/^\/api\/v3(?=\/)/, '')
        .replace(/^\/api\/graphql$/, '/graphql');
      const isGraphql = method === 'POST' && path === '/graphql';
      const found = isGraphql ? null : find(method, path);
      const key = isGraphql ? 'POST /graphql' : (found?.entry.key ?? null);
      const login = authLogin(deps, req.headers.authorization);
      const resource = isGraphql ? 'graphql' : 'core';
      const usedKey = `${login}:${resource}`;
      const record: RequestRecord = {
        method,
        path,
        route: key,
        status: 0,
        counted: false,
        fault: false,
        login,
        authorization: req.headers.authorization !== undefined,
      };
      deps.counts.total += 1;

      const send = (reply: Reply) => {
        const counted =
          !record.fault && reply.status !== 304 && key !== 'GET /rate_limit' && login !== null;
        if (counted) {
          deps.rateLimit.used.set(usedKey, (deps.rateLimit.used.get(usedKey) ?? 0) + 1);
          deps.counts.counted += 1;
          if (isGraphql) deps.counts.graphql += 1;
          if (key) deps.counts.byRoute[key] = (deps.counts.byRoute[key] ?? 0) + 1;
        }
        if (reply.status === 304) deps.counts.notModified += 1;
        const used = deps.rateLimit.used.get(usedKey) ?? 0;
        const headers: Record<string, string> = {
          'x-ratelimit-limit': String(deps.rateLimit.limit),
          'x-ratelimit-remaining': String(Math.max(deps.rateLimit.limit - used, 0)),
          'x-ratelimit-used': String(used),
          'x-ratelimit-reset': String(deps.rateLimit.resetAt),
          'x-ratelimit-resource': resource,
          'x-github-request-id': `EMU-${deps.counts.total}`,
          ...reply.headers,
        };
        record.status = reply.status;
        record.counted = counted;
        deps.requests.push(record);
        if (key && !isGraphql && reply.text === undefined) {
          const why = deps.validator.validateResponse(key, reply.status, reply.body);
          if (why) deps.violations.push(`${method} ${path}: ${why}`);
        }
        if (reply.status === 304 || (reply.status >= 300 && reply.status < 400)) {
          res.writeHead(reply.status, headers).end();
          return;
        }
        const text = reply.text ?? JSON.stringify(reply.body ?? {});
        headers['content-type'] =
          reply.text === undefined
            ? 'application/json; charset=utf-8'
            : 'text/plain; charset=utf-8';
        res.writeHead(reply.status, headers).end(text);
      };

      try {
        if (login === null) {
          const message = req.headers.authorization ? 'Bad credentials' : 'Requires authentication';
          return send({ status: 401, body: errorBody(new HttpError(401, message)) });
        }
        const fault = deps.faults.take(method, path, found ? found.entry.route.template : null);
        if (fault) {
          record.fault = true;
          deps.counts.faults += 1;
          return send({ status: fault.status, body: fault.body, headers: fault.headers });
        }
        if (used(deps, usedKey) >= deps.rateLimit.limit) {
          const error = new HttpError(403, 'API rate limit exceeded');
          return send({ status: 403, body: errorBody(error) });
        }
        const body = parseJson(raw);
        if (isGraphql) {
          return send(
            await handleGraphql(
              deps.state,
              login,
              body as Record<string, unknown>,
              deps.json().html,
            ),
          );
        }
        if (!found) {
          deps.violations.push(`no emulated route for ${method} ${path}`);
          return send({ status: 404, body: errorBody(new HttpError(404, 'Not Found')) });
        }
        const invalid = deps.validator.validateRequest(found.entry.key, body);
        if (invalid) throw new HttpError(422, `Invalid request: ${invalid}`);
        const reply = await found.entry.route.handle({
          params: found.params,
          query: url.searchParams,
          body: (body ?? {}) as Record<string, unknown>,
          login,
          accept: req.headers.accept ?? '',
          url: new URL(`${origin}${url.pathname}${url.search}`),
          json: deps.json(),
          state: deps.state,
        });
        if (method === 'GET' && reply.status === 200) {
          const etag = `W/"${createHash('sha1')
            .update(reply.text ?? JSON.stringify(reply.body))
            .digest('hex')}"`;
          reply.headers = { ...reply.headers, etag };
          if (req.headers['if-none-match'] === etag) {
            return send({ status: 304, headers: { etag } });
          }
        }
        return send(reply);
      } catch (error) {
        if (error instanceof HttpError)
          return send({ status: error.status, body: errorBody(error) });
        deps.violations.push(`emulator crashed on ${method} ${path}: ${String(error)}`);
        return send({ status: 500, body: { message: String(error) } });
      }
    })();
  };
}

function used(deps: ServerDeps, key: string): number {
  return deps.rateLimit.used.get(key) ?? 0;
}
