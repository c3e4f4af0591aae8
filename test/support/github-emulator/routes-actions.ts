// REST routes for CI details: one check run, and a GitHub Actions job's log, which (as on GitHub)
// is a 302 to a signed URL on another host (the emulator's blob host, which takes no token).
import { randomUUID } from 'node:crypto';
import { checkRunJson } from './json-pulls.js';
import { intParam, notFound, type Route, repoOf, requireRole } from './router.js';

export const actionRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/check-runs/{check_run_id}',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      requireRole(ctx, repo, 'read');
      const id = intParam(ctx, 'check_run_id');
      const run = repo.checkRuns.find((r) => r.id === id);
      if (!run) throw notFound();
      return { status: 200, body: checkRunJson(ctx.json, repo, run) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/jobs/{job_id}/logs',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      requireRole(ctx, repo, 'read');
      const id = intParam(ctx, 'job_id');
      // A check run with a log is an Actions job; any other id is no job at all.
      const log = repo.checkRuns.find((r) => r.id === id)?.log;
      if (typeof log !== 'string') throw notFound();
      const token = randomUUID();
      ctx.state.blobs.set(token, log);
      const base = ctx.json.blobs ?? `${ctx.url.origin}/_blobs`;
      return { status: 302, headers: { location: `${base}/job-logs/${token}?sig=${token}` } };
    },
  },
];
