import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { stages } from '../domain/index.js';
import { type ApiApp, createApiApp } from './app.js';
import type { ConfigService } from './config-service.js';
import { FakeService, makeLoop } from './fake-service.test-support.js';
import type { MetricsSnapshot, NodeView } from './ops-dto.js';
import type { OpsService } from './ops-service.js';
import type { ProjectService } from './project-service.js';
import type { WebhookReceiver } from './webhooks.js';

const token = 'test-token-0123456789';
const base = 'http://127.0.0.1:4321/api/v1';
const auth = { authorization: `Bearer ${token}` };

function snapshot(overrides: Partial<MetricsSnapshot> = {}): MetricsSnapshot {
  const loopsByStage = Object.fromEntries(
    stages.map((s) => [s, 0]),
  ) as MetricsSnapshot['loopsByStage'];
  return {
    version: '1.2.3',
    nodeVersion: 'v20.0.0',
    loopsByStage: { ...loopsByStage, working: 2, ready: 1 },
    queueEntries: [
      { queue: 'manual', state: 'queued', count: 1 },
      { queue: 'auto', state: 'claimed', count: 3 },
    ],
    runs: [
      { role: 'worker', vendor: 'claude-code', status: 'running', count: 2 },
      { role: 'planner', vendor: 'we"ird\\vendor\n', status: 'succeeded', count: 5 },
    ],
    costUsd: 1.5,
    tokens: { input: 100, output: 20, cached: 7 },
    eventsTotal: 42,
    githubRateLimits: [],
    process: {
      residentMemoryBytes: 50_000_000,
      heapUsedBytes: 20_000_000,
      cpuUserSeconds: 1.25,
      cpuSystemSeconds: 0.5,
      startTimeSeconds: 1_700_000_000,
      uptimeSeconds: 60,
    },
    ...overrides,
  };
}

const node: NodeView = {
  id: 'node_a',
  name: 'host-a',
  version: '1.2.3',
  capacity: 2,
  started_at: '2030-01-01T00:00:00.000Z',
  heartbeat_at: '2030-01-01T00:00:15.000Z',
  stopped_at: null,
  alive: true,
  current: true,
};

class FakeOps implements OpsService {
  constructor(public current: MetricsSnapshot = snapshot()) {}
  async metrics() {
    return this.current;
  }
  async listNodes() {
    return [node];
  }
}

const unused = async (): Promise<never> => {
  throw new Error('not used in this test');
};
const projects: ProjectService = {
  listProjects: unused,
  getProject: unused,
  addProject: unused,
  removeProject: unused,
  webhookStatus: unused,
  enableWebhook: unused,
  disableWebhook: unused,
};
const config: ConfigService = { getConfig: unused, patchConfig: unused };
const webhooks: WebhookReceiver = { secret: 's3cret-value', receive: unused };

function setup(options: { ops?: OpsService; host?: string; everything?: boolean } = {}): ApiApp {
  return createApiApp({
    service: new FakeService(),
    token,
    host: options.host ?? '127.0.0.1',
    port: 4321,
    version: '1.2.3',
    ...(options.ops ? { ops: options.ops } : {}),
    ...(options.everything ? { projects, webhooks, config } : {}),
  });
}

