import { afterEach, describe, expect, it } from 'vitest';
import { LooperError } from '../domain/index.js';
import { ApiClient } from './client.js';
import {
  closedPort,
  sampleLoop,
  sendData,
  sendJson,
  startTestServer,
  type TestServer,
} from './test-server.test-support.js';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function caught(promise: Promise<unknown>): Promise<LooperError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LooperError) return error;
    throw error;
  }
  throw new Error('expected a LooperError');
}

describe('ApiClient', () => {
  it('unwraps the data of an {ok:true} envelope', async () => {
    server = await startTestServer((request, res) => {
      if (request.url === '/api/v1/loops/loop_1') sendData(res, sampleLoop());
      else sendJson(res, 404, { ok: false, error: { code: 'not_found', message: 'nope' } });
    });
    const client = new ApiClient({ baseUrl: server.url });

    const loop = await client.getLoop('loop_1');

    expect(loop.id).toBe('loop_1');
    expect(loop.stage).toBe('working');
  });

  it("turns {ok:false} into a LooperError with the server's code, message and details", async () => {
    server = await startTestServer((_request, res) => {
      sendJson(res, 422, {
        ok: false,
        error: {
          code: 'validation_failed',
          message: 'invalid request body',
          details: { issues: [{ path: 'title', message: 'Too small' }] },
        },
      });
    });
    const client = new ApiClient({ baseUrl: server.url });

    const error = await caught(client.createLoop({ repo: '/x', title: '', body: '' }));

    expect(error.code).toBe('validation_failed');
    expect(error.message).toBe('invalid request body');
    expect(error.details).toEqual({ issues: [{ path: 'title', message: 'Too small' }] });
    expect(error.exitCode).toBe(2);
  });

  it('turns a 401 into LooperError unauthorized naming where the token came from', async () => {
    server = await startTestServer((_request, res) => {
      sendJson(res, 401, { ok: false, error: { code: 'unauthorized', message: 'bad token' } });
    });
    const client = new ApiClient({
      baseUrl: server.url,
      token: async () => 'wrong',
      tokenSource: '/data/token',
    });

    const error = await caught(client.cancelLoop('loop_1'));

    expect(error.code).toBe('unauthorized');
    expect(error.message).toContain('bad token');
    expect(error.message).toContain('/data/token');
    expect(error.exitCode).toBe(1);
  });

  it('sends the bearer token and a JSON body on writes', async () => {
    server = await startTestServer((_request, res) => sendData(res, sampleLoop()));
    const client = new ApiClient({ baseUrl: server.url, token: async () => 'sekret' });

    await client.createLoop({ repo: '/x', title: 'T', body: 'B', checks: ['npm test'] });

    const request = server.requests[0];
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/api/v1/loops');
    expect(request?.headers.authorization).toBe('Bearer sekret');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      repo: '/x',
      title: 'T',
      body: 'B',
      checks: ['npm test'],
    });
  });

  it('reports an answer that is no envelope as an internal error with the status', async () => {
    server = await startTestServer((_request, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>bad gateway</html>');
    });
    const client = new ApiClient({ baseUrl: server.url });

    const error = await caught(client.status());

    expect(error.code).toBe('internal');
    expect(error.message).toContain('HTTP 502');
  });

  it('keeps an error code it does not know in the details', async () => {
    server = await startTestServer((_request, res) => {
      sendJson(res, 429, { ok: false, error: { code: 'rate_limited', message: 'slow down' } });
    });
    const client = new ApiClient({ baseUrl: server.url });

    const error = await caught(client.status());

    expect(error.code).toBe('internal');
    expect(error.message).toBe('slow down');
    expect(error.details).toMatchObject({ code: 'rate_limited', status: 429 });
  });

  it('turns a refused connection into daemon_unreachable with a hint', async () => {
    const port = await closedPort();
    const client = new ApiClient({ baseUrl: `http://127.0.0.1:${port}` });

    const error = await caught(client.status());

    expect(error.code).toBe('daemon_unreachable');
    expect(error.message).toBe(
      `no daemon answers at http://127.0.0.1:${port}; start one with \`looper daemon start\``,
    );
    expect(await client.healthy()).toBe(false);
  });

  it('reads a run log as text and encodes ids in paths', async () => {
    server = await startTestServer((request, res) => {
      if (request.url === '/api/v1/runs/run_1/log') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('line 1\nline 2\n');
      } else sendJson(res, 404, { ok: false, error: { code: 'not_found', message: 'no run' } });
    });
    const client = new ApiClient({ baseUrl: `${server.url}/` });

    expect(await client.runLog('run_1')).toBe('line 1\nline 2\n');
    expect((await caught(client.runLog('run 2'))).code).toBe('not_found');
    expect(server.requests[1]?.url).toBe('/api/v1/runs/run%202/log');
  });
});
