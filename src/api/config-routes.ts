// `GET /config` (the running configuration, secrets masked) and `PATCH /config` (a JSON merge patch
// written to the daemon's config file, validated first; applied at the next start).
import { Hono } from 'hono';
import { PatchConfigRequest } from './config-dto.js';
import type { ConfigService } from './config-service.js';
import { readJsonBody } from './validate.js';

export function createConfigRoutes(service: ConfigService): Hono {
  const routes = new Hono();
  const ok = <T>(data: T) => ({ ok: true as const, data });

  routes.get('/config', async (c) => c.json(ok(await service.getConfig())));
  routes.patch('/config', async (c) => {
    const patch = await readJsonBody(c, PatchConfigRequest);
    return c.json(ok(await service.patchConfig(patch)));
  });
  return routes;
}
