// `looper queue list` and `looper queue clear` through the API (`GET /queue`, `DELETE /queue/:id`).
// Clearing cancels the waiting entries' loops, so it asks first unless --yes.
import { userInfo } from 'node:os';
import type { QueueEntryView, QueueRemovedView } from '../api/index.js';
import { isLooperError, LooperError, type QueueName } from '../domain/index.js';
import type { ApiClient } from './client.js';
import type { CommandContext } from './context.js';
import { connect } from './daemon-process.js';
import { formatAge, formatDuration } from './format.js';
import { exitCodes, formatTable, truncate } from './output.js';

export interface QueueSkipped {
  id: string;
  loop_id: string;
  code: string;
  message: string;
}

export interface QueueClearResult {
  removed: QueueRemovedView[];
  /** Entries that were no longer waiting when their turn came (claimed meanwhile, or gone). */
  skipped: QueueSkipped[];
}

/** `in 12s` for a future time, null when it has passed. */
function until(iso: string | null, now: number): string | null {
  if (iso === null) return null;
  const ms = Date.parse(iso) - now;
  return ms > 0 ? `in ${formatDuration(ms)}` : null;
}

/** `queued`, `queued (due in 12s)` in backoff, `claimed by node-a (lease ends in 45s)`. */
export function entryState(entry: QueueEntryView, now: number): string {
  if (entry.state === 'claimed') {
    const lease = until(entry.lease_expires_at, now);
    return `claimed by ${entry.owner ?? '?'}${lease === null ? '' : ` (lease ends ${lease})`}`;
  }
  const due = until(entry.not_before, now);
  return due === null ? 'queued' : `queued (due ${due})`;
}

export function queueTable(entries: readonly QueueEntryView[], now: number, width: number): string {
  if (entries.length === 0) return 'the queue is empty';
  const rows = entries.map((e) => [
    e.id,
    e.loop_id,
    e.queue,
    entryState(e, now),
    e.paused ? `${e.stage} (paused)` : e.stage,
    `${e.project.name}#${e.number}`,
    String(e.attempts),
    formatAge(e.enqueued_at, now),
    e.title,
  ]);
  const header = [
    'ENTRY',
    'LOOP',
    'QUEUE',
    'STATE',
    'STAGE',
    'TARGET',
    'TRIES',
    'ENQUEUED',
    'TITLE',
  ];
  const align = ['left', 'left', 'left', 'left', 'left', 'left', 'right', 'right'] as const;
  const fixed = formatTable(
    header.slice(0, -1),
    rows.map((row) => row.slice(0, -1)),
  ).split('\n')[0] as string;
  const room = Math.max(20, width - fixed.length - 2);
  const table = formatTable(
    header,
    rows.map((row) => [...row.slice(0, -1), truncate(row.at(-1) ?? '', room)]),
    align,
  );
  const claimed = entries.filter((e) => e.state === 'claimed').length;
  const count = `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}`;
  return `${table}\n\n${count}: ${entries.length - claimed} queued, ${claimed} claimed`;
}

function queuePath(filter: { queue?: QueueName; state?: 'queued' }): string {
  const params = new URLSearchParams();
  if (filter.queue !== undefined) params.set('queue', filter.queue);
  if (filter.state !== undefined) params.set('state', filter.state);
  const search = params.toString();
  return `/queue${search === '' ? '' : `?${search}`}`;
}

export async function queueListAction(
  ctx: CommandContext,
  options: { queue?: QueueName },
): Promise<number> {
  const { client } = await connect(ctx, { autostart: false });
  const entries = await client.get<QueueEntryView[]>(queuePath(options));
  const now = ctx.io.clock.now();
  ctx.out.result(entries, () => queueTable(entries, now, ctx.out.width));
  return exitCodes.success;
}

/** Who clears the queue, for the cancelled loops' reason. */
function actor(): string {
  try {
    return `${userInfo().username} (looper queue clear)`;
  } catch {
    return 'looper queue clear';
  }
}

function stdinIsTerminal(ctx: CommandContext): boolean {
  return (ctx.io.stdin as { isTTY?: boolean }).isTTY === true;
}

/** One line typed on stdin (without its newline); '' at end of input. */
async function readLine(input: AsyncIterable<string | Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of input) {
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const end = text.indexOf('\n');
    if (end >= 0) return text.slice(0, end);
  }
  return text;
}

async function confirmed(
  ctx: CommandContext,
  entries: readonly QueueEntryView[],
): Promise<boolean> {
  const lines = entries.map(
    (e) => `  ${e.id}  ${e.loop_id}  ${e.project.name}#${e.number}  ${truncate(e.title, 50)}`,
  );
  ctx.out.info(
    [
      `This removes ${entries.length} waiting ${entries.length === 1 ? 'entry' : 'entries'} and cancels ${entries.length === 1 ? 'its loop' : 'their loops'}:`,
      ...lines,
    ].join('\n'),
  );
  ctx.io.stderr.write('Go ahead? [y/N] ');
  const answer = (await readLine(ctx.io.stdin)).trim().toLowerCase();
  return answer === 'y' || answer === 'yes';
}

async function removeEach(
  client: ApiClient,
  entries: readonly QueueEntryView[],
): Promise<QueueClearResult> {
  const result: QueueClearResult = { removed: [], skipped: [] };
  const by = encodeURIComponent(actor());
  for (const entry of entries) {
    try {
      result.removed.push(
        await client.delete<QueueRemovedView>(`/queue/${encodeURIComponent(entry.id)}?by=${by}`),
      );
    } catch (error) {
      // Claimed (409) or finished (404) since the list was read: no longer waiting, so not ours.
      if (!isLooperError(error) || (error.code !== 'conflict' && error.code !== 'not_found')) {
        throw error;
      }
      result.skipped.push({
        id: entry.id,
        loop_id: entry.loop_id,
        code: error.code,
        message: error.message,
      });
    }
  }
  return result;
}

function clearSummary(result: QueueClearResult): string {
  const lines = result.removed.map(
    (r) =>
      `removed  ${r.entry.id}  ${r.loop_id} ${r.cancelled ? 'cancelled' : `(already ${r.stage})`}`,
  );
  for (const s of result.skipped) lines.push(`skipped  ${s.id}  ${s.loop_id}: ${s.message}`);
  lines.push(`${result.removed.length} removed, ${result.skipped.length} skipped`);
  return lines.join('\n');
}

export async function queueClearAction(
  ctx: CommandContext,
  options: { queue?: QueueName; yes: boolean },
): Promise<number> {
  const interactive = stdinIsTerminal(ctx);
  if (!options.yes && !interactive) {
    throw new LooperError(
      'bad_request',
      'looper queue clear cancels the loops of the waiting entries: pass --yes to confirm (stdin is not a terminal, so it cannot ask)',
    );
  }
  const { client } = await connect(ctx, { autostart: false });
  const waiting = await client.get<QueueEntryView[]>(queuePath({ ...options, state: 'queued' }));
  if (waiting.length > 0 && !options.yes && !(await confirmed(ctx, waiting))) {
    ctx.out.info('looper: nothing removed');
    return exitCodes.failure;
  }
  const result = await removeEach(client, waiting);
  ctx.out.result(result, () =>
    waiting.length === 0 ? 'no waiting entries' : clearSummary(result),
  );
  return exitCodes.success;
}
