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

export function createClient(options: GitHubForgeOptions): GitHubClient {
  const log = options.log ?? silentLog;
  const retries = options.throttle?.retries ?? 5;
  const writeSpacingMs = options.throttle?.writeSpacingMs ?? 1000;
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
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: writeSpacingMs }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: writeSpacingMs }),
    },
  });
}
