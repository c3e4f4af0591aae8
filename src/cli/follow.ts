// Follows one loop live over `GET /events/stream?loop=<id>` (fetch + eventsource-parser, resuming
// with Last-Event-ID after a drop) until the loop reaches a terminal stage; returns its final view.
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { EventView, LoopView } from '../api/index.js';
import { type Clock, isStage, isTerminalStage, LooperError } from '../domain/index.js';
import type { ApiClient } from './client.js';

export interface FollowLoopOptions {
  client: ApiClient;
  loopId: string;
  /** Called for every event of the loop, in order, without duplicates across reconnects. */
  onEvent?: (event: EventView) => void;
  /** Replay the loop's stored events after this id first (default 0: all of them). */
  after?: number;
  signal?: AbortSignal;
  clock?: Clock;
  /** First wait before a reconnect; doubles up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Give up when the daemon has been unreachable this long. */
  giveUpAfterMs?: number;
}

const systemClock: Clock = { now: () => Date.now() };

/** Resolves with the loop's view once its stage is terminal (ready, merged, needs_human, failed, cancelled). */
export async function followLoop(options: FollowLoopOptions): Promise<LoopView> {
  const clock = options.clock ?? systemClock;
  const firstDelay = options.retryDelayMs ?? 250;
  const maxDelay = options.maxRetryDelayMs ?? 5_000;
  const giveUpAfterMs = options.giveUpAfterMs ?? 60_000;
  const cursor: Cursor = { lastEventId: undefined, seen: 0 };
  let failingSince: number | undefined;
  let retryDelay = firstDelay;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const final = await followOnce(options, cursor, () => {
        failingSince = undefined;
        retryDelay = firstDelay;
      });
      if (final !== undefined) return final;
    } catch (error) {
      if (options.signal?.aborted === true) throw error;
      if (!isRetryable(error)) throw error;
      failingSince ??= clock.now();
      if (clock.now() - failingSince >= giveUpAfterMs) throw error;
    }
    await delay(retryDelay, options.signal);
    retryDelay = Math.min(retryDelay * 2, maxDelay);
  }
}

interface Cursor {
  lastEventId: string | undefined;
  /** Highest numeric event id delivered, so a replay after reconnect is not printed twice. */
  seen: number;
}

/** One connection: resolves with the final view, or undefined when the stream ended early. */
async function followOnce(
  options: FollowLoopOptions,
  cursor: Cursor,
  onConnected: () => void,
): Promise<LoopView | undefined> {
  const connection = new AbortController();
  const abort = () => connection.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (cursor.lastEventId !== undefined) headers['last-event-id'] = cursor.lastEventId;
    // Last-Event-ID wins over `after` on the server, so a reconnect resumes where the drop was.
    const after = options.after ?? 0;
    const path = `/events/stream?loop=${encodeURIComponent(options.loopId)}&after=${after}`;
    const response = await options.client.stream(path, { signal: connection.signal, headers });
    onConnected();
    // Checked after connecting: a loop that ended before the stream opened sends nothing more.
    const current = await options.client.getLoop(options.loopId);
    if (isTerminalStage(current.stage)) return current;
    if (response.body === null) return undefined;
    return await consume(response.body, options, cursor);
  } finally {
    options.signal?.removeEventListener('abort', abort);
    connection.abort();
  }
}

async function consume(
  body: ReadableStream<Uint8Array>,
  options: FollowLoopOptions,
  cursor: Cursor,
): Promise<LoopView | undefined> {
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => pending.push(message) });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    while (pending.length > 0) {
      const message = pending.shift() as EventSourceMessage;
      if (message.id !== undefined) cursor.lastEventId = message.id;
      const event = toEventView(message);
      if (event === undefined || !isNew(event, cursor)) continue;
      options.onEvent?.(event);
      if (!mayEndLoop(event)) continue;
      const loop = await options.client.getLoop(options.loopId);
      if (isTerminalStage(loop.stage)) return loop;
    }
  }
  return undefined;
}

function isNew(event: EventView, cursor: Cursor): boolean {
  if (!Number.isFinite(event.id) || event.id <= 0) return true;
  if (event.id <= cursor.seen) return false;
  cursor.seen = event.id;
  return true;
}

/** The event in an SSE message: its data is an EventView (the SSE `event:` names its type). */
export function toEventView(message: EventSourceMessage): EventView | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message.data);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Partial<EventView>;
  const type = typeof record.type === 'string' ? record.type : message.event;
  if (type === undefined) return undefined;
  return {
    id: typeof record.id === 'number' ? record.id : Number(message.id ?? 0),
    at: typeof record.at === 'string' ? record.at : new Date().toISOString(),
    type,
    loop_id: record.loop_id ?? null,
    run_id: record.run_id ?? null,
    data: typeof record.data === 'object' && record.data !== null ? record.data : {},
  };
}

/** Agent output is chatty and never ends a loop; anything else may, so the loop is re-read. */
export function isAgentActivity(event: EventView): boolean {
  return event.type === 'run.activity';
}

/** Only a stage change to a terminal stage ends a loop (the replay from `after` never misses it). */
function mayEndLoop(event: EventView): boolean {
  const stage = event.type === 'loop.stage' ? stageIn(event) : undefined;
  return stage !== undefined && isTerminalStage(stage);
}

/** The stage an event moves the loop to, when it says so (`data.to` or `data.stage`). */
export function stageIn(event: EventView): ReturnType<typeof asStage> {
  return asStage(event.data.to) ?? asStage(event.data.stage);
}

function asStage(value: unknown) {
  return typeof value === 'string' && isStage(value) ? value : undefined;
}

function isRetryable(error: unknown): boolean {
  if (!(error instanceof LooperError)) return true; // a dropped body stream: reconnect
  return error.code === 'daemon_unreachable' || error.code === 'internal';
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      done();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      fail(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
