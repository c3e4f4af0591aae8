// E2E helpers that wait on the daemon instead of sleeping: the API with the envelope unwrapped,
// the SSE event stream read until a condition holds, a file appearing (fs.watch), and a last-resort
// bounded poll for state that has no event.
import fs from 'node:fs';
import path from 'node:path';
import type { EventView } from '../../src/api/index.js';
import type { LooperEnv } from './looper-harness.js';

export const terminalStages = new Set(['ready', 'merged', 'needs_human', 'failed', 'cancelled']);

export interface ApiAnswer<T> {
  status: number;
  ok: boolean;
  data: T;
  error?: { code: string; message: string; details?: unknown };
}

export async function apiCall<T>(
  env: LooperEnv,
  method: 'GET' | 'POST',
  route: string,
  body?: unknown,
): Promise<ApiAnswer<T>> {
  const response = await fetch(`${env.url}/api/v1${route}`, {
    method,
    headers: {
      authorization: `Bearer ${env.token()}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const envelope = (await response.json()) as {
    ok: boolean;
    data: T;
    error?: ApiAnswer<T>['error'];
  };
  return { status: response.status, ...envelope };
}

export async function api<T>(env: LooperEnv, route: string): Promise<T> {
  const answer = await apiCall<T>(env, 'GET', route);
  if (!answer.ok) throw new Error(`GET ${route}: ${JSON.stringify(answer)}`);
  return answer.data;
}

/**
 * Reads `GET /events/stream` from `after` (every loop, or one) and hands each event to `until`;
 * resolves with the events read once `until` returns true.
 */
export async function readEvents(
  env: LooperEnv,
  options: { loopId?: string; after?: number; signal?: AbortSignal },
  until: (event: EventView) => boolean,
): Promise<EventView[]> {
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const query = new URLSearchParams({ after: String(options.after ?? 0) });
  if (options.loopId) query.set('loop', options.loopId);
  const events: EventView[] = [];
  try {
    const response = await fetch(`${env.url}/api/v1/events/stream?${query}`, {
      headers: { authorization: `Bearer ${env.token()}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (!response.ok || !response.body) throw new Error(`event stream: HTTP ${response.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        const data = frame
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice('data: '.length))
          .join('\n');
        if (data === '') continue;
        const event = JSON.parse(data) as EventView;
        events.push(event);
        if (until(event)) return events;
      }
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    controller.abort();
  }
  throw new Error('the event stream ended before the awaited event');
}

/** Resolves with the loop's events once it reaches `stage` (any terminal stage when omitted). */
export function waitForStage(
  env: LooperEnv,
  loopId: string,
  stage?: string,
  after = 0,
): Promise<EventView[]> {
  return readEvents(env, { loopId, after }, (event) => {
    if (event.type !== 'loop.stage') return false;
    const to = String(event.data.to);
    if (stage === undefined) return terminalStages.has(to);
    if (to === stage) return true;
    if (terminalStages.has(to)) throw new Error(`loop ${loopId} ended ${to}, not ${stage}`);
    return false;
  });
}

/** Resolves once `file` exists (watching its directory; no polling). */
export function waitForFile(file: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const watcher = fs.watch(path.dirname(file));
    const done = (error?: Error) => {
      clearTimeout(timer);
      watcher.close();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(
      () => done(new Error(`${file} did not appear within ${timeoutMs} ms`)),
      timeoutMs,
    );
    watcher.on('change', () => {
      if (fs.existsSync(file)) done();
    });
    watcher.on('error', (error) => done(error));
    if (fs.existsSync(file)) done();
  });
}

/** For state with no event (a process group dying, a queue entry settling): a bounded poll. */
export async function eventually<T>(
  read: () => Promise<T> | T,
  ok: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
