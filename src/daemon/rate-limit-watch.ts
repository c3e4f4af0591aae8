// Remembers what GitHub's `x-ratelimit-*` headers said on the gateway's latest response per resource,
// by wrapping the fetch the gateway uses, so `GET /metrics` shows the budget without asking GitHub.
import type { RateLimitSample } from '../api/index.js';

export interface RateLimitWatch {
  /** The fetch to hand the gateway: the given one, observing each response's headers. */
  fetch: typeof fetch;
  /** The latest sample per resource, sorted by resource; empty before any response. */
  samples(): RateLimitSample[];
}

export function createRateLimitWatch(inner: typeof fetch = (i, o) => fetch(i, o)): RateLimitWatch {
  const latest = new Map<string, RateLimitSample>();
  const observe = (headers: Headers) => {
    const remaining = Number.parseInt(headers.get('x-ratelimit-remaining') ?? '', 10);
    const limit = Number.parseInt(headers.get('x-ratelimit-limit') ?? '', 10);
    if (!Number.isFinite(remaining) || !Number.isFinite(limit)) return;
    const reset = Number.parseInt(headers.get('x-ratelimit-reset') ?? '', 10);
    const resource = headers.get('x-ratelimit-resource')?.trim() || 'core';
    latest.set(resource, {
      resource,
      limit,
      remaining,
      resetAt: Number.isFinite(reset) ? reset * 1000 : 0,
    });
  };
  return {
    async fetch(input, init) {
      const response = await inner(input, init);
      observe(response.headers);
      return response;
    },
    samples: () => [...latest.values()].sort((a, b) => a.resource.localeCompare(b.resource)),
  };
}
