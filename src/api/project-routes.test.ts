import { describe, expect, it } from 'vitest';
import { LooperError } from '../domain/index.js';
import { createApiApp } from './app.js';
import { FakeService } from './fake-service.test-support.js';
import type { CreateProjectRequest, ProjectView } from './project-dto.js';
import type { ProjectService } from './project-service.js';

const token = 'test-token-0123456789';
const base = 'http://127.0.0.1:4321/api/v1';
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

function project(id: string, overrides: Partial<ProjectView> = {}): ProjectView {
  return {
    id,
    name: 'acme/app',
    forge: 'github',
    repo: 'acme/app',
    path: null,
    base_branch: 'main',
    checks: [],
    source: 'api',
    active_loops: 0,
    created_at: '2030-01-01T00:00:00.000Z',
    updated_at: '2030-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A ProjectService double that records what it was asked. */
function fakeProjects() {
  const added: CreateProjectRequest[] = [];
  const disabled: unknown[] = [];
  const projects: ProjectService = {
    listProjects: async () => [project('prj_1')],
    getProject: async (id) => {
      if (id !== 'prj_1') throw new LooperError('not_found', `project ${id} not found`);
      return project(id);
    },
    addProject: async (request) => {
      added.push(request);
      return project('prj_2', { repo: request.repo ?? null });
    },
    removeProject: async (id) => {
      throw new LooperError(
        'conflict',
        `project ${id} has 1 active loop(s) (loop_1); cancel them first`,
      );
    },
    webhookStatus: async () => [],
    enableWebhook: async (request) => ({
      repo: request.repo ?? 'acme/app',
      created: false,
      hook: null,
      secret: { source: 'file', file: '/data/webhook-secret' },
      manual: null,
      forward: null,
    }),
    disableWebhook: async (request) => {
      disabled.push(request);
      return { repo: request.repo ?? 'acme/app', removed: [], forward_stopped: false };
    },
  };
  return { projects, added, disabled };
}

function setup() {
  const fake = fakeProjects();
  const app = createApiApp({
    service: new FakeService(),
    token,
    host: 'looper.test',
    port: 4321,
    version: '1.2.3',
    projects: fake.projects,
    readsNeedToken: false,
  });
  return { app, ...fake };
}

describe('project routes', () => {
  it('adds a project from owner/name and answers 201 with its view', async () => {
    const { app, added } = setup();

    const res = await app.request(`${base}/projects`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ repo: 'acme/app', checks: ['npm test'] }),
    });

    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ ok: true, data: { id: 'prj_2', repo: 'acme/app' } });
    expect(added).toEqual([{ repo: 'acme/app', checks: ['npm test'] }]);
  });

  it('refuses a malformed repo or an empty body with 422 and names the field', async () => {
    const { app, added } = setup();

    const bad = await app.request(`${base}/projects`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ repo: 'https://github.com/acme/app' }),
    });
    const empty = await app.request(`${base}/projects`, {
      method: 'POST',
      headers: auth,
      body: '{}',
    });

    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({
      error: { details: { issues: [{ path: 'repo', message: 'expected "owner/name"' }] } },
    });
    expect(empty.status).toBe(422);
    expect(added).toEqual([]);
  });

  it('needs the bearer token to add or remove, and maps refusals to their status', async () => {
    const { app } = setup();

    const anonymous = await app.request(`${base}/projects`, {
      method: 'POST',
      body: JSON.stringify({ repo: 'acme/app' }),
    });
    const removed = await app.request(`${base}/projects/prj_1`, {
      method: 'DELETE',
      headers: auth,
    });
    const missing = await app.request(`${base}/projects/prj_9`);

    expect(anonymous.status).toBe(401);
    expect(removed.status).toBe(409);
    expect(missing.status).toBe(404);
  });

  it('passes the webhook query through and validates the URL', async () => {
    const { app, disabled } = setup();

    const ok = await app.request(
      `${base}/webhooks?repo=acme/app&url=${encodeURIComponent('https://hooks.example.com')}`,
      { method: 'DELETE', headers: auth },
    );
    const bad = await app.request(`${base}/webhooks`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ url: 'not a url' }),
    });

    expect(ok.status).toBe(200);
    expect(disabled).toEqual([{ repo: 'acme/app', url: 'https://hooks.example.com' }]);
    expect(bad.status).toBe(422);
  });
});

describe('POST /loops with issue_url', () => {
  it('accepts an issue URL alone and refuses it with repo, title or a bad URL', async () => {
    const service = new FakeService();
    const app = createApiApp({
      service,
      token,
      host: 'looper.test',
      port: 4321,
      version: '1',
      readsNeedToken: false,
    });
    const post = (body: unknown) =>
      app.request(`${base}/loops`, { method: 'POST', headers: auth, body: JSON.stringify(body) });

    const both = await post({ issue_url: 'https://github.com/a/b/issues/1', title: 'T' });
    const pull = await post({ issue_url: 'https://github.com/a/b/pull/1' });
    const neither = await post({});

    expect(both.status).toBe(422);
    expect(await both.json()).toMatchObject({
      error: { details: { issues: [{ path: 'title', message: 'not together with issue_url' }] } },
    });
    expect(pull.status).toBe(422);
    expect(neither.status).toBe(422);
    expect(await neither.json()).toMatchObject({
      error: {
        details: {
          issues: [
            { path: 'repo', message: 'required (or give issue_url)' },
            { path: 'title', message: 'required (or give issue_url)' },
          ],
        },
      },
    });
  });
});
