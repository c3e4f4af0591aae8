// Typed HTTP client for looperd's REST API: unwraps `{ok,data}` envelopes, turns `{ok:false}` into a
// LooperError with the server's code, and a refused connection into `daemon_unreachable`.
import type { CreateLoopRequest, LoopView, RunView, StatusView } from '../api/index.js';
import { type ErrorCode, errorCodes, LooperError } from '../domain/index.js';

export interface ClientOptions {
  /** `http://127.0.0.1:7391` (no `/api/v1`). */
  baseUrl: string;
  /** The bearer token, read when first needed; undefined sends no Authorization header. */
  token?: () => Promise<string | undefined>;
  /** Where the token comes from, named in the hint of a 401 (`/home/me/.looper/token`). */
  tokenSource?: string;
  /** Per-request timeout for non-streaming calls. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface StreamOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export interface LoopListQuery {
  stage?: string;
  active?: boolean;
  limit?: number;
}

const defaultTimeoutMs = 30_000;

export class ApiClient {
  readonly baseUrl: string;
  private readonly options: ClientOptions;
  private readonly doFetch: typeof fetch;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.options = options;
    this.doFetch = options.fetch ?? fetch;
  }

  /** GET returning the envelope's data. */
  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** POST (authenticated) returning the envelope's data. */
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  /** DELETE (authenticated) returning the envelope's data. */
  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  status(): Promise<StatusView> {
    return this.get('/status');
  }

  listLoops(query: LoopListQuery = {}): Promise<LoopView[]> {
    const params = new URLSearchParams();
    if (query.stage !== undefined) params.set('stage', query.stage);
    if (query.active !== undefined) params.set('active', String(query.active));
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    const search = params.toString();
    return this.get(`/loops${search === '' ? '' : `?${search}`}`);
  }

  getLoop(id: string): Promise<LoopView> {
    return this.get(`/loops/${encodeURIComponent(id)}`);
  }

  createLoop(request: CreateLoopRequest): Promise<LoopView> {
    return this.post('/loops', request);
  }

  cancelLoop(id: string): Promise<LoopView> {
    return this.post(`/loops/${encodeURIComponent(id)}/cancel`);
  }

  getRun(id: string): Promise<RunView> {
    return this.get(`/runs/${encodeURIComponent(id)}`);
  }

  /** A run's whole log as text. */
  async runLog(id: string): Promise<string> {
    const response = await this.send('GET', `/runs/${encodeURIComponent(id)}/log`, undefined, {
      signal: AbortSignal.timeout(this.options.timeoutMs ?? defaultTimeoutMs),
    });
    if (!response.ok) throw await errorFrom(response, this.options.tokenSource);
    return response.text();
  }

  shutdown(): Promise<unknown> {
    return this.post('/shutdown');
  }

  /** True when `GET /healthz` answers 2xx within `timeoutMs`. Never throws. */
  async healthy(timeoutMs = 1_000): Promise<boolean> {
    try {
      const response = await this.doFetch(this.url('/healthz'), {
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  }

  /** Opens a long-lived GET (SSE, followed logs); the caller reads and cancels the body. */
  async stream(path: string, options: StreamOptions = {}): Promise<Response> {
    const response = await this.send('GET', path, undefined, options);
    if (!response.ok) throw await errorFrom(response, this.options.tokenSource);
    return response;
  }

  private async request<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const signal = AbortSignal.timeout(this.options.timeoutMs ?? defaultTimeoutMs);
    const response = await this.send(method, path, body, { signal });
    return unwrap<T>(response, this.options.tokenSource);
  }

  private async send(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body: unknown,
    options: StreamOptions,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const token = await this.options.token?.();
    if (token !== undefined && token !== '') headers.authorization = `Bearer ${token}`;
    if (method === 'POST') headers['content-type'] = 'application/json';
    try {
      return await this.doFetch(this.url(path), {
        method,
        headers,
        body: body === undefined ? (method === 'POST' ? '{}' : undefined) : JSON.stringify(body),
        signal: options.signal,
      });
    } catch (error) {
      throw transportError(error, this.baseUrl);
    }
  }

  private url(path: string): string {
    return `${this.baseUrl}/api/v1${path}`;
  }
}

/** Reads an envelope; `{ok:false}` or a non-envelope answer becomes a LooperError. */
export async function unwrap<T>(response: Response, tokenSource?: string): Promise<T> {
  const text = await response.text();
  const envelope = parseEnvelope(text);
  if (envelope === undefined) {
    throw new LooperError(
      'internal',
      `unexpected answer from the daemon (HTTP ${response.status}): ${text.slice(0, 200)}`,
    );
  }
  if (envelope.ok) return envelope.data as T;
  throw serverError(envelope.error, response.status, tokenSource);
}

async function errorFrom(response: Response, tokenSource?: string): Promise<LooperError> {
  try {
    await unwrap(response, tokenSource);
  } catch (error) {
    if (error instanceof LooperError) return error;
  }
  return new LooperError('internal', `unexpected answer from the daemon (HTTP ${response.status})`);
}

type WireEnvelope =
  | { ok: true; data: unknown }
  | { ok: false; error: { code: string; message: string; details?: unknown } };

function parseEnvelope(text: string): WireEnvelope | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (record.ok === true && 'data' in record) return { ok: true, data: record.data };
  const error = record.error as Record<string, unknown> | undefined;
  if (record.ok === false && typeof error === 'object' && error !== null) {
    const code = typeof error.code === 'string' ? error.code : 'internal';
    const message = typeof error.message === 'string' ? error.message : code;
    return { ok: false, error: { code, message, details: error.details } };
  }
  return undefined;
}

function serverError(
  error: { code: string; message: string; details?: unknown },
  status: number,
  tokenSource: string | undefined,
): LooperError {
  if (isErrorCode(error.code)) {
    const hint =
      error.code === 'unauthorized' && tokenSource !== undefined
        ? ` (the CLI sent the token from ${tokenSource})`
        : '';
    return new LooperError(error.code, `${error.message}${hint}`, { details: error.details });
  }
  // A code this CLI does not know (newer daemon): keep it in the details.
  return new LooperError('internal', error.message, {
    details: { code: error.code, status, details: error.details },
  });
}

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCodes, code);
}

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function transportError(error: unknown, baseUrl: string): unknown {
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
    if (error.name === 'TimeoutError') {
      return new LooperError(
        'daemon_unreachable',
        `the daemon at ${baseUrl} did not answer in time`,
        {
          cause: error,
        },
      );
    }
    return error;
  }
  const code = causeCode(error);
  if (code === undefined || unreachableCodes.has(code) || error instanceof TypeError) {
    return new LooperError(
      'daemon_unreachable',
      `no daemon answers at ${baseUrl}; start one with \`looper daemon start\``,
      { cause: error, details: code === undefined ? undefined : { cause: code } },
    );
  }
  return error;
}

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
