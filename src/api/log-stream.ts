// The body of `GET /runs/:id/log`: the run's log file, and with `follow` the bytes appended to it
// (polled on an interval, like `tail -f`) until the run stops running or the client leaves.
import fs from 'node:fs/promises';
import type { StreamRegistry } from './stream-registry.js';

export interface LogStreamOptions {
  path: string;
  follow: boolean;
  pollMs: number;
  /** Asked between polls; once false, the rest of the file is sent and the stream ends. */
  isRunning: () => Promise<boolean>;
  registry: StreamRegistry;
}

const chunkBytes = 64 * 1024;

export function createLogStream(options: LogStreamOptions): ReadableStream<Uint8Array> {
  let file: fs.FileHandle | undefined;
  let offset = 0;
  let closed = false;
  let finished = !options.follow;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let controller: ReadableStreamDefaultController<Uint8Array>;
  let unregister = (): void => {};

  const stop = (): void => {
    if (closed) return;
    closed = true;
    unregister();
    clearTimeout(timer);
    wake?.();
    void file?.close().catch(() => {
      // Closing a read-only handle cannot lose data; nothing to report.
    });
  };
  const end = (): void => {
    if (closed) return;
    stop();
    controller.close();
  };

  const readMore = async (): Promise<Uint8Array | null> => {
    if (!file) {
      try {
        file = await fs.open(options.path, 'r');
      } catch {
        return null; // Not written yet: the run may not have produced output.
      }
    }
    const buffer = Buffer.alloc(chunkBytes);
    const { bytesRead } = await file.read(buffer, 0, chunkBytes, offset);
    if (bytesRead === 0) return null;
    offset += bytesRead;
    return buffer.subarray(0, bytesRead);
  };
  const pause = (): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, options.pollMs);
    });
  const stillRunning = async (): Promise<boolean> => {
    try {
      return await options.isRunning();
    } catch {
      return false; // The run is gone: nothing more will be written for it.
    }
  };

  return new ReadableStream<Uint8Array>({
    start(ctrl) {
      controller = ctrl;
      unregister = options.registry.add(end);
    },
    async pull() {
      try {
        while (!closed) {
          const chunk = await readMore();
          if (closed) return;
          if (chunk) {
            controller.enqueue(chunk);
            return;
          }
          if (finished) return end();
          // Check before waiting; once it stops, loop once more to send what it wrote last.
          finished = !(await stillRunning());
          if (!finished) await pause();
        }
      } catch (err) {
        if (closed) return;
        stop();
        controller.error(err);
      }
    },
    cancel() {
      stop();
    },
  });
}