function metricLines(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('GET /metrics', () => {
  it('answers Prometheus text with every stage, queue pair and the run counters', async () => {
    const app = setup({ ops: new FakeOps() });
    const res = await app.request(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(metricLines(text, 'looper_loops')).toHaveLength(stages.length);
    expect(text).toContain('looper_loops{stage="working"} 2\n');
    expect(text).toContain('looper_loops{stage="failed"} 0\n');
    expect(metricLines(text, 'looper_queue_entries')).toHaveLength(9);
    expect(text).toContain('looper_queue_entries{queue="auto",state="claimed"} 3\n');
    expect(text).toContain('looper_runs_running 2\n');
    // Running runs are a gauge; the counter holds finished ones (its series never go down).
    expect(text).not.toContain(
      'looper_runs_total{role="worker",vendor="claude-code",status="running"}',
    );
    // A label value from the store is escaped, so it cannot break the line or add labels.
    expect(text).toContain(
      'looper_runs_total{role="planner",vendor="we\\"ird\\\\vendor\\n",status="succeeded"} 5\n',
    );
    expect(text).toContain(
      '# TYPE looper_loop_cost_usd_total counter\nlooper_loop_cost_usd_total 1.5\n',
    );
    expect(text).toContain('looper_tokens_total{kind="cached"} 7\n');
    expect(text).toContain('looper_events_total 42\n');
    expect(text).toContain('looper_build_info{version="1.2.3",nodejs="v20.0.0"} 1\n');
    expect(text).toContain('process_resident_memory_bytes 50000000\n');
    expect(text).toContain('process_start_time_seconds 1700000000\n');
    expect(text).toContain('process_cpu_seconds_total 1.75\n');
    expect(text).toContain('looper_uptime_seconds 60\n');
    // No GitHub gateway has answered: no rate-limit series at all.
    expect(text).not.toContain('looper_github_rate_limit');
  });

  it('shows the GitHub rate limit the gateway last saw', async () => {
    const ops = new FakeOps(
      snapshot({
        githubRateLimits: [
          { resource: 'core', limit: 5000, remaining: 4990, resetAt: 1_700_000_600_000 },
        ],
      }),
    );
    const text = await (await setup({ ops }).request(`${base}/metrics`)).text();
    expect(text).toContain('looper_github_rate_limit_remaining{resource="core"} 4990\n');
    expect(text).toContain('looper_github_rate_limit_limit{resource="core"} 5000\n');
    expect(text).toContain(
      'looper_github_rate_limit_reset_timestamp_seconds{resource="core"} 1700000600\n',
    );
  });

  it('follows the read rules: the token is needed when bound beyond loopback', async () => {
    const app = setup({ ops: new FakeOps(), host: '0.0.0.0' });
    const url = 'http://0.0.0.0:4321/api/v1/metrics';
    const anonymous = await app.request(url);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect((await app.request(url, { headers: auth })).status).toBe(200);
  });

  it('is not served without the daemon behind it', async () => {
    const app = setup();
    for (const path of ['metrics', 'nodes']) {
      const res = await app.request(`${base}/${path}`);
      expect(res.status).toBe(404);
    }
  });
});

describe('GET /nodes', () => {
  it('lists the nodes in the envelope', async () => {
    const res = await setup({ ops: new FakeOps() }).request(`${base}/nodes`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, data: [node] });
  });
});

interface OpenApiDocument {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
}

async function openApi(app: ApiApp): Promise<OpenApiDocument> {
  const res = await app.request(`${base}/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as OpenApiDocument;
}

describe('GET /openapi.json', () => {
  it('documents exactly the routes the app registers, no more and no fewer', async () => {
    const app = setup({ ops: new FakeOps(), everything: true });
    const registered = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL')
        .filter((r) => r.path.startsWith('/api/') || r.path.startsWith('/webhooks/'))
        .map((r) => `${r.method.toLowerCase()} ${r.path}`),
    );
    const doc = await openApi(app);
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      ),
    );
    const missing = [...registered].filter((route) => !documented.has(route));
    const extra = [...documented].filter((route) => !registered.has(route));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    expect(registered.size).toBeGreaterThan(25);
  });

  it('is OpenAPI 3.1 whose schemas compile and describe what the routes answer', async () => {
    const app = setup({ ops: new FakeOps() });
    const doc = await openApi(app);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('1.2.3');
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addFormat('date-time', true);
    ajv.addSchema({ $id: 'doc', components: doc.components });
    for (const name of Object.keys(doc.components.schemas)) {
      expect(ajv.getSchema(`doc#/components/schemas/${name}`), name).toBeDefined();
    }
    const validate = (method: string, path: string, status: string, body: unknown) => {
      const response = doc.paths[path]?.[method]?.responses[status] as {
        content: Record<string, { schema: unknown }>;
      };
      const schema = JSON.parse(
        JSON.stringify(response.content['application/json']?.schema).replaceAll(
          '"#/components/',
          '"doc#/components/',
        ),
      );
      const check = ajv.compile(schema);
      expect(check(body), JSON.stringify(check.errors)).toBe(true);
    };
    const service = new FakeService();
    service.loops.set('loop_1', makeLoop('loop_1'));
    const withLoops = createApiApp({
      service,
      token,
      host: '127.0.0.1',
      port: 4321,
      version: '1.2.3',
      ops: new FakeOps(),
    });
    for (const [path, route] of [
      ['/api/v1/status', 'status'],
      ['/api/v1/loops', 'loops'],
      ['/api/v1/loops/{id}', 'loops/loop_1'],
      ['/api/v1/nodes', 'nodes'],
      ['/api/v1/healthz', 'healthz'],
    ] as const) {
      const res = await withLoops.request(`${base}/${route}`);
      expect(res.status).toBe(200);
      validate('get', path, '200', await res.json());
    }
    const missing = await withLoops.request(`${base}/loops/nope`);
    validate('get', '/api/v1/loops/{id}', '404', await missing.json());
  });

  it('generates request schemas from the zod schemas the routes validate with', async () => {
    const doc = (await openApi(setup())) as unknown as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const create = doc.paths['/api/v1/loops']?.post as {
      requestBody: { required: boolean; content: Record<string, { schema: unknown }> };
      security: unknown;
    };
    expect(create.requestBody.required).toBe(true);
    expect(create.requestBody.content['application/json']?.schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      properties: { vendor: { enum: expect.arrayContaining(['claude-code', 'codex']) } },
    });
    expect(create.security).toEqual([{ bearer: [] }]);
    const retry = doc.paths['/api/v1/loops/{id}/retry']?.post as {
      requestBody: { required: boolean };
      parameters: { name: string; in: string }[];
      responses: Record<string, unknown>;
    };
    expect(retry.requestBody.required).toBe(false);
    expect(retry.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    expect(Object.keys(retry.responses).sort()).toEqual(
      ['200', '400', '401', '403', '404', '409', '422', '500'].sort(),
    );
    const list = doc.paths['/api/v1/loops']?.get as {
      parameters: { name: string; in: string; required: boolean; schema: unknown }[];
    };
    expect(list.parameters).toContainEqual({
      name: 'limit',
      in: 'query',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    });
    const hook = doc.paths['/webhooks/github']?.post as { security: unknown };
    expect(hook.security).toEqual([{ githubSignature: [] }]);
  });
});
