import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { type ApiApp, createApiApp } from './app.js';
import { FakeService, makeLoop, makeRun } from './fake-service.test-support.js';

const token = 'test-token-0123456789';
const base = 'http://127.0.0.1:4321/api/v1';
const auth = { authorization: `Bearer ${token}` };

function setup(overrides: { logPollMs?: number; keepAliveMs?: number } = {}): {
  app: ApiApp;
  service: FakeService;
} {
  const service = new FakeService();
  const app = createApiApp({
    service,
    token,
    host: 'looper.test',
    port: 4321,
    version: '1.2.3',
    readsNeedToken: false,
    ...overrides,
  });
  return { app, service };
}

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

function post(body: string, headers: Record<string, string> = auth): RequestInit {
  return { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } };
}

describe('API basics', () => {
  it('answers healthz without auth', async () => {
    const { app } = setup();
    const res = await app.request(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ ok: true, data: { status: 'ok', version: '1.2.3' } });
  });

  it('serves reads without a token', async () => {
    const { app } = setup();
    const res = await app.request(`${base}/status`);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ ok: true, data: { version: '1.2.3' } });
  });

  it('creates a loop with 201 and passes list filters through', async () => {
    const { app, service } = setup();
    const res = await app.request(`${base}/loops`, post('{"repo":"/tmp/r","title":"Do it"}'));
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ ok: true, data: { id: 'loop_1', title: 'Do it' } });

    const list = await app.request(`${base}/loops?active=true&limit=5`);
    expect(list.status).toBe(200);
    expect(service.loopFilters).toEqual([{ active: true, limit: 5 }]);
  });

  it('answers an unknown route with a 404 envelope', async () => {
    const { app } = setup();
    for (const url of [`${base}/nope`, 'http://127.0.0.1:4321/elsewhere']) {
      const res = await app.request(url);
      expect(res.status).toBe(404);
      expect(await json(res)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    }
  });
});

describe('API guards', () => {
  it('needs the token for reads too when bound beyond loopback (healthz stays open)', async () => {
    const service = new FakeService();
    const exposed = createApiApp({ service, token, host: '0.0.0.0', port: 4321, version: '1' });
    const url = 'http://0.0.0.0:4321/api/v1';
    expect((await exposed.request(`${url}/status`)).status).toBe(401);
    expect((await exposed.request(`${url}/status`, { headers: auth })).status).toBe(200);
    expect((await exposed.request(`${url}/healthz`)).status).toBe(200);
    const local = createApiApp({ service, token, host: '127.0.0.1', port: 4321, version: '1' });
    expect((await local.request('http://127.0.0.1:4321/api/v1/status')).status).toBe(200);
  });

  it('refuses a write without a token or with a wrong one', async () => {
    const { app, service } = setup();
    const body = '{"repo":"/tmp/r","title":"x"}';
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: token },
    ];
    for (const headers of attempts) {
      const res = await app.request(`${base}/loops`, post(body, headers));
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await json(res)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    }
    expect(service.loops.size).toBe(0);
  });

  it('refuses a foreign Host header with 403, even on healthz', async () => {
    const { app } = setup();
    for (const host of ['evil.example:4321', '127.0.0.1:9999']) {
      const res = await app.request(`${base}/healthz`, { headers: { host } });
      expect(res.status).toBe(403);
      expect(await json(res)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
  });

  it('accepts the loopback names and the configured host on the configured port', async () => {
    const { app } = setup();
    for (const host of ['localhost:4321', '[::1]:4321', 'looper.test:4321', '127.0.0.1:4321']) {
      const res = await app.request(`${base}/healthz`, { headers: { host } });
      expect(res.status).toBe(200);
    }
  });
});

