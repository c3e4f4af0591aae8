// Validates request bodies and query strings at the boundary with the zod schemas from dto.ts;
// failures become LooperErrors (400 for unreadable JSON, 422 with the issues for bad shapes).
import type { Context } from 'hono';
import type { z } from 'zod';
import { LooperError } from '../domain/index.js';

export interface IssueView {
  path: string;
  message: string;
}

export function zodIssues(error: z.ZodError): IssueView[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((part) => String(part)).join('.'),
    message: issue.message,
  }));
}

export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new LooperError('validation_failed', `invalid ${what}`, {
      details: { issues: zodIssues(result.error) },
    });
  }
  return result.data;
}

/** Reads the body as JSON (an empty body is `undefined`) and validates it. */
export async function readJsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
): Promise<z.output<S>> {
  const text = await c.req.text();
  let value: unknown;
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new LooperError('bad_request', 'request body is not valid JSON', {
        details: { message: error instanceof Error ? error.message : String(error) },
      });
    }
  }
  return parseWith(schema, value, 'request body');
}

export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseWith(schema, c.req.query(), 'query');
}
