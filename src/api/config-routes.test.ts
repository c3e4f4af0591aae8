import { describe, expect, it } from 'vitest';
import { LooperError } from '../domain/index.js';
import { createApiApp } from './app.js';
import type { ConfigPatchView, ConfigView, PatchConfigRequest } from './config-dto.js';
import type { ConfigService } from './config-service.js';
import { FakeService } from './fake-service.test-support.js';

const token = 'test-token-0123456789';
const base = 'http://127.0.0.1:4321/api/v1';
const auth = { authorization: `Bearer ${token}` };

/** The seam double: keeps the patches it was given and refuses `server.port` strings. */
class FakeConfigService implements ConfigService {
  readonly patches: PatchConfigRequest[] = [];

  async getConfig(): Promise<ConfigView> {
    return {
      file: '/home/me/.looper/looper.toml',
      file_exists: true,
      config: { github: { token: '****' }, loop: { 'max-fix-rounds': 5 } },
      restart_required: false,
    };
  }

  async patchConfig(patch: PatchConfigRequest): Promise<ConfigPatchView> {
    const port = (patch.server as { port?: unknown } | undefined)?.port;
    if (typeof port === 'string') {
      throw new LooperError('config_invalid', 'looper.toml: server.port: expected a number', {
        details: {
          issues: [{ file: 'looper.toml', key: 'server.port', reason: 'expected a number' }],
        },
      });
    }
    this.patches.push(patch);
    return {
      file: '/home/me/.looper/looper.toml',
      created: false,
      changed: [{ key: 'loop.max-fix-rounds', value: 7, secret: false }],
      config: { loop: { 'max-fix-rounds': 7 } },
      restart_required: true,
      notes: [],
    };
  }
}

function setup(withConfig = true) {
  const config = new FakeConfigService();
  const app = createApiApp({
    service: new FakeService(),
    token,
    host: 'looper.test',
    port: 4321,
    version: '1.2.3',
    readsNeedToken: false,
    ...(withConfig ? { config } : {}),
  });
  return { app, config };
}

const patch = (body: string, headers: Record<string, string> = auth): RequestInit => ({
  method: 'PATCH',
  body,
  headers: { 'content-type': 'application/json', ...headers },
});

describe('GET /config', () => {
  it('answers the running configuration and its file', async () => {
    const { app } = setup();

    const res = await app.request(`${base}/config`);

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      data: {
        file: '/home/me/.looper/looper.toml',
        file_exists: true,
        config: { github: { token: '****' }, loop: { 'max-fix-rounds': 5 } },
        restart_required: false,
      },
    });
  });

  it('is not served without a config service', async () => {
    const { app } = setup(false);

    expect((await app.request(`${base}/config`)).status).toBe(404);
  });
});

describe('PATCH /config', () => {
  it('passes the merge patch on and answers the new config with restart_required', async () => {
    const { app, config } = setup();

    const res = await app.request(`${base}/config`, patch('{"loop":{"max-fix-rounds":7}}'));

    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ok: true,
      data: { changed: [{ key: 'loop.max-fix-rounds', value: 7 }], restart_required: true },
    });
    expect(config.patches).toEqual([{ loop: { 'max-fix-rounds': 7 } }]);
  });

  it('needs the bearer token', async () => {
    const { app, config } = setup();

    const res = await app.request(`${base}/config`, patch('{"loop":{}}', {}));

    expect(res.status).toBe(401);
    expect(config.patches).toEqual([]);
  });

  it('refuses a body that is no JSON object', async () => {
    const { app, config } = setup();

    const notJson = await app.request(`${base}/config`, patch('{loop'));
    const list = await app.request(`${base}/config`, patch('[1]'));

    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(list.status).toBe(422);
    expect(await list.json()).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(config.patches).toEqual([]);
  });

  it('answers 422 config_invalid with the issues when the service refuses', async () => {
    const { app } = setup();

    const res = await app.request(`${base}/config`, patch('{"server":{"port":"x"}}'));

    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      ok: false,
      error: {
        code: 'config_invalid',
        message: 'looper.toml: server.port: expected a number',
        details: {
          issues: [{ file: 'looper.toml', key: 'server.port', reason: 'expected a number' }],
        },
      },
    });
  });
});