describe('API errors', () => {
  it('rejects a bad loop body with 422 and the issues', async () => {
    const { app } = setup();
    const res = await app.request(`${base}/loops`, post('{"repo":"","title":7,"extra":1}'));
    expect(res.status).toBe(422);
    const body = (await json(res)) as { error: { code: string; details: { issues: unknown[] } } };
    expect(body.error.code).toBe('validation_failed');
    const paths = body.error.details.issues.map((issue) => (issue as { path: string }).path);
    expect(paths).toEqual(expect.arrayContaining(['repo', 'title']));
  });

  it('rejects a bad query with 422', async () => {
    const { app } = setup();
    const res = await app.request(`${base}/loops?limit=many`);
    expect(res.status).toBe(422);
    expect(await json(res)).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('rejects malformed JSON with 400', async () => {
    const { app } = setup();
    const res = await app.request(`${base}/loops`, post('{"repo": '));
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('rejects an oversized body with 400', async () => {
    const service = new FakeService();
    const options = { service, token, host: 'h', port: 4321, version: '1', maxBodyBytes: 64 };
    const app = createApiApp(options);
    const body = JSON.stringify({ repo: 'x'.repeat(200), title: 't' });
    const res = await app.request(`${base}/loops`, post(body));
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: { code: 'bad_request' } });
    expect(service.loops.size).toBe(0);
  });

  it('maps LooperError codes to their HTTP status', async () => {
    const { app, service } = setup();
    service.loops.set('loop_done', makeLoop('loop_done', { stage: 'merged' }));

    const missing = await app.request(`${base}/loops/loop_missing`);
    expect(missing.status).toBe(404);
    expect(await json(missing)).toMatchObject({ error: { code: 'not_found' } });

    const cancel = await app.request(`${base}/loops/loop_done/cancel`, post('', auth));
    expect(cancel.status).toBe(409);
    expect(await json(cancel)).toMatchObject({ error: { code: 'invalid_transition' } });
  });

  it('hides unexpected errors behind a 500 internal envelope', async () => {
    const { app, service } = setup();
    service.statusError = new Error('secret detail at /home/someone');
    const res = await app.request(`${base}/status`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      ok: false,
      error: { code: 'internal', message: 'internal error' },
    });
    expect(text).not.toContain('secret');
  });

  it('accepts a shutdown request with the token and asks the service', async () => {
    const { app, service } = setup();
    const res = await app.request(`${base}/shutdown`, post('', auth));
    expect(res.status).toBe(202);
    await service.shutdownCalled;
  });
});

describe('run logs', () => {
  function logFixture(): { app: ApiApp; service: FakeService; log: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
    const log = path.join(dir, 'run_1.log');
    fs.writeFileSync(log, 'line 1\n');
    const { app, service } = setup({ logPollMs: 10 });
    service.runs.set('run_1', makeRun('run_1', log));
    return { app, service, log };
  }

  it('returns the log as text', async () => {
    const { app } = logFixture();
    const res = await app.request(`${base}/runs/run_1/log`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toBe('line 1\n');
  });

  it('follows appended output until the run stops running', async () => {
    const { app, service, log } = logFixture();
    const res = await app.request(`${base}/runs/run_1/log?follow=1`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string): Promise<void> => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}`);
        text += decoder.decode(value, { stream: true });
      }
    };

    await readUntil('line 1\n');
    fs.appendFileSync(log, 'line 2\n');
    await readUntil('line 2\n');
    fs.appendFileSync(log, 'line 3\n');
    service.runs.set('run_1', makeRun('run_1', log, { status: 'succeeded' }));
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }

    expect(text).toBe('line 1\nline 2\nline 3\n');
  });
});

describe('event stream in-process', () => {
  it('sends keep-alive comments and only the requested loop', async () => {
    const { app, service } = setup({ keepAliveMs: 10 });
    service.emit('loop.created', 'loop_a');
    service.emit('loop.created', 'loop_b');
    const res = await app.request(`${base}/events/stream?after=0&loop=loop_b`);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const ids: string[] = [];
    const comments: string[] = [];
    const parser = createParser({
      onEvent: (event) => ids.push(event.id ?? ''),
      onComment: (comment) => comments.push(comment.trim()),
    });
    const decoder = new TextDecoder();

    while (!comments.includes('keep-alive') || ids.length === 0) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended early');
      parser.feed(decoder.decode(value, { stream: true }));
    }
    await reader.cancel();

    expect(ids).toEqual(['2']);
    await service.noSubscribers();
  });
});
