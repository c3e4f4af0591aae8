// Builds the Hono app for `/api/v1`: Host check, bearer auth, body limit, routes, and the error
// envelope for everything that goes wrong (including unknown routes).
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { LooperError } from '../domain/index.js';
import type { ConfigService } from './config-service.js';
import { serveDashboard } from './dashboard-routes.js';
import { type ApiLogger, errorResponse } from './errors.js';
import { bearerGuard, hostGuard, isLoopbackHost } from './guards.js';
import type { OpsService } from './ops-service.js';
import type { ProjectService } from './project-service.js';
import { createRoutes } from './routes.js';
import type { LooperService } from './service.js';
import { createStreamRegistry } from './stream-registry.js';
import { type WebhookReceiver, webhookHandler } from './webhooks.js';

export interface ApiAppOptions {
  service: LooperService;
  /** Bearer token every non-GET request must carry. */
  token: string;
  /** The configured bind host; allowed in the Host header besides the loopback names. */
  host: string;
  /** The configured port; 0 accepts the port each request arrived on. */
  port: number;
  version: string;
  logger?: ApiLogger;
  /** Interval of SSE keep-alive comments; default 15 s. */
  keepAliveMs?: number;
  /** How often a followed log is polled for appended bytes; default 250 ms. */
  logPollMs?: number;
  /** Largest accepted request body; default 1 MiB. */
  maxBodyBytes?: number;
  /** Receives `POST /webhooks/github`; without it the route answers 404. */
  webhooks?: WebhookReceiver;
  /** Serves `/projects` and `/webhooks`; without it they answer 404. */
  projects?: ProjectService;
  /** Serves `GET|PATCH /config`; without it they answer 404. */
  config?: ConfigService;
  /** Serves `/metrics` and `/nodes`; without it they answer 404. */
  ops?: OpsService;
  /**
   * Whether reads (GET) need the token too. Default: only when `host` is not a loopback address —
   * reads show code, logs and prompts, open only to this machine. `/healthz` is always open.
   */
  readsNeedToken?: boolean;
}

/** The Hono app plus the means to end its long-lived streams when the server stops. */
export type ApiApp = Hono & { closeStreams(): void };

export function createApiApp(options: ApiAppOptions): ApiApp {
  if (options.token.trim() === '') {
    throw new LooperError('validation_failed', 'the API token must not be empty');
  }
  const registry = createStreamRegistry();
  const { logger } = options;
  const app = new Hono();

  // Registered before the guards: a delivery is authenticated by its signature, and arrives through
  // a tunnel or proxy with a foreign Host header.
  if (options.webhooks) app.post('/webhooks/github', webhookHandler(options.webhooks, logger));
  app.use('*', hostGuard({ host: options.host, port: options.port }));
  // The dashboard's page, style and script are public files (its API calls carry the token).
  serveDashboard(app);
  app.use(
    '*',
    bearerGuard(options.token, { reads: options.readsNeedToken ?? !isLoopbackHost(options.host) }),
  );
  app.use(
    '*',
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 1024 * 1024,
      onError: () => {
        throw new LooperError('bad_request', 'request body is too large');
      },
    }),
  );
  app.route(
    '/api/v1',
    createRoutes({
      service: options.service,
      version: options.version,
      registry,
      keepAliveMs: options.keepAliveMs ?? 15_000,
      logPollMs: options.logPollMs ?? 250,
      ...(logger ? { logger } : {}),
      ...(options.projects ? { projects: options.projects } : {}),
      ...(options.config ? { config: options.config } : {}),
      ...(options.ops ? { ops: options.ops } : {}),
    }),
  );
  app.notFound((c) =>
    errorResponse(c, new LooperError('not_found', `no route for ${c.req.method} ${c.req.path}`)),
  );
  app.onError((err, c) => errorResponse(c, err, logger));

  return Object.assign(app, { closeStreams: () => registry.closeAll() });
}
