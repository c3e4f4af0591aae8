// End to end, Looper's GitHub loop: the built looperd against the GitHub emulator with a scripted
// agent. A trusted label (by webhook or by the poller) drives an issue to a ready PR; an untrusted
// label, a redelivered webhook and injected faults do what SPEC §2–§3 say; CI red once → fixer.
import fs from 'node:fs';
import { describe, it } from 'vitest';
import type { LoopView } from '../src/api/index.js';
import {
  BOT,
  branchLog,
  deliver,
  finished,
  issueCommentsBy,
  labelByWebhook,
  REPO,
  startCi,
  startWorld,
  stateLabelsOn,
  TOKEN,
} from './support/github-loop-world.js';
import { api, eventually, readEvents } from './support/loop-events.js';
import { git } from './support/looper-harness.js';

describe.concurrent('the GitHub loop against the emulator', { timeout: 60_000 }, () => {
  it('a trusted label by webhook → spec and work pushed, one PR made ready, looper:done', async ({
    expect,
  }) => {
    const w = await startWorld();
    try {
      const { gh } = w;
      const issue = gh.createIssue(REPO, { title: 'Fix add', body: 'add() subtracts.' });
      const admitted = await labelByWebhook(w, issue.number);
      expect(admitted).toMatchObject({ status: 202, accepted: true });
      const loopId = admitted.loopId ?? '';
      expect(await finished(w, loopId, issue.number)).toMatchObject({
        stage: 'ready',
        reason: null,
      });
      const loop = await api<LoopView>(w.env, `/loops/${loopId}`);
      expect(loop.stage).toBe('ready');
      const branch = loop.branch ?? '';
      expect(branch).toMatch(new RegExp(`^looper/${issue.number}-fix-add`));

      // The spec commit, then the work commit, pushed to the branch on "GitHub" by Looper.
      expect(branchLog(gh, branch)).toEqual([
        `Looper <looper@localhost>|Add spec for #${issue.number}: Fix add`,
        `Looper <looper@localhost>|Fix add (#${issue.number})`,
      ]);
      const head = git(gh.cloneUrl(REPO), 'rev-parse', branch).trim();

      // One PR from the branch, out of draft, linking the issue and carrying the loop marker.
      const pulls = [...gh.repo(REPO).pulls.values()];
      expect(pulls).toHaveLength(1);
      const pull = pulls[0];
      expect(pull).toMatchObject({ head: branch, base: 'main', draft: false, merged: false });
      expect(loop.pr?.number).toBe(pull?.number);
      const prBody = gh.issue(REPO, pull?.number ?? 0).body ?? '';
      expect(prBody).toContain(`Closes #${issue.number}`);
      expect(prBody).toContain(`<!-- looper:loop=${loopId} -->`);
      expect(gh.requests.some((r) => r.route === 'POST /graphql' && r.status === 200)).toBe(true);

      // Exactly one state label at the end, one tracking comment edited in place.
      expect(stateLabelsOn(gh, issue.number)).toEqual(['looper:done']);
      const comments = issueCommentsBy(gh, issue.number, BOT);
      expect(comments).toHaveLength(1);
      const edits = gh.requests.filter(
        (r) => r.route === 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
      );
      expect(edits.length).toBeGreaterThan(0);
      expect(edits.every((r) => r.path.endsWith(`/comments/${comments[0]?.id}`))).toBe(true);

      // Looper's own checks reported on the head SHA.
      expect(gh.repo(REPO).statuses).toContainEqual(
        expect.objectContaining({
          sha: head,
          context: 'looper/checks',
          state: 'success',
          creator: BOT,
        }),
      );
      expect(gh.violations).toEqual([]);

      // No agent ever saw the GitHub token, under any name.
      const runs = fs
        .readFileSync(w.record, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { role: string; env: Record<string, string> });
      expect(runs.map((r) => r.role)).toEqual(['planner', 'plan_reviewer', 'worker', 'reviewer']);
      for (const run of runs) {
        expect(Object.keys(run.env)).not.toContain('GITHUB_TOKEN');
        expect(Object.keys(run.env)).not.toContain('GH_TOKEN');
        expect(JSON.stringify(run.env)).not.toContain(TOKEN);
      }
    } finally {
      await w.close();
    }
  });

  it('an untrusted label (read permission) → no loop, an intake.refused event naming the user', async ({
    expect,
  }) => {
    const w = await startWorld({ labels: true });
    try {
      const issue = w.gh.createIssue(REPO, { title: 'Delete everything' });
      const answer = await labelByWebhook(w, issue.number, 'mallory');
      expect(answer).toMatchObject({ status: 202, accepted: false });
      const events = await readEvents(w.env, {}, (e) => e.type === 'intake.refused');
      const refused = events.at(-1);
      expect(refused?.data).toMatchObject({ actor: 'mallory', number: issue.number });
      expect(String(refused?.data.reason)).toContain('mallory has read permission');
      expect(events.filter((e) => e.type === 'loop.created')).toEqual([]);
      expect(await api<LoopView[]>(w.env, '/loops')).toEqual([]);
      expect(w.gh.repo(REPO).pulls.size).toBe(0);
      expect(w.gh.violations).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it('the same webhook delivered twice, then once more with a new id → one loop', async ({
    expect,
  }) => {
    const w = await startWorld({ labels: true });
    try {
      const issue = w.gh.createIssue(REPO, { title: 'Fix add' });
      const first = await labelByWebhook(w, issue.number);
      expect(first).toMatchObject({ status: 202, accepted: true });
      const payload = await w.gh.webhookPayload({
        repo: REPO,
        event: 'issues',
        action: 'labeled',
        number: issue.number,
        label: 'looper:plan',
        sender: 'alice',
      });
      const again = await deliver(w, payload, first.deliveryId);
      expect(again).toMatchObject({ status: 202, accepted: false });
      expect(again.reason).toContain('already received');
      const other = await deliver(w, payload);
      expect(other.deliveryId).not.toBe(first.deliveryId);
      expect(other).toMatchObject({ status: 202, accepted: false });
      expect(other.reason).toContain(`already has an active loop (${first.loopId})`);

      expect(await finished(w, first.loopId ?? '', issue.number)).toMatchObject({
        stage: 'ready',
        reason: null,
      });
      const loops = await api<LoopView[]>(w.env, '/loops');
      expect(loops.map((l) => l.id)).toEqual([first.loopId]);
      expect(w.gh.repo(REPO).pulls.size).toBe(1);
      expect(w.gh.violations).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it('the poller picks up a trusted label; an idle repository costs no counted requests', async ({
    expect,
  }) => {
    const w = await startWorld({ pollSecs: 1, labels: true });
    try {
      const { gh } = w;
      const issue = gh.createIssue(REPO, { title: 'Fix add' });
      const feeds = [
        'GET /repos/{owner}/{repo}/issues/events',
        'GET /repos/{owner}/{repo}/issues/comments',
      ];
      const answered = (status: number) =>
        gh.requests.filter(
          (r) => r.route !== null && feeds.includes(r.route) && r.status === status,
        );
      // Waiting on the external side: the start-up label check done, both feeds answered once (200),
      // then a poll of free 304s.
      const labelsListed = () =>
        gh.requests.some((r) => r.route === 'GET /repos/{owner}/{repo}/labels' && r.status === 200);
      await eventually(
        () => labelsListed() && answered(304).length >= 2,
        (done) => done,
      );
      expect(answered(200)).toHaveLength(2);
      const counted = gh.counts.counted;
      const idle = answered(304).length;
      await eventually(
        () => answered(304).length,
        (n) => n >= idle + 4,
      );
      expect(answered(304).length).toBeGreaterThanOrEqual(idle + 4);
      expect(gh.counts.counted).toBe(counted);

      gh.addLabel(REPO, issue.number, 'looper:plan', 'alice');
      const created = await readEvents(w.env, {}, (e) => e.type === 'loop.created');
      const loopId = created.at(-1)?.loop_id ?? '';
      expect(created.at(-1)?.data).toMatchObject({ actor: 'alice', source: 'poll' });
      expect(await finished(w, loopId, issue.number)).toMatchObject({
        stage: 'ready',
        reason: null,
      });
      expect(stateLabelsOn(gh, issue.number)).toEqual(['looper:done']);
      expect(gh.violations).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it('a 502 burst and a 403 secondary rate limit mid-loop → the loop still ends ready', async ({
    expect,
  }) => {
    const w = await startWorld({ labels: true });
    try {
      const { gh } = w;
      gh.faults.serverError('/repos/{owner}/{repo}/pulls', 2, 502, 'POST');
      gh.faults.secondaryRateLimit('/repos/{owner}/{repo}/issues/comments/{comment_id}', {
        retryAfterSeconds: 1,
        method: 'PATCH',
      });
      const issue = gh.createIssue(REPO, { title: 'Fix add' });
      const admitted = await labelByWebhook(w, issue.number);
      expect(await finished(w, admitted.loopId ?? '', issue.number)).toMatchObject({
        stage: 'ready',
        reason: null,
      });
      expect(gh.faults.pending).toBe(0);
      expect(gh.counts.faults).toBe(3);
      expect(gh.repo(REPO).pulls.size).toBe(1);
      expect(issueCommentsBy(gh, issue.number, BOT)).toHaveLength(1);
      expect(stateLabelsOn(gh, issue.number)).toEqual(['looper:done']);
      expect(gh.violations).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it('CI red once on the PR → the fixer gets the failure, pushes, CI green → ready', async ({
    expect,
  }) => {
    const w = await startWorld({ labels: true });
    const ci = await startCi(w);
    try {
      const { gh } = w;
      const issue = gh.createIssue(REPO, { title: 'Fix add' });
      const admitted = await labelByWebhook(w, issue.number);
      const end = await finished(w, admitted.loopId ?? '', issue.number);
      expect(end).toMatchObject({ stage: 'ready', reason: null });
      const { events } = end;
      const stages = events.filter((e) => e.type === 'loop.stage').map((e) => e.data.to);
      expect(stages).toContain('fixing');
      // Spec push, work push (CI red), fixer push (CI green).
      expect(ci.pushes).toHaveLength(3);
      const failed = events.filter((e) => e.type === 'ci.failed');
      expect(failed.map((e) => e.data.sha)).toEqual([ci.pushes[1]]);
      const prompt = fs.readFileSync(`${w.record}.fixer-prompt`, 'utf8');
      expect(prompt).toContain('Failing CI checks and the end of their logs:');
      expect(prompt).toContain('ci: 1 test failed: add adds');
      const pull = [...gh.repo(REPO).pulls.values()][0];
      expect(pull?.draft).toBe(false);
      const head = git(gh.cloneUrl(REPO), 'rev-parse', pull?.head ?? '').trim();
      expect(head).toBe(ci.pushes[2]);
      expect(gh.repo(REPO).pulls.size).toBe(1);
      expect(stateLabelsOn(gh, issue.number)).toEqual(['looper:done']);
      expect(gh.violations).toEqual([]);
    } finally {
      await ci.close();
      await w.close();
    }
  });
});
