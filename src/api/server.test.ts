import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiApp } from './app.js';
import type { EventView } from './dto.js';
import { FakeService } from './fake-service.test-support.js';
import { type ApiServer, startApiServer } from './server.js';

interface SseClient {
  next(): Promise<EventSourceMessage>;
  ended: Promise<void>;
}

/** Reads an SSE response with fetch + eventsource-parser, as the CLI does. */
async function openSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  const queue: EventSourceMessage[] = [];
  const waiters: Array<(event: EventSourceMessage) => void> = [];
  const parser = createParser({
    onEvent: (event) => {
      const waiter = waiters.shift();
      if (waiter) waiter(event);
      else queue.push(event);
    },
  });
  const body = res.body as ReadableStream<Uint8Array>;
  const ended = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of body) parser.feed(decoder.decode(chunk, { stream: true }));
  })();
  return {
    next: () => {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve) => waiters.push(resolve));
    },
    ended,
  };
}

let server: ApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('API server', () => {
  it('replays after Last-Event-ID, then streams live events without duplicates', async () => {
    const service = new FakeService();
    for (const loop of ['loop_a', 'loop_a', 'loop_b']) service.emit('loop.updated', loop);
    // An event stored while the backlog is being read is both replayed and published live.
    service.onListEvents = () => service.emit('loop.stage', 'loop_a', { stage: 'working' });
    const app = createApiApp({ service, token: 't0ken', host: '127.0.0.1', port: 0, version: '1' });
    server = await startApiServer(app, { host: '127.0.0.1', port: 0, graceMs: 60_000 });
    const url = `http://127.0.0.1:${server.port}/api/v1/events/stream`;

    const client = await openSse(url, { 'last-event-id': '1' });
    const replayed = [await client.next(), await client.next(), await client.next()];
    const live = service.emit('run.started', 'loop_b');
    const next = await client.next();

    expect(replayed.map((event) => event.id)).toEqual(['2', '3', '4']);
    expect(replayed[2]?.event).toBe('loop.stage');
    expect(JSON.parse(replayed[2]?.data ?? '{}') as EventView).toMatchObject({
      id: 4,
      loop_id: 'loop_a',
      data: { stage: 'working' },
    });
    expect(next.id).toBe(String(live.id));
    expect(next.event).toBe('run.started');

    // Closing the server ends the open stream instead of waiting for the client.
    await server.close();
    await client.ended;
    await service.noSubscribers();
    expect(service.listeners.size).toBe(0);
    // A close that waited for the 60 s grace period would fail this test's 10 s timeout.
  }, 10_000);

  it('refuses a Host that is not loopback on the bound port', async () => {
    const service = new FakeService();
    const app = createApiApp({ service, token: 't0ken', host: '127.0.0.1', port: 0, version: '1' });
    server = await startApiServer(app, { host: '127.0.0.1', port: 0 });

    const ok = await fetch(`http://localhost:${server.port}/api/v1/healthz`);
    expect(ok.status).toBe(200);
    const { request } = await import('node:http');
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server?.port,
          path: '/api/v1/healthz',
          headers: { host: 'evil.example' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});
