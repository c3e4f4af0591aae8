import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { follow, tailLines } from './daemon-logs.js';
import { renderLogLine } from './log-line.js';
import { tempDir } from './test-server.test-support.js';

describe('renderLogLine', () => {
  it('renders a pino line as time, level, message and fields', () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.UTC(2030, 0, 2, 3, 4, 5, 6),
      pid: 77,
      hostname: 'h',
      msg: 'agent exited abnormally',
      loopId: 'loop_1',
      reason: 'out of time',
      exitCode: 3,
      data: { a: 1 },
    });
    expect(renderLogLine(line)).toBe(
      '2030-01-02 03:04:05.006Z WARN  agent exited abnormally loopId=loop_1 reason="out of time" exitCode=3 data={"a":1}',
    );
  });

  it("shows an error's message inline and its stack below", () => {
    const line = JSON.stringify({
      level: 50,
      time: 0,
      msg: 'failed',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x (y.js:1:1)' },
    });
    expect(renderLogLine(line).split('\n')).toEqual([
      '1970-01-01 00:00:00.000Z ERROR failed err="boom"',
      '    Error: boom',
      '        at x (y.js:1:1)',
    ]);
  });

  it('leaves lines that are not pino JSON as they are', () => {
    expect(renderLogLine('looperd 1.0.0 listening on http://127.0.0.1:7391')).toBe(
      'looperd 1.0.0 listening on http://127.0.0.1:7391',
    );
    expect(renderLogLine('[1,2]')).toBe('[1,2]');
  });
});

describe('reading the log file', () => {
  it('takes the last N complete lines, across chunk boundaries and multi-byte characters', async () => {
    const file = path.join(tempDir(), 'looperd.log');
    const lines = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'é'.repeat(i % 50)}`);
    fs.writeFileSync(file, `${lines.join('\n')}\npartial`);
    const size = fs.statSync(file).size;
    expect(await tailLines(file, size, 2500)).toEqual({
      lines: lines.slice(-2500),
      partial: 'partial',
    });
    expect(await tailLines(file, size, 0)).toEqual({ lines: [], partial: 'partial' });
    expect(await tailLines(file, 0, 5)).toEqual({ lines: [], partial: '' });
  });

  it('follows appended lines, completing a partial one, until aborted', async () => {
    const file = path.join(tempDir(), 'looperd.log');
    fs.writeFileSync(file, 'old\nhalf');
    const printed: string[] = [];
    const stop = new AbortController();
    let seen: (() => void) | undefined;
    const waitFor = (count: number) =>
      new Promise<void>((resolve) => {
        seen = () => {
          if (printed.length >= count) resolve();
        };
        seen();
      });
    const following = follow({
      file,
      from: fs.statSync(file).size,
      partial: 'half',
      print: (line) => {
        printed.push(line);
        seen?.();
      },
      signal: stop.signal,
    });
    fs.appendFileSync(file, ' done\nnext\n');
    await waitFor(2);
    expect(printed).toEqual(['half done', 'next']);
    // Truncated (rotated): starts over from the top.
    fs.writeFileSync(file, 'fresh\n');
    await waitFor(3);
    stop.abort();
    await following;
    expect(printed).toEqual(['half done', 'next', 'fresh']);
  });
});
