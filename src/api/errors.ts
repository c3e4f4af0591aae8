// Translates anything thrown inside the API into the error envelope and its HTTP status, once,
// at the edge: LooperError keeps its code; everything else becomes `internal` without a stack.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type ErrorCode, isLooperError, LooperError } from '../domain/index.js';
import type { Envelope } from './dto.js';

/** What the API logs; a pino logger fits. */
export interface ApiLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const httpCodes: Partial<Record<number, ErrorCode>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'bad_request',
  422: 'validation_failed',
};

export function toApiError(err: unknown, logger?: ApiLogger): LooperError {
  if (isLooperError(err)) return err;
  if (err instanceof HTTPException) {
    const code = httpCodes[err.status];
    if (code) return new LooperError(code, err.message || code, { cause: err });
  }
  logger?.error({ err }, 'unhandled error in API request');
  return new LooperError('internal', 'internal error', { cause: err });
}

export function errorEnvelope(err: LooperError): Envelope<never> {
  return {
    ok: false,
    error: {
      code: err.code,
      message: err.message,
      ...(err.details === undefined ? {} : { details: err.details }),
    },
  };
}

export function errorResponse(c: Context, err: unknown, logger?: ApiLogger): Response {
  const apiError = toApiError(err, logger);
  if (apiError.code === 'unauthorized') c.header('WWW-Authenticate', 'Bearer');
  return c.json(errorEnvelope(apiError), apiError.httpStatus as ContentfulStatusCode);
}
