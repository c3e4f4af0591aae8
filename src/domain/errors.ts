// Typed errors with a stable code. The API, the CLI and the run boundary each translate them once.

export const errorCodes = {
  bad_request: { http: 400, exit: 2 },
  validation_failed: { http: 422, exit: 2 },
  unauthorized: { http: 401, exit: 1 },
  forbidden: { http: 403, exit: 1 },
  not_found: { http: 404, exit: 1 },
  conflict: { http: 409, exit: 1 },
  invalid_transition: { http: 409, exit: 1 },
  config_invalid: { http: 422, exit: 2 },
  daemon_unreachable: { http: 503, exit: 1 },
  agent_failed: { http: 500, exit: 1 },
  git_failed: { http: 500, exit: 1 },
  forge_failed: { http: 502, exit: 1 },
  store_failed: { http: 500, exit: 1 },
  dirty_worktree: { http: 409, exit: 1 },
  internal: { http: 500, exit: 1 },
} as const satisfies Record<string, { http: number; exit: number }>;

export type ErrorCode = keyof typeof errorCodes;

export interface LooperErrorOptions {
  details?: unknown;
  cause?: unknown;
}

export class LooperError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: LooperErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LooperError';
    this.code = code;
    this.details = options.details;
  }

  get httpStatus(): number {
    return errorCodes[this.code].http;
  }

  get exitCode(): number {
    return errorCodes[this.code].exit;
  }
}

export function isLooperError(value: unknown): value is LooperError {
  return value instanceof LooperError;
}

/** Turns anything thrown into a LooperError, keeping the original as `cause`. */
export function toLooperError(value: unknown, code: ErrorCode = 'internal'): LooperError {
  if (value instanceof LooperError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new LooperError(code, message, { cause: value });
}

/** How a failed step is handled: retried, stopped for a person, or failed for good. */
export const failureClasses = ['transient', 'needs_human', 'fatal'] as const;
export type FailureClass = (typeof failureClasses)[number];
