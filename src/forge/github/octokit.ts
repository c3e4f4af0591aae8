// Builds the Octokit client: REST methods, pagination, throttling (primary and secondary rate limits
// honouring Retry-After) and retries of 5xx with backoff. The token goes to Octokit's auth only.
import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';
import type { ForgeLog, GitHubForgeOptions } from './types.js';

const GitHubClient = Octokit.plugin(restEndpointMethods, paginateRest, retry, throttling);
export type GitHubClient = InstanceType<typeof GitHubClient>;

export const silentLog: ForgeLog = { info() {}, warn() {}, error() {} };

interface LimitedRequest {
  method: string;
  url: string;
}

/**
 * Bottleneck settings for the write limiters: a token bucket of `burst` writes that regains one
 * write per `spacingMs`, so a quiet client's first few writes (a new loop's state label and
 * tracking comment) go at once, while a sustained stream stays at one write per `spacingMs`.
 * GitHub asks for about a second between mutating requests and refuses more than 80
 * content-creating requests a minute; a bucket of 3 at 1 s allows at most 63 in any minute.
 * `burst` 1 keeps the strict spacing (`minTime`); `spacingMs` 0 does not limit writes at all.
 */
function writeLimiterOptions(spacingMs: number, burst: number): Bottleneck.ConstructorOptions {
  if (spacingMs <= 0) return { maxConcurrent: 1 };
  if (burst <= 1) return { maxConcurrent: 1, minTime: spacingMs };
  return {
    maxConcurrent: 1,
    reservoir: burst,
    reservoirIncreaseAmount: 1,
    reservoirIncreaseInterval: spacingMs,
    reservoirIncreaseMaximum: burst,
    // Bottleneck adds a token on its heartbeat once `spacingMs` has passed; a beat that divides
    // the spacing (at most 250 ms, its default) keeps the refill close to `spacingMs`.
    heartbeatInterval: Math.ceil(spacingMs / Math.ceil(spacingMs / 250)),
  };
}

export function createClient(options: GitHubForgeOptions): GitHubClient {
  const log = options.log ?? silentLog;
  const retries = options.throttle?.retries ?? 5;
  const writes = writeLimiterOptions(
    options.throttle?.writeSpacingMs ?? 1000,
    options.throttle?.writeBurst ?? 3,
  );
  const onLimit =
    (kind: 'rate limit' | 'secondary rate limit') =>
    (retryAfter: number, request: LimitedRequest, _octokit: unknown, retryCount: number) => {
      const data = { method: request.method, route: request.url, retryAfter, retryCount, kind };
      if (retryCount < retries) {
        log.warn(data, 'github rate limited; retrying after the advised wait');
        return true;
      }
      log.error(data, 'github rate limited; out of retries');
      return false;
    };
  return new GitHubClient({
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    auth: options.token,
    userAgent: 'looper',
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
    log: {
      debug: () => {},
      info: () => {},
      warn: (message: string) => log.warn({ detail: String(message) }, 'github client warning'),
      error: (message: string) => log.error({ detail: String(message) }, 'github client error'),
    },
    retry: {
      retries,
      retryAfterBaseValue: options.throttle?.backoffMs ?? 1000,
      // 403/429 rate limits go to the throttling plugin, which waits as Retry-After says.
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
    },
    throttle: {
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
      retryAfterBaseValue: options.throttle?.retryAfterUnitMs ?? 1000,
      fallbackSecondaryRateRetryAfter: 60,
      // Per-client limiters: the plugin's defaults are shared by every client in the process.
      // Each key of a Group is its own Bottleneck built from these options, so every client
      // gets its own bucket. Writes that notify people (comments, issues, PRs, reviews) wait on
      // both groups, so both get the bucket (the plugin's own default there is 3 s apart).
      write: new Bottleneck.Group({ ...writes }),
      notifications: new Bottleneck.Group({ ...writes }),
    },
  });
}
