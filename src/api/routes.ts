// The `/api/v1` routes: each validates its input, calls the LooperService and wraps the answer in
// the `{ ok: true, data }` envelope. Streams (SSE, followed logs) are built in their own files.
import { Hono } from 'hono';
import { LooperError } from '../domain/index.js';
import { createConfigRoutes } from './config-routes.js';
import type { ConfigService } from './config-service.js';
import { CleanupWorktreesRequest, RetryLoopRequest } from './control-dto.js';
import {
  CreateLoopRequest,
  type Envelope,
  EventStreamQuery,
  type HealthView,
  ListEventsQuery,
  ListLoopsQuery,
  RunLogQuery,
  type ShutdownView,
} from './dto.js';
import type { ApiLogger } from './errors.js';
import { createEventStream } from './event-stream.js';
import { createLogStream } from './log-stream.js';
import { createOpsRoutes } from './ops-routes.js';
import type { OpsService } from './ops-service.js';
import { createProjectRoutes } from './project-routes.js';
import type { ProjectService } from './project-service.js';
import { createQueueRoutes } from './queue-routes.js';
import type { LooperService } from './service.js';
import type { StreamRegistry } from './stream-registry.js';
import { readJsonBody, readQuery } from './validate.js';

export interface RouteDeps {
  service: LooperService;
  version: string;
  registry: StreamRegistry;
  keepAliveMs: number;
  logPollMs: number;
  logger?: ApiLogger;
  /** Projects and webhooks; without it those routes answer 404. */
  projects?: ProjectService;
  /** `GET|PATCH /config`; without it those routes answer 404. */
  config?: ConfigService;
  /** `/metrics` and `/nodes`; without it those routes answer 404. */
  ops?: OpsService;
}

/**
 * Long-lived responses close their connection when they end, so a server that is stopping is
 * not kept waiting on an idle keep-alive socket.
 */
const streamingHeaders = { connection: 'close', 'x-accel-buffering': 'no' } as const;

function ok<T>(data: T): Envelope<T> {
  return { ok: true, data };
}

export function createRoutes(deps: RouteDeps): Hono {
  const { service } = deps;
  const v1 = new Hono();

  v1.get('/healthz', (c) => c.json(ok<HealthView>({ status: 'ok', version: deps.version })));
  v1.get('/status', async (c) => c.json(ok(await service.status())));

  v1.get('/loops', async (c) => {
    const query = readQuery(c, ListLoopsQuery);
    const loops = await service.listLoops({
      limit: query.limit,
      ...(query.stage === undefined ? {} : { stage: query.stage }),
      ...(query.active === undefined ? {} : { active: query.active === 'true' }),
    });
    return c.json(ok(loops));
  });
  v1.post('/loops', async (c) => {
    const request = await readJsonBody(c, CreateLoopRequest);
    return c.json(ok(await service.createLoop(request)), 201);
  });
  v1.get('/loops/:id', async (c) => c.json(ok(await service.getLoop(c.req.param('id')))));
  v1.post('/loops/:id/cancel', async (c) =>
    c.json(ok(await service.cancelLoop(c.req.param('id')))),
  );
  v1.post('/loops/:id/pause', async (c) => c.json(ok(await service.pauseLoop(c.req.param('id')))));
  v1.post('/loops/:id/resume', async (c) =>
    c.json(ok(await service.resumeLoop(c.req.param('id')))),
  );
  v1.post('/loops/:id/approve', async (c) =>
    c.json(ok(await service.approveLoop(c.req.param('id')))),
  );
  v1.post('/loops/:id/retry', async (c) => {
    const request = await readJsonBody(c, RetryLoopRequest);
    return c.json(ok(await service.retryLoop(c.req.param('id'), request.mode)));
  });

  if (deps.projects) v1.route('/', createProjectRoutes(deps.projects));
  if (deps.config) v1.route('/', createConfigRoutes(deps.config));
  v1.route('/', createOpsRoutes({ version: deps.version, ...(deps.ops ? { ops: deps.ops } : {}) }));
  v1.route('/', createQueueRoutes(service));

  v1.get('/worktrees', async (c) => c.json(ok(await service.listWorktrees())));
  v1.post('/worktrees/cleanup', async (c) => {
    const request = await readJsonBody(c, CleanupWorktreesRequest);
    return c.json(ok(await service.cleanupWorktrees({ force: request.force })));
  });

  v1.get('/runs/:id', async (c) => c.json(ok(await service.getRun(c.req.param('id')))));
  v1.get('/runs/:id/log', async (c) => {
    const id = c.req.param('id');
    const query = readQuery(c, RunLogQuery);
    const run = await service.getRun(id);
    const follow = (query.follow === '1' || query.follow === 'true') && run.status === 'running';
    const body = createLogStream({
      path: run.log_path,
      follow,
      pollMs: deps.logPollMs,
      isRunning: async () => (await service.getRun(id)).status === 'running',
      registry: deps.registry,
    });
    return new Response(body, {
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-cache',
        ...(follow ? streamingHeaders : {}),
        'x-content-type-options': 'nosniff',
      },
    });
  });

  v1.get('/events', async (c) => {
    const query = readQuery(c, ListEventsQuery);
    const events = await service.listEvents({
      limit: query.limit,
      ...(query.after === undefined ? {} : { after: query.after }),
      ...(query.loop === undefined ? {} : { loopId: query.loop }),
    });
    return c.json(ok(events));
  });
  v1.get('/events/stream', (c) => {
    const query = readQuery(c, EventStreamQuery);
    const body = createEventStream({
      service,
      after: lastEventId(c.req.header('last-event-id')) ?? query.after,
      loopId: query.loop,
      keepAliveMs: deps.keepAliveMs,
      registry: deps.registry,
      ...(deps.logger ? { logger: deps.logger } : {}),
    });
    return new Response(body, {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        ...streamingHeaders,
      },
    });
  });

  v1.post('/shutdown', (c) => {
    // Answer first: stopping closes this server, so awaiting it here would cut the reply off.
    setImmediate(() => {
      service.shutdown().catch((err: unknown) => {
        deps.logger?.error({ err }, 'shutdown requested over the API failed');
      });
    });
    return c.json(ok<ShutdownView>({ stopping: true }), 202);
  });

  return v1;
}

function lastEventId(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const value = header.trim();
  if (!/^\d{1,15}$/.test(value)) {
    throw new LooperError('validation_failed', 'Last-Event-ID must be an event id', {
      details: { issues: [{ path: 'Last-Event-ID', message: 'expected a non-negative integer' }] },
    });
  }
  return Number(value);
}
