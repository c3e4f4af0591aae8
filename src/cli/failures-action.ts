// `looper failures`: loops that ended needs_human or failed (`GET /failures`), newest first, each with
// its reason, the failure class of its last failed step, and the commands to look closer or go on.
import type { FailureView } from '../api/index.js';
import { LooperError } from '../domain/index.js';
import type { CommandContext } from './context.js';
import { connect } from './daemon-process.js';
import { formatAge } from './format.js';
import { exitCodes } from './output.js';

/** A failure as `looper failures` prints it: the API's view plus what to run next. */
export type FailureEntry = FailureView & { next: string[] };

export function nextSteps(loopId: string): string[] {
  return [`looper inspect ${loopId}`, `looper run retry ${loopId}`];
}

function target(f: FailureView): string {
  const kind = f.kind === 'issue' ? '#' : ' PR #';
  return `${f.project.name}${kind}${f.number}`;
}

export function failureBlock(f: FailureView, now: number): string {
  const at = f.stopped_at === null ? '' : ` at ${f.stopped_at}`;
  const when = f.finished_at === null ? '' : ` · ended ${formatAge(f.finished_at, now)}`;
  const lines = [`${f.loop_id}  ${f.stage}${at} · ${target(f)}${when}`, `  ${f.title}`];
  lines.push(`  reason: ${f.reason ?? '(none recorded)'}`);
  const last = f.last_failure;
  if (last !== null) {
    const where = last.stage === null ? '' : ` at ${last.stage}`;
    const attempt = last.attempt === null ? '' : `, attempt ${last.attempt}`;
    lines.push(`  last failed step: ${last.failure_class ?? 'unclassified'}${where}${attempt}`);
  }
  lines.push(`  next: ${nextSteps(f.loop_id).join('  ·  ')}`);
  return lines.join('\n');
}

export function failuresText(failures: readonly FailureView[], now: number): string {
  if (failures.length === 0) return 'no loops ended needs_human or failed';
  const blocks = failures.map((f) => failureBlock(f, now));
  return [
    ...blocks,
    `${failures.length} loop(s); \`looper run retry <id> --mode restart\` plans again from scratch`,
  ].join('\n\n');
}

function parseLimit(text: string): number {
  const limit = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw new LooperError('bad_request', '--limit must be a whole number from 1 to 500');
  }
  return limit;
}

export async function failuresAction(
  ctx: CommandContext,
  options: { limit: string },
): Promise<number> {
  const limit = parseLimit(options.limit);
  const { client } = await connect(ctx, { autostart: false });
  const failures = await client.get<FailureView[]>(`/failures?limit=${limit}`);
  const entries: FailureEntry[] = failures.map((f) => ({ ...f, next: nextSteps(f.loop_id) }));
  const now = ctx.io.clock.now();
  ctx.out.result(entries, () => failuresText(failures, now));
  return exitCodes.success;
}
