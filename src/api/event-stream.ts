// The SSE body of `GET /events/stream`: stored events after a cursor, then live ones, with no gap
// and no duplicate between the two (subscribe first, replay, then drop live ids already sent).
import type { EventView } from './dto.js';
import type { ApiLogger } from './errors.js';
import type { LooperService } from './service.js';
import type { StreamRegistry } from './stream-registry.js';

export interface EventStreamOptions {
  service: LooperService;
  /** Replay stored events with id > after; undefined means live events only. */
  after: number | undefined;
  loopId: string | undefined;
  keepAliveMs: number;
  registry: StreamRegistry;
  logger?: ApiLogger;
}

const replayPageSize = 500;
/** A client this far behind is cut off; it resumes with Last-Event-ID. */
const maxUnread = 10_000;

export function formatEvent(event: EventView): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export function createEventStream(options: EventStreamOptions): ReadableStream<Uint8Array> {
  const { service, loopId } = options;
  const encoder = new TextEncoder();
  let cursor = options.after ?? 0;
  let replaying = options.after !== undefined;
  let closed = false;
  const pending: EventView[] = [];
  let unsubscribe = (): void => {};
  let unregister = (): void => {};
  let keepAlive: NodeJS.Timeout | undefined;
  let controller: ReadableStreamDefaultController<Uint8Array>;

  const stop = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    unregister();
    clearInterval(keepAlive);
    pending.length = 0;
  };
  const end = (): void => {
    if (closed) return;
    stop();
    controller.close();
  };
  const write = (text: string): void => {
    if (closed) return;
    controller.enqueue(encoder.encode(text));
    if ((controller.desiredSize ?? 0) < -maxUnread) end();
  };
  const send = (event: EventView): void => {
    if (loopId !== undefined && event.loop_id !== loopId) return;
    if (event.id <= cursor) return;
    cursor = event.id;
    write(formatEvent(event));
  };
  const goLive = (): void => {
    replaying = false;
    for (const event of pending.splice(0)) send(event);
  };

  return new ReadableStream<Uint8Array>(
    {
      start(ctrl) {
        controller = ctrl;
        unregister = options.registry.add(end);
        if (closed) return; // The server is already shutting down.
        // Subscribe before reading the backlog so nothing stored in between is missed.
        unsubscribe = service.subscribe((event) => {
          if (closed) return;
          if (!replaying) return send(event);
          pending.push(event);
          if (pending.length > maxUnread) end();
        });
        keepAlive = setInterval(() => write(': keep-alive\n\n'), options.keepAliveMs);
        keepAlive.unref();
        // Sent at once so the client sees the response headers before the first event.
        write('retry: 3000\n\n');
      },
      // Replay one page per pull, so a slow reader paces the backlog instead of buffering it all.
      async pull() {
        if (!replaying || closed) return;
        try {
          const page = await service.listEvents({ after: cursor, loopId, limit: replayPageSize });
          const before = cursor;
          for (const event of page) send(event);
          if (page.length < replayPageSize || cursor === before) goLive();
        } catch (err) {
          options.logger?.warn({ err }, 'event replay failed; closing the stream');
          end();
        }
      },
      cancel() {
        stop();
      },
    },
    { highWaterMark: 64 },
  );
}
