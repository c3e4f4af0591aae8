// `GET /metrics` (Prometheus text), `GET /nodes` and `GET /openapi.json`. The first two need the
// daemon's OpsService; the document is built (and its module loaded) on first request.
import { Hono } from 'hono';
import { metricFamilies } from './metrics.js';
import { formatMetrics, metricsContentType } from './metrics-format.js';
import type { OpsService } from './ops-service.js';

export function createOpsRoutes(deps: { ops?: OpsService; version: string }): Hono {
  const routes = new Hono();
  const { ops } = deps;
  let document: string | undefined;

  routes.get('/openapi.json', async (c) => {
    // Loaded on first request: the document's schemas cost the daemon nothing at start.
    const { buildOpenApiDocument } = await import('./openapi.js');
    document ??= JSON.stringify(buildOpenApiDocument(deps.version));
    return c.body(document, 200, { 'content-type': 'application/json; charset=utf-8' });
  });
  if (!ops) return routes;

  routes.get('/metrics', async (c) => {
    const text = formatMetrics(metricFamilies(await ops.metrics()));
    return c.body(text, 200, { 'content-type': metricsContentType, 'cache-control': 'no-cache' });
  });
  routes.get('/nodes', async (c) => c.json({ ok: true as const, data: await ops.listNodes() }));
  return routes;
}
