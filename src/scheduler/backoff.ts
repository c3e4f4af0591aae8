// Exponential backoff with jitter for transient failures: 5 s, 10 s, 20 s … capped at 5 minutes.

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  /** 0..1: the share of the delay that is randomised. */
  jitter?: number;
}

export function backoffDelayMs(
  attempt: number,
  random: () => number,
  options: BackoffOptions = {},
): number {
  const base = options.baseMs ?? 5_000;
  const max = options.maxMs ?? 300_000;
  const jitter = options.jitter ?? 0.2;
  const raw = Math.min(max, base * 2 ** Math.max(0, attempt - 2));
  return Math.round(raw * (1 - jitter + jitter * 2 * random()));
}
