import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventView, LoopView } from '../api/index.js';
import { ApiClient } from './client.js';
import { followLoop } from './follow.js';
import {
  sampleLoop,
  sendData,
  sseFrame,
  startTestServer,
  type TestServer,
} from './test-server.test-support.js';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function frame(id: number, type: string, data: Record<string, unknown>): string {
  return sseFrame({ id, type, data });
}

function openStream(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write('retry: 3000\n\n');
}

/** A fake daemon: `GET /loops/loop_1` answers `loop`; `onStream` runs per stream connection. */
async function fakeDaemon(
  loop: { current: LoopView },
  onStream: (res: http.ServerResponse, connection: number, req: http.IncomingMessage) => void,
  onLoopRead: (count: number) => void = () => undefined,
): Promise<TestServer> {
  let streams = 0;
  let reads = 0;
  return startTestServer((request, res, req) => {
    if (request.url.startsWith('/api/v1/events/stream')) {
      streams += 1;
      onStream(res, streams, req);
      return;
    }
    if (request.url === '/api/v1/loops/loop_1') {
      reads += 1;
      sendData(res, loop.current);
      onLoopRead(reads);
      return;
    }
    res.writeHead(404).end();
  });
}

describe('followLoop', () => {
  it('reports each event and stops once the loop reaches a terminal stage', async () => {
    const loop = { current: sampleLoop({ stage: 'working' }) };
    let stream: http.ServerResponse | undefined;
    let closed!: Promise<void>;
    server = await fakeDaemon(
      loop,
      (res, _n, req) => {
        stream = res;
        closed = new Promise((done) => req.socket.once('close', () => done()));
        openStream(res);
      },
      (reads) => {
        // After the follower's first read the loop moves on and says so on the stream; only the
        // terminal stage change makes it read again.
        if (stream === undefined || reads !== 1) return;
        stream.write(frame(1, 'loop.stage', { from: 'working', to: 'checking' }));
        loop.current = sampleLoop({ stage: 'ready', finished_at: '2025-01-01T00:09:00.000Z' });
        stream.write(frame(2, 'run.activity', { kind: 'text', text: 'running tests' }));
        stream.write(frame(3, 'loop.stage', { from: 'checking', to: 'ready' }));
      },
    );
    const seen: EventView[] = [];

    const final = await followLoop({
      client: new ApiClient({ baseUrl: server.url }),
      loopId: 'loop_1',
      onEvent: (event) => seen.push(event),
    });

    expect(final.stage).toBe('ready');
    expect(seen.map((event) => [event.id, event.type])).toEqual([
      [1, 'loop.stage'],
      [2, 'run.activity'],
      [3, 'loop.stage'],
    ]);
    expect(seen[0]?.data).toEqual({ from: 'working', to: 'checking' });
    await closed; // the follower hung up the stream
    expect(server.requests[0]?.url).toBe('/api/v1/events/stream?loop=loop_1&after=0');
  });

  it('reconnects with Last-Event-ID after the stream drops and does not repeat events', async () => {
    const loop = { current: sampleLoop({ stage: 'planning' }) };
    const lastEventIds: (string | undefined)[] = [];
    const streams: http.ServerResponse[] = [];
    let fedSecond = false;
    server = await fakeDaemon(
      loop,
      (res, _connection, req) => {
        lastEventIds.push(req.headers['last-event-id'] as string | undefined);
        openStream(res);
        streams.push(res);
      },
      (reads) => {
        const [first, second] = streams;
        if (reads === 1 && first !== undefined) {
          loop.current = sampleLoop({ stage: 'working' });
          first.write(frame(1, 'loop.stage', { to: 'working' }));
          first.end(); // the drop
        } else if (second !== undefined && !fedSecond) {
          fedSecond = true;
          // The second connection repeats event 1 (a server may) and brings the end.
          second.write(frame(1, 'loop.stage', { to: 'working' }));
          loop.current = sampleLoop({ stage: 'needs_human', reason: 'max-fix-rounds reached' });
          second.write(frame(2, 'loop.stage', { to: 'needs_human' }));
        }
      },
    );
    const seen: number[] = [];

    const final = await followLoop({
      client: new ApiClient({ baseUrl: server.url }),
      loopId: 'loop_1',
      onEvent: (event) => seen.push(event.id),
      retryDelayMs: 10,
    });

    expect(final.stage).toBe('needs_human');
    expect(final.reason).toBe('max-fix-rounds reached');
    expect(lastEventIds).toEqual([undefined, '1']);
    expect(seen).toEqual([1, 2]);
  });

  it('returns at once when the loop ended before the stream opened', async () => {
    const loop = { current: sampleLoop({ stage: 'merged' }) };
    server = await fakeDaemon(loop, (res) => {
      openStream(res);
      res.write(': keep-alive\n\n');
    });
    const seen: EventView[] = [];

    const final = await followLoop({
      client: new ApiClient({ baseUrl: server.url }),
      loopId: 'loop_1',
      onEvent: (event) => seen.push(event),
    });

    expect(final.stage).toBe('merged');
    expect(seen).toEqual([]);
  });

  it('fails with the server error when the loop does not exist', async () => {
    server = await startTestServer((request, res) => {
      if (request.url.startsWith('/api/v1/events/stream')) return openStream(res);
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ ok: false, error: { code: 'not_found', message: 'no loop loop_1' } }),
      );
    });

    await expect(
      followLoop({ client: new ApiClient({ baseUrl: server.url }), loopId: 'loop_1' }),
    ).rejects.toMatchObject({ code: 'not_found', message: 'no loop loop_1' });
  });
});
