import { describe, expect, it } from 'vitest';
import { failureFingerprint, textFingerprint } from './fingerprint.js';

describe('failureFingerprint', () => {
  it('is the same for the same failure with different timings and paths', () => {
    const a =
      'ok 1 - adds\nnot ok 2 - rounds cents # time=12.5ms\n  at /tmp/looper-abc/src/cart.js:10:5';
    const b =
      'ok 1 - adds\nnot ok 2 - rounds cents # time=3.1ms\n  at /tmp/looper-xyz/src/cart.js:11:7';
    expect(failureFingerprint(a)).toBe(failureFingerprint(b));
  });

  it('ignores the timestamps CI logs put on every line', () => {
    const a =
      '2026-12-04T17:00:01.1234567Z ✖ add adds\n2026-12-04T17:00:02.0000000Z Error: 1 failed';
    const b =
      '2026-12-05T09:30:11.7654321Z ✖ add adds\n2026-12-05T09:30:12.0000000Z Error: 1 failed';
    expect(failureFingerprint(a)).toBe(failureFingerprint(b));
  });

  it('differs when a different test fails', () => {
    expect(failureFingerprint('not ok 2 - rounds cents')).not.toBe(
      failureFingerprint('not ok 1 - adds quantities'),
    );
  });

  it('falls back to the output tail when no failure line is recognised', () => {
    expect(failureFingerprint('exit 3')).not.toBe(failureFingerprint('exit 4'));
  });

  it('hashes arbitrary text stably', () => {
    expect(textFingerprint('please add a test')).toBe(textFingerprint('please  add a test'));
  });
});
