// `/api/v1/projects` (list, add, show, remove) and `/api/v1/webhooks` (status, enable, disable).
import { Hono } from 'hono';
import { CreateProjectRequest, EnableWebhookRequest, WebhookQuery } from './project-dto.js';
import type { ProjectService } from './project-service.js';
import { readJsonBody, readQuery } from './validate.js';

export function createProjectRoutes(service: ProjectService): Hono {
  const routes = new Hono();
  const ok = <T>(data: T) => ({ ok: true as const, data });

  routes.get('/projects', async (c) => c.json(ok(await service.listProjects())));
  routes.post('/projects', async (c) => {
    const request = await readJsonBody(c, CreateProjectRequest);
    return c.json(ok(await service.addProject(request)), 201);
  });
  routes.get('/projects/:id', async (c) => c.json(ok(await service.getProject(c.req.param('id')))));
  routes.delete('/projects/:id', async (c) =>
    c.json(ok(await service.removeProject(c.req.param('id')))),
  );

  routes.get('/webhooks', async (c) => {
    const query = readQuery(c, WebhookQuery);
    return c.json(ok(await service.webhookStatus(query.repo ? { repo: query.repo } : {})));
  });
  routes.post('/webhooks', async (c) => {
    const request = await readJsonBody(c, EnableWebhookRequest);
    return c.json(ok(await service.enableWebhook(request)));
  });
  routes.delete('/webhooks', async (c) => {
    const query = readQuery(c, WebhookQuery);
    return c.json(ok(await service.disableWebhook(query)));
  });
  return routes;
}
