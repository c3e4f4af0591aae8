// Injected faults: a queue of canned failures per method + path pattern, consumed in order by the
// next matching requests (a 502 burst, a secondary rate limit with Retry-After, a 429).

export interface FaultSpec {
  /** HTTP method; any when omitted. */
  method?: string;
  /**
   * Which requests: '*' (all), an OpenAPI template ('/repos/{owner}/{repo}/issues'), a literal path
   * ('/repos/o/r/issues/1'), a path with '*' wildcards, or a RegExp tested on the path.
   */
  path: string | RegExp;
  /** How many matching requests fail (default 1). */
  times?: number;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface Fault {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const secondaryMessage =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';

function matches(pattern: string | RegExp, path: string, template: string | null): boolean {
  if (pattern instanceof RegExp) return pattern.test(path);
  if (pattern === '*' || pattern === path || pattern === template) return true;
  if (!pattern.includes('*')) return false;
  const regex = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${regex.join('.*')}$`).test(path);
}

export class FaultQueue {
  private readonly queue: (FaultSpec & { remaining: number })[] = [];

  inject(spec: FaultSpec): this {
    this.queue.push({ ...spec, remaining: spec.times ?? 1 });
    return this;
  }

  /** The next `times` matching requests answer `status` (default 502 Bad Gateway). */
  serverError(path: string | RegExp, times = 1, status = 502, method?: string): this {
    const body = { message: 'Server Error' };
    return this.inject({ path, times, status, body, ...(method ? { method } : {}) });
  }

  /** GitHub's secondary rate limit: 403 with Retry-After and the "secondary rate limit" message. */
  secondaryRateLimit(
    path: string | RegExp,
    options: {
      retryAfterSeconds?: number;
      times?: number;
      method?: string;
      status?: 403 | 429;
    } = {},
  ): this {
    return this.inject({
      path,
      times: options.times ?? 1,
      status: options.status ?? 403,
      headers: { 'retry-after': String(options.retryAfterSeconds ?? 1) },
      body: { message: secondaryMessage, documentation_url: 'https://docs.github.com/rest' },
      ...(options.method ? { method: options.method } : {}),
    });
  }

  /** A 429 with Retry-After (GitHub's other spelling of a secondary limit). */
  tooManyRequests(
    path: string | RegExp,
    options: { retryAfterSeconds?: number; times?: number; method?: string } = {},
  ): this {
    return this.secondaryRateLimit(path, { ...options, status: 429 });
  }

  /** Consumes and returns the first fault matching this request, if any. */
  take(method: string, path: string, template: string | null): Fault | null {
    const index = this.queue.findIndex(
      (f) => (!f.method || f.method === method) && matches(f.path, path, template),
    );
    const fault = this.queue[index];
    if (!fault) return null;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.queue.splice(index, 1);
    return { status: fault.status, headers: fault.headers ?? {}, body: fault.body ?? {} };
  }

  /** Faults not yet consumed (a test can assert its faults were hit). */
  get pending(): number {
    return this.queue.reduce((n, f) => n + f.remaining, 0);
  }

  clear(): void {
    this.queue.length = 0;
  }
}
