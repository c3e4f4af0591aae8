import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.js';

describe('backoffDelayMs', () => {
  it('doubles from the base delay for each further attempt', () => {
    const mid = () => 0.5;
    expect([2, 3, 4].map((a) => backoffDelayMs(a, mid))).toEqual([5_000, 10_000, 20_000]);
  });

  it('caps the delay', () => {
    expect(backoffDelayMs(30, () => 0.5)).toBe(300_000);
  });

  it('spreads retries by the jitter share', () => {
    expect(backoffDelayMs(2, () => 0)).toBe(4_000);
    expect(backoffDelayMs(2, () => 1)).toBe(6_000);
  });
});
