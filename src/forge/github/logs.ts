// A failed check run's log for the fixer: the GitHub Actions job log (a redirect to a signed URL on
// another host, fetched without the token), else the run's own output; only the end is kept.
import { LooperError } from '../../domain/index.js';
import type { ProjectRef } from '../forge.js';
import { call, type GitHubContext, parse, repoOf, statusOf } from './context.js';
import { CheckRunOutput } from './schemas.js';

const defaultMaxBytes = 64 * 1024;
const newline = 0x0a;

/**
 * The last `maxBytes` of a text of `total` bytes whose end is `end` (at least `maxBytes` + 1 bytes
 * of it when the text is longer), starting at a line boundary (a single longer line is cut at a
 * character boundary), after a line saying how much was dropped; the whole text when it fits.
 */
function tailOfEnd(end: Buffer, total: number, maxBytes: number): string {
  if (total <= maxBytes) return end.toString('utf8');
  let start = end.length - maxBytes;
  if (end[start - 1] !== newline) {
    const next = end.indexOf(newline, start);
    if (next >= 0 && next + 1 < end.length) start = next + 1;
    // No whole line fits: skip UTF-8 continuation bytes so no character is split.
    else while (start < end.length && ((end[start] ?? 0) & 0xc0) === 0x80) start += 1;
  }
  const kept = end.length - start;
  const note = `[log truncated: showing the last ${kept} of ${total} bytes]`;
  return `${note}\n${end.subarray(start).toString('utf8')}`;
}

/** `text` itself when it fits in `maxBytes`, else its end cut at a line boundary, with a note. */
export function tailOf(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  return tailOfEnd(bytes, bytes.length, maxBytes);
}

/** Reads a (possibly huge) body keeping only what `tailOfEnd` needs. */
export async function tailOfBody(response: Response, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  for await (const chunk of response.body ?? []) {
    const bytes = Buffer.from(chunk);
    chunks.push(bytes);
    kept += bytes.length;
    total += bytes.length;
    while (chunks.length > 1 && kept - (chunks[0]?.length ?? 0) > maxBytes) {
      kept -= chunks.shift()?.length ?? 0;
    }
  }
  return tailOfEnd(Buffer.concat(chunks), total, maxBytes);
}

const gone = (error: unknown) => statusOf(error) === 404 || statusOf(error) === 410;

export function createLogs(ctx: GitHubContext) {
  /** The end of the Actions job log, or null when the run is no Actions job or its log expired. */
  const jobLog = async (
    project: ProjectRef,
    jobId: number,
    maxBytes: number,
  ): Promise<string | null> => {
    const { owner, repo } = repoOf(project);
    let response: { status: number; headers: Record<string, unknown>; data: unknown };
    try {
      // GitHub answers 302 to a signed URL elsewhere: follow it ourselves so the token, which
      // Octokit sends on every request, never reaches that host.
      response = await ctx.client.rest.actions.downloadJobLogsForWorkflowRun({
        owner,
        repo,
        job_id: jobId,
        request: { redirect: 'manual' },
      });
    } catch (error) {
      if (gone(error)) return null;
      return call(`get the log of job ${jobId}`, () => Promise.reject(error));
    }
    // A fetch that ignores `redirect: 'manual'` has already followed it.
    if (response.status < 300) {
      return typeof response.data === 'string' ? tailOf(response.data, maxBytes) : null;
    }
    const location = response.headers.location;
    if (typeof location !== 'string' || location === '') return null;
    const blob = await call(`download the log of job ${jobId}`, () =>
      ctx.fetch(new URL(location, ctx.client.request.endpoint.DEFAULTS.baseUrl), {
        headers: { 'user-agent': 'looper' },
      }),
    );
    // The signed URL expired between the two requests: as good as no log.
    if (blob.status === 404 || blob.status === 410 || blob.status === 403) return null;
    if (!blob.ok) {
      const message = `GitHub download the log of job ${jobId} failed (${blob.status})`;
      throw new LooperError('forge_failed', message, { details: { status: blob.status } });
    }
    return tailOfBody(blob, maxBytes);
  };

  /**
   * The check run's own output (title, summary, text), or null when it says no more than its title
   * (which the checks list already shows).
   */
  const runOutput = async (project: ProjectRef, checkRunId: number): Promise<string | null> => {
    const { owner, repo } = repoOf(project);
    let data: unknown;
    try {
      ({ data } = await ctx.client.rest.checks.get({ owner, repo, check_run_id: checkRunId }));
    } catch (error) {
      if (gone(error)) return null;
      return call(`get check run ${checkRunId}`, () => Promise.reject(error));
    }
    const { output } = parse(CheckRunOutput, data, 'GET check run');
    const said = (part: string | null | undefined): part is string =>
      typeof part === 'string' && part.trim() !== '';
    if (!said(output?.summary) && !said(output?.text)) return null;
    return [output?.title, output?.summary, output?.text].filter(said).join('\n\n');
  };

  const checkRunLog = async (
    project: ProjectRef,
    checkRunId: number,
    options: { maxBytes?: number } = {},
  ): Promise<string | null> => {
    const maxBytes = Math.max(Math.floor(options.maxBytes ?? defaultMaxBytes), 1);
    // For GitHub Actions the check run id is the job id. An empty log says nothing either.
    const log = await jobLog(project, checkRunId, maxBytes);
    if (log !== null && log.trim() !== '') return log;
    const output = await runOutput(project, checkRunId);
    return output === null ? null : tailOf(output, maxBytes);
  };

  return { checkRunLog };
}
