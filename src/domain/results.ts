// The structured result each role prints as `__LOOPER_RESULT__={json}`, and its parser.
import { z } from 'zod';
import type { Role } from './roles.js';

export const RESULT_MARKER = '__LOOPER_RESULT__=';

export const SummaryResult = z.object({ summary: z.string() });
export type SummaryResult = z.infer<typeof SummaryResult>;

export const PlanReviewResult = z.object({
  verdict: z.enum(['approve', 'revise']),
  summary: z.string(),
  comments: z.array(z.string()).default([]),
});
export type PlanReviewResult = z.infer<typeof PlanReviewResult>;

export const ReviewComment = z.object({
  path: z.string(),
  line: z.number().int().positive(),
  body: z.string(),
});
export type ReviewComment = z.infer<typeof ReviewComment>;

export const ReviewResult = z.object({
  verdict: z.enum(['approve', 'request_changes']),
  summary: z.string(),
  comments: z.array(ReviewComment).default([]),
});
export type ReviewResult = z.infer<typeof ReviewResult>;

export interface RoleResults {
  planner: SummaryResult;
  plan_reviewer: PlanReviewResult;
  worker: SummaryResult;
  reviewer: ReviewResult;
  fixer: SummaryResult;
}

const schemas = {
  planner: SummaryResult,
  plan_reviewer: PlanReviewResult,
  worker: SummaryResult,
  reviewer: ReviewResult,
  fixer: SummaryResult,
} as const satisfies Record<Role, z.ZodType>;

/** The exact shape each role must print, as shown in its prompt. */
export const resultShapes = {
  planner: '{"summary": "<one paragraph>"}',
  plan_reviewer: '{"verdict": "approve" | "revise", "summary": "<text>", "comments": ["<text>"]}',
  worker: '{"summary": "<what you changed>"}',
  reviewer:
    '{"verdict": "approve" | "request_changes", "summary": "<text>", "comments": [{"path": "<file>", "line": <n>, "body": "<text>"}]}',
  fixer: '{"summary": "<what you fixed>"}',
} as const satisfies Record<Role, string>;

export type ParsedResult<R extends Role> =
  | { ok: true; value: RoleResults[R] }
  | { ok: false; reason: string };

/**
 * Finds the last `__LOOPER_RESULT__=` line in an agent's final text and validates it against the
 * role's shape. Expected failures are returned, not thrown.
 */
export function parseRoleResult<R extends Role>(role: R, text: string): ParsedResult<R> {
  const lines = text.split(/\r?\n/);
  let raw: string | undefined;
  for (const line of lines) {
    const at = line.indexOf(RESULT_MARKER);
    if (at >= 0) raw = line.slice(at + RESULT_MARKER.length).trim();
  }
  if (raw === undefined) return { ok: false, reason: `no ${RESULT_MARKER} line in the output` };
  raw = raw.replace(/^`+|`+$/g, '');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: `${RESULT_MARKER} is not valid JSON` };
  }
  const parsed = schemas[role].safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    return {
      ok: false,
      reason: `result does not match the ${role} shape at ${where}: ${issue?.message}`,
    };
  }
  return { ok: true, value: parsed.data as RoleResults[R] };
}
