// `/api/v1/queue` (list the live entries, remove a waiting one) and `/api/v1/failures` (loops that
// ended needs_human or failed, newest first). Writes pass the bearer guard like every write.
import { Hono } from 'hono';
import { ListFailuresQuery, ListQueueQuery, RemoveQueueEntryQuery } from './queue-dto.js';
import type { LooperService } from './service.js';
import { readQuery } from './validate.js';

export function createQueueRoutes(service: LooperService): Hono {
  const routes = new Hono();
  const ok = <T>(data: T) => ({ ok: true as const, data });

  routes.get('/queue', async (c) => {
    const query = readQuery(c, ListQueueQuery);
    return c.json(
      ok(
        await service.listQueue({
          ...(query.queue === undefined ? {} : { queue: query.queue }),
          ...(query.state === undefined ? {} : { state: query.state }),
        }),
      ),
    );
  });
  routes.delete('/queue/:id', async (c) => {
    const query = readQuery(c, RemoveQueueEntryQuery);
    return c.json(ok(await service.removeQueueEntry(c.req.param('id'), query.by)));
  });

  routes.get('/failures', async (c) => {
    const query = readQuery(c, ListFailuresQuery);
    return c.json(ok(await service.listFailures({ limit: query.limit })));
  });
  return routes;
}
