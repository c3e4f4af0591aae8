// The daemon's structured log: pino JSON to <data-dir>/logs/looperd.log, secrets redacted.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { destination, type Logger, pino } from 'pino';

export type { Logger };

export function createLogger(dataDir: string, secrets: string[], level = 'info'): Logger {
  const dir = join(dataDir, 'logs');
  mkdirSync(dir, { recursive: true });
  const stream = destination({
    dest: join(dir, 'looperd.log'),
    append: true,
    mkdir: true,
    sync: false,
  });
  const values = secrets.filter((s) => s.length >= 6);
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: {
        paths: [
          'token',
          '*.token',
          'authorization',
          '*.authorization',
          'headers.authorization',
          'secret',
          '*.secret',
        ],
        censor: '****',
      },
      hooks: {
        streamWrite: (line: string) =>
          values.reduce((text, value) => text.split(value).join('****'), line),
      },
    },
    stream,
  );
}
