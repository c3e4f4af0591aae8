// `looper run --repo … --title …` or `looper run <issue-url>`: builds the CreateLoopRequest, starts the loop (autostarting
// looperd) and, with --wait, follows it live until it ends.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CreateLoopRequest, EventView, LoopView } from '../api/index.js';
import { isVendorName, LooperError, parseIssueUrl, vendorNames } from '../domain/index.js';
import type { ApiClient } from './client.js';
import type { RunOptions } from './command-run.js';
import { type CommandContext, readAll } from './context.js';
import { connect } from './daemon-process.js';
import { followLoop } from './follow.js';
import { describeEvent, formatCost, formatDuration, formatElapsed } from './format.js';
import { exitCodes, truncate } from './output.js';

export async function runStart(ctx: CommandContext, options: RunOptions): Promise<number> {
  const request = await buildRequest(ctx, options);
  const { client } = await connect(ctx, { autostart: true });
  const loop = await client.createLoop(request);
  if (options.wait !== true) {
    ctx.out.result(loop, () => loop.id);
    ctx.out.progress(
      `follow it with \`looper run logs ${loop.id} -f\` or \`looper inspect ${loop.id}\``,
    );
    return exitCodes.success;
  }
  if (!ctx.out.json) ctx.out.result(loop, () => loop.id);
  const final = await waitForLoop(ctx, client, loop);
  return reportFinal(ctx, final);
}

/** The request body from the flags; usage problems are `bad_request` (exit 2). */
export async function buildRequest(
  ctx: CommandContext,
  options: RunOptions,
): Promise<CreateLoopRequest> {
  if (options.vendor !== undefined && !isVendorName(options.vendor)) {
    throw new LooperError('bad_request', `unknown vendor '${options.vendor}'`, {
      details: { issues: [`--vendor: expected one of ${vendorNames.join(', ')}`] },
    });
  }
  const request: CreateLoopRequest =
    options.issueUrl !== undefined
      ? { issue_url: issueUrlOf(options.issueUrl) }
      : {
          repo: resolveRepo(options.repo ?? '.', ctx.io.cwd),
          title: options.title ?? '',
          body: await readBody(ctx, options),
        };
  if (options.vendor !== undefined) request.vendor = options.vendor as CreateLoopRequest['vendor'];
  if (options.model !== undefined) request.model = options.model;
  if (options.check !== undefined && options.check.length > 0) request.checks = options.check;
  if (options.base !== undefined) request.base_branch = options.base;
  return request;
}

/** The URL as given, once it reads as an issue URL; a usage error (exit 2) otherwise. */
function issueUrlOf(url: string): string {
  if (parseIssueUrl(url) !== null) return url;
  throw new LooperError('bad_request', `'${url}' is not an issue URL`, {
    details: { issues: ['expected https://<host>/<owner>/<name>/issues/<number>'] },
  });
}

/** A local path becomes absolute; `owner/name` that is no local path is passed as is. */
export function resolveRepo(repo: string, cwd: string): string {
  const local = resolve(cwd, repo);
  if (existsSync(local)) return local;
  return /^[\w.-]+\/[\w.-]+$/.test(repo) ? repo : local;
}

async function readBody(ctx: CommandContext, options: RunOptions): Promise<string> {
  if (options.bodyFile === undefined) return options.body ?? '';
  if (options.bodyFile === '-') return readAll(ctx.io.stdin);
  try {
    return await readFile(resolve(ctx.io.cwd, options.bodyFile), 'utf8');
  } catch (error) {
    throw new LooperError('bad_request', `cannot read --body-file ${options.bodyFile}`, {
      cause: error,
      details: { issues: [`--body-file: ${(error as Error).message}`] },
    });
  }
}

async function waitForLoop(
  ctx: CommandContext,
  client: ApiClient,
  loop: LoopView,
): Promise<LoopView> {
  const started = ctx.io.clock.now();
  const abort = new AbortController();
  const onInterrupt = () => abort.abort(new LooperError('internal', 'interrupted'));
  process.once('SIGINT', onInterrupt);
  const printer = progressPrinter(ctx, started);
  try {
    return await followLoop({
      client,
      loopId: loop.id,
      signal: abort.signal,
      clock: ctx.io.clock,
      onEvent: printer,
    });
  } catch (error) {
    if (!abort.signal.aborted) throw error;
    throw new LooperError(
      'internal',
      `stopped following ${loop.id}; it keeps running (see \`looper inspect ${loop.id}\`)`,
    );
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

/** Prints one line per event on a terminal; agent chatter at most twice a second. */
function progressPrinter(ctx: CommandContext, started: number): (event: EventView) => void {
  let lastActivity = Number.NEGATIVE_INFINITY;
  return (event) => {
    if (!ctx.out.interactive) return;
    const line = describeEvent(event);
    if (line === undefined) return;
    const now = ctx.io.clock.now();
    if (event.type.startsWith('agent')) {
      if (now - lastActivity < 500) return;
      lastActivity = now;
    }
    const prefix = `${formatElapsed(now - started)} `;
    ctx.out.progress(prefix + truncate(line, Math.max(20, ctx.out.width - prefix.length)));
  };
}

function reportFinal(ctx: CommandContext, loop: LoopView): number {
  const ok = loop.stage === 'ready' || loop.stage === 'merged';
  if (ctx.out.json) {
    ctx.out.result(loop, () => '');
    return ok ? exitCodes.success : exitCodes.failure;
  }
  const took = Date.parse(loop.finished_at ?? loop.updated_at) - Date.parse(loop.created_at);
  const facts = [
    loop.branch === null ? undefined : `branch ${loop.branch}`,
    loop.pr === null ? undefined : `PR #${loop.pr.number} ${loop.pr.url}`,
    `fix rounds ${loop.rounds.fix}`,
    formatCost(loop.cost_usd),
    Number.isNaN(took) ? undefined : formatDuration(took),
  ].filter((fact) => fact !== undefined);
  if (ok) {
    ctx.out.info(`${loop.id} ${loop.stage}: ${facts.join(' · ')}`);
    return exitCodes.success;
  }
  const reason = loop.reason ?? 'no reason given';
  ctx.out.info(`${loop.id}: ${facts.join(' · ')}`);
  return ctx.out.error({
    code: 'loop_failed',
    message: `loop ${loop.id} ended ${loop.stage}: ${reason}`,
    exitCode: exitCodes.failure,
  });
}
