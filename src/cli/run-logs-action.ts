// `looper run logs <id> [-f]`: a run's log, or every run of a loop in order under a header line;
// `-f` streams the latest run with `?follow=1` (NDJSON lines with --json).
import type { RunView } from '../api/index.js';
import { isLooperError } from '../domain/index.js';
import type { ApiClient } from './client.js';
import type { CommandContext } from './context.js';
import { connect } from './daemon-process.js';
import { exitCodes } from './output.js';

export async function logsAction(
  ctx: CommandContext,
  id: string,
  follow: boolean,
): Promise<number> {
  const { client } = await connect(ctx, { autostart: false });
  const runs = await runsFor(client, id);
  if (runs.length === 0) {
    ctx.out.result({ loop_id: id, runs: [] }, () => '');
    ctx.out.info(`${id} has no runs yet`);
    return exitCodes.success;
  }
  const latest = runs.at(-1) as RunView;
  const whole = follow ? runs.slice(0, -1) : runs;
  const single = !id.startsWith('loop_');
  const logs: { run: RunView; log: string | null }[] = [];
  for (const run of whole) logs.push({ run, log: await logOf(client, run) });
  if (!follow) {
    printWhole(ctx, logs, single);
    return exitCodes.success;
  }
  for (const entry of logs) printRunLines(ctx, entry, single);
  if (!single && !ctx.out.json) ctx.out.raw(`${header(latest)}\n`);
  await streamLog(ctx, client, latest);
  return exitCodes.success;
}

/** A run id names one run; a loop id names its runs in the order they started. */
async function runsFor(client: ApiClient, id: string): Promise<RunView[]> {
  if (id.startsWith('run_')) return [await client.getRun(id)];
  const loop = await client.getLoop(id);
  return [...(loop.runs ?? [])].sort((a, b) => a.started_at.localeCompare(b.started_at));
}

async function logOf(client: ApiClient, run: RunView): Promise<string | null> {
  try {
    return await client.runLog(run.id);
  } catch (error) {
    if (isLooperError(error) && error.code === 'not_found') return null;
    throw error;
  }
}

export function header(run: RunView): string {
  const model = run.model === null ? '' : ` ${run.model}`;
  return `==> ${run.id} ${run.role} (${run.vendor}${model}) ${run.status} · ${run.started_at} <==`;
}

function printWhole(
  ctx: CommandContext,
  logs: { run: RunView; log: string | null }[],
  single: boolean,
): void {
  const json = logs.map(({ run, log }) => ({
    run_id: run.id,
    role: run.role,
    status: run.status,
    log,
  }));
  ctx.out.result(single ? json[0] : json, () =>
    logs
      .map(({ run, log }) => {
        const text = log === null ? '(no log)' : log.replace(/\n$/, '');
        return single ? text : `${header(run)}\n${text}`;
      })
      .join('\n\n'),
  );
}

function printRunLines(
  ctx: CommandContext,
  entry: { run: RunView; log: string | null },
  single: boolean,
): void {
  const text = entry.log ?? '';
  if (ctx.out.json) {
    for (const line of text.split('\n').filter((l) => l !== '')) {
      ctx.out.ndjson({ run_id: entry.run.id, line });
    }
    return;
  }
  if (!single) ctx.out.raw(`${header(entry.run)}\n`);
  ctx.out.raw(text === '' ? '(no log)\n\n' : `${text.replace(/\n?$/, '\n')}\n`);
}

/** Streams `GET /runs/:id/log?follow=1` until the daemon ends it (the run finished). */
async function streamLog(ctx: CommandContext, client: ApiClient, run: RunView): Promise<void> {
  const response = await client.stream(`/runs/${encodeURIComponent(run.id)}/log?follow=1`, {
    headers: { accept: 'text/plain' },
  });
  if (response.body === null) return;
  const decoder = new TextDecoder();
  let partial = '';
  for await (const chunk of response.body) {
    const text = decoder.decode(chunk, { stream: true });
    if (!ctx.out.json) {
      ctx.out.raw(text);
      continue;
    }
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) ctx.out.ndjson({ run_id: run.id, line });
  }
  const tail = decoder.decode();
  if (!ctx.out.json) ctx.out.raw(tail);
  else if (partial + tail !== '') ctx.out.ndjson({ run_id: run.id, line: partial + tail });
}
