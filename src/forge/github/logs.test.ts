// The tail kept of a long job log: whole lines from the end, a note of what was dropped.
import { describe, expect, it } from 'vitest';
import { tailOf, tailOfBody } from './logs.js';

describe('tailOf', () => {
  it('keeps a log that fits as it is', () => {
    expect(tailOf('one\ntwo\n', 8)).toBe('one\ntwo\n');
  });

  it('keeps whole lines from the end and says how much it dropped', () => {
    expect(tailOf('first line\nsecond\nthird\n', 14)).toBe(
      '[log truncated: showing the last 13 of 24 bytes]\nsecond\nthird\n',
    );
    // The cut falls exactly on a line start: that line is kept.
    expect(tailOf('aaaa\nbbbb\ncccc', 9)).toBe(
      '[log truncated: showing the last 9 of 14 bytes]\nbbbb\ncccc',
    );
  });

  it('cuts one overlong line at a character boundary, never inside a UTF-8 sequence', () => {
    const line = 'ééééé'; // 10 bytes
    const tail = tailOf(line, 5);
    expect(tail).toBe('[log truncated: showing the last 4 of 10 bytes]\néé');
    expect(tail).not.toContain('\uFFFD');
  });

  it('reads a long body chunk by chunk to the same tail', async () => {
    const text = Array.from({ length: 2000 }, (_, i) => `line ${i} ✓`).join('\n');
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 97) controller.enqueue(bytes.slice(at, at + 97));
        controller.close();
      },
    });
    const tail = await tailOfBody(new Response(body), 1000);
    expect(tail).toBe(tailOf(text, 1000));
    expect(tail.split('\n')[1]).toMatch(/^line \d+ ✓$/);
    expect(await tailOfBody(new Response('short\n'), 1000)).toBe('short\n');
  });
});
