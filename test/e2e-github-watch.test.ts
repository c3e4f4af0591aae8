// End to end, the merge watch (SPEC §3.10) against the GitHub emulator: `ready` is not the end. A
// person's CHANGES_REQUESTED review and red CI on the ready PR (its job log handed to the fixer) send
// the loop back to fixing and then to ready again; a merge ends it `merged`. Auto-merge when the
// project opted in; a PR closed by a person comes back when the issue is labelled again.
import fs from 'node:fs';
import { describe, it } from 'vitest';
import type { LoopView } from '../src/api/index.js';
import {
  BOT,
  ciOnPush,
  deliverAbout,
  deliverEvent,
  finished,
  labelByWebhook,
  REPO,
  startWorld,
  type World,
} from './support/github-loop-world.js';
import { api, eventually } from './support/loop-events.js';
import { git } from './support/looper-harness.js';

const ALICE_TOKEN = 'ghp_aliceToken0123456789abcdef01';

/** Runs one issue to `ready` by webhook; CI is green on every pushed head but the spec's. */
async function readyLoop(w: World) {
  const issue = w.gh.createIssue(REPO, { title: 'Fix add', body: 'add() subtracts.' });
  const admitted = await labelByWebhook(w, issue.number);
  const loopId = admitted.loopId ?? '';
  const done = await finished(w, loopId, issue.number);
  const loop = await api<LoopView>(w.env, `/loops/${loopId}`);
  return { issue, loopId, done, loop, pr: loop.pr?.number ?? 0, branch: loop.branch ?? '' };
}

function roles(w: World): string[] {
  return fs
    .readFileSync(w.record, 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { role: string }).role);
}

/** A person's REST call to the emulator (counted like any client's). */
async function asAlice(w: World, method: string, route: string, body: unknown) {
  const response = await fetch(`${w.gh.url}${route}`, {
    method,
    headers: { authorization: `token ${ALICE_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

describe.concurrent('merge watch on GitHub', { timeout: 180_000 }, () => {
  it('a ready PR goes back to fixing for a CHANGES_REQUESTED review, then for red CI with its log, and ends merged', async ({
    expect,
  }) => {
    const w = await startWorld();
    const ci = await ciOnPush(w, ({ index }) => (index >= 2 ? 'success' : null));
    try {
      const { gh } = w;
      const first = await readyLoop(w);
      expect(first.done.stage).toBe('ready');

      // Alice asks for changes in a review body (no inline thread); GitHub delivers it.
      const review = gh.addReview(REPO, first.pr, {
        author: 'alice',
        state: 'CHANGES_REQUESTED',
        body: 'Please also document add() in the README.',
      });
      const reviewed = await deliverAbout(w, {
        event: 'pull_request_review',
        action: 'submitted',
        number: first.pr,
        reviewId: review.id,
        sender: 'alice',
      });
      expect(reviewed).toMatchObject({ status: 202, accepted: true });
      const lastId = first.done.events.at(-1)?.id ?? 0;
      const second = await finished(w, first.loopId, first.issue.number, lastId);
      expect(second.stage).toBe('ready');
      const stages = second.events.filter((e) => e.type === 'loop.stage').map((e) => e.data.to);
      expect(stages).toEqual(['fixing', 'checking', 'pr_open', 'reviewing', 'ready']);
      const prompt = fs.readFileSync(`${w.record}.fixer-prompt`, 'utf8');
      expect(prompt).toContain('<<<UNTRUSTED review by @alice requesting changes');
      expect(prompt).toContain('Please also document add() in the README.');
      const addressed = second.events.find((e) => e.type === 'review.changes.addressed');
      expect(addressed?.data).toMatchObject({ ids: [review.id] });
      const head = git(gh.cloneUrl(REPO), 'rev-parse', first.branch).trim();
      const told = gh.repo(REPO).comments.filter((c) => c.number === first.pr && c.author === BOT);
      expect(told.map((c) => c.body).join('\n')).toContain(
        `@alice Looper addressed the changes you requested in ${head}`,
      );

      // A re-run of CI fails on the ready head; the fixer gets the Actions job log.
      const run = gh.addCheckRun(REPO, head, {
        name: 'nightly',
        conclusion: 'failure',
        log: [
          '2026-12-04T17:00:01.0000000Z > node --test',
          '2026-12-04T17:00:02.0000000Z ✖ add handles large numbers',
          '2026-12-04T17:00:02.1000000Z AssertionError: expected 3000000000, got -1294967296',
          '',
        ].join('\n'),
      });
      const payload = await gh.webhookPayload({
        repo: REPO,
        event: 'check_run',
        action: 'completed',
        checkRunId: run.id,
      });
      (payload.check_run as Record<string, unknown>).pull_requests = [{ number: first.pr }];
      const red = await deliverEvent(w, 'check_run', payload);
      expect(red).toMatchObject({ status: 202, accepted: true });
      const third = await finished(w, first.loopId, first.issue.number, second.events.at(-1)?.id);
      expect(third.stage).toBe('ready');
      const failed = third.events.find((e) => e.type === 'ci.failed');
      expect(failed?.data).toMatchObject({ sha: head, checks: ['nightly'], logs: 1 });
      const fixerPrompt = fs.readFileSync(`${w.record}.fixer-prompt`, 'utf8');
      expect(fixerPrompt).toContain('AssertionError: expected 3000000000, got -1294967296');
      expect(fixerPrompt).toContain('<<<UNTRUSTED CI output');
      expect(roles(w)).toEqual([
        'planner',
        'plan_reviewer',
        'worker',
        'reviewer',
        'fixer',
        'reviewer',
        'fixer',
        'reviewer',
      ]);

      // Alice merges: the loop ends merged and its worktree goes.
      await gh.mergePullRequest(REPO, first.pr, 'alice');
      const merged = await deliverAbout(w, {
        event: 'pull_request',
        action: 'closed',
        number: first.pr,
        sender: 'alice',
      });
      expect(merged).toMatchObject({ accepted: true });
      const end = await finished(w, first.loopId, first.issue.number, third.events.at(-1)?.id);
      expect(end.stage).toBe('merged');
      expect(end.events.map((e) => e.type)).toContain('worktree.removed');
      expect(gh.violations).toEqual([]);
    } finally {
      await ci.close();
      await w.close();
    }
  });

  it('auto-merge: enabled at ready, GitHub merges when the required check passes, the loop ends merged', async ({
    expect,
  }) => {
    const w = await startWorld({ pollSecs: 1, extraToml: ['[loop]', 'auto-merge = true'] });
    w.gh.setAllowAutoMerge(REPO);
    w.gh.protectBranch(REPO, 'main', { requiredChecks: ['ci', 'deploy-preview'] });
    const ci = await ciOnPush(w, ({ index }) => (index >= 2 ? 'success' : null));
    try {
      const { gh } = w;
      const first = await readyLoop(w);
      expect(first.done.stage).toBe('ready');
      const auto = await eventually(
        () =>
          api<{ type: string; data: Record<string, unknown> }[]>(
            w.env,
            `/events?loop=${first.loopId}`,
          ),
        (events) => events.some((e) => e.type === 'pr.auto_merge'),
      );
      expect(auto.find((e) => e.type === 'pr.auto_merge')?.data).toMatchObject({
        number: first.pr,
        status: 'enabled',
      });
      expect(gh.repo(REPO).pulls.get(first.pr)?.merged).toBe(false);
      // The last required check passes: GitHub merges; the poller's merge watch sees it.
      const head = git(gh.cloneUrl(REPO), 'rev-parse', first.branch).trim();
      gh.addCheckRun(REPO, head, { name: 'deploy-preview', conclusion: 'success' });
      const end = await finished(w, first.loopId, first.issue.number, first.done.events.at(-1)?.id);
      expect(end.stage).toBe('merged');
      expect(gh.repo(REPO).pulls.get(first.pr)?.merged).toBe(true);
      expect(gh.violations).toEqual([]);
    } finally {
      await ci.close();
      await w.close();
    }
  });

  it('a PR closed by a person cancels the loop; labelling the issue again reopens the same PR', async ({
    expect,
  }) => {
    const w = await startWorld();
    w.gh.addToken(ALICE_TOKEN, 'alice');
    const ci = await ciOnPush(w, ({ index }) => (index >= 2 ? 'success' : null));
    try {
      const { gh } = w;
      const first = await readyLoop(w);
      await asAlice(w, 'PATCH', `/repos/${REPO}/pulls/${first.pr}`, { state: 'closed' });
      await deliverAbout(w, {
        event: 'pull_request',
        action: 'closed',
        number: first.pr,
        sender: 'alice',
      });
      const closed = await finished(
        w,
        first.loopId,
        first.issue.number,
        first.done.events.at(-1)?.id,
      );
      expect(closed).toMatchObject({
        stage: 'cancelled',
        reason: 'the pull request was closed without merging',
      });

      // Labelled again: a new loop on the same branch, and the same PR reopened.
      gh.removeLabel(REPO, first.issue.number, 'looper:plan', 'alice');
      const again = await labelByWebhook(w, first.issue.number, 'alice', 'relabel-1');
      expect(again.accepted).toBe(true);
      const second = await finished(w, again.loopId ?? '', first.issue.number);
      expect(second.stage).toBe('ready');
      expect(second.events.find((e) => e.type === 'pr.reopened')?.data).toMatchObject({
        number: first.pr,
      });
      const loop = await api<LoopView>(w.env, `/loops/${again.loopId}`);
      expect(loop).toMatchObject({ pr: { number: first.pr }, branch: first.branch });
      expect(gh.repo(REPO).pulls.size).toBe(1);
      expect(gh.repo(REPO).pulls.get(first.pr)).toMatchObject({ draft: false, merged: false });
      expect(gh.issue(REPO, first.pr).state).toBe('open');
      expect(gh.violations).toEqual([]);
    } finally {
      await ci.close();
      await w.close();
    }
  });

  it('an idle ready PR costs no counted requests: the merge watch and GET /loops ask with ETags', async ({
    expect,
  }) => {
    const w = await startWorld({ pollSecs: 1 });
    const ci = await ciOnPush(w, ({ index }) => (index >= 2 ? 'success' : null));
    try {
      const { gh } = w;
      const first = await readyLoop(w);
      expect(first.done.stage).toBe('ready');
      const notModifiedSince = (from: number) =>
        gh.requests.slice(from).filter((r) => r.status === 304).length;
      // Once the poller has looked at the ready PR and its checks, every poll is a 304 (free).
      const settled = await eventually(
        () => {
          const lastCounted = gh.requests.findLastIndex((r) => r.counted);
          return { lastCounted, quiet: notModifiedSince(lastCounted + 1) };
        },
        (s) => s.quiet >= 10,
        30_000,
      );
      expect(settled.quiet).toBeGreaterThanOrEqual(10);
      const counted = gh.counts.counted;
      const from = gh.requests.length;
      await eventually(
        () => notModifiedSince(from),
        (n) => n >= 10,
        30_000,
      );
      const routes = new Set(gh.requests.slice(from).map((r) => r.route));
      expect(routes).toContain('GET /repos/{owner}/{repo}/pulls/{pull_number}');
      expect(routes).toContain('GET /repos/{owner}/{repo}/commits/{ref}/check-runs');
      expect(gh.counts.counted).toBe(counted);
      // Listing loops shows the PR from the same snapshot: no counted request either.
      const loops = await api<LoopView[]>(w.env, '/loops');
      expect(loops.find((l) => l.id === first.loopId)?.pr).toMatchObject({
        number: first.pr,
        state: 'open',
        url: expect.stringContaining(`/pull/${first.pr}`),
      });
      expect(gh.counts.counted).toBe(counted);
      expect(gh.violations).toEqual([]);
    } finally {
      await ci.close();
      await w.close();
    }
  });

  it('labelled again after needs_human: the new loop takes the branch over and builds on a person’s push', async ({
    expect,
  }) => {
    const w = await startWorld({ extraToml: ['[loop]', 'max-fix-rounds = 0'] });
    // The work commit's CI fails; with no fix rounds allowed the first loop stops for a person.
    const ci = await ciOnPush(w, ({ index }) =>
      index === 2 ? 'failure' : index > 2 ? 'success' : null,
    );
    try {
      const { gh } = w;
      const first = await readyLoop(w);
      expect(first.done).toMatchObject({
        stage: 'needs_human',
        reason: expect.stringContaining('loop.max-fix-rounds (0)'),
      });
      // Alice pushes to the branch herself (CI passes on it), then labels the issue again.
      const human = await gh.commit(
        REPO,
        first.branch,
        { 'NOTES.md': 'checked\n' },
        'Alice: notes',
      );
      gh.addCheckRun(REPO, human, { name: 'ci', conclusion: 'success' });
      gh.removeLabel(REPO, first.issue.number, 'looper:plan', 'alice');
      const again = await labelByWebhook(w, first.issue.number, 'alice', 'relabel-2');
      expect(again.accepted).toBe(true);
      const second = await finished(w, again.loopId ?? '', first.issue.number);
      expect({ stage: second.stage, reason: second.reason }).toEqual({
        stage: 'ready',
        reason: null,
      });
      // It built on Alice's commit (fast-forward), never over it.
      expect(second.events.find((e) => e.type === 'git.synced')?.data).toMatchObject({
        sha: human,
      });
      git(gh.cloneUrl(REPO), 'merge-base', '--is-ancestor', human, first.branch);
      const loop = await api<LoopView>(w.env, `/loops/${again.loopId}`);
      expect(loop).toMatchObject({ branch: first.branch, pr: { number: first.pr } });
      // The stopped loop's clean worktree was removed for it; one PR throughout.
      const removed = await api<{ type: string; data: Record<string, unknown> }[]>(
        w.env,
        `/events?loop=${first.loopId}`,
      );
      expect(removed.find((e) => e.type === 'worktree.removed')?.data.reason).toBe(
        `its branch was taken over by loop ${again.loopId}`,
      );
      expect(gh.repo(REPO).pulls.size).toBe(1);
      expect(gh.violations).toEqual([]);
    } finally {
      await ci.close();
      await w.close();
    }
  });

  it('the base moves under a ready PR and conflicts: the poller sees it, the fixer merges the base', async ({
    expect,
  }) => {
    const w = await startWorld({ pollSecs: 1 });
    const ci = await ciOnPush(w, ({ index }) => (index >= 2 ? 'success' : null));
    try {
      const { gh } = w;
      const first = await readyLoop(w);
      expect(first.done.stage).toBe('ready');
      // Someone changes the same line on main; no webhook says so (a push to main is not watched).
      await gh.commit(REPO, 'main', {
        'src/math.js': 'export const add = (a, b) => a - b; // base\n',
      });
      const again = await finished(
        w,
        first.loopId,
        first.issue.number,
        first.done.events.at(-1)?.id,
      );
      expect(again.stage).toBe('ready');
      const types = again.events.map((e) => e.type);
      expect(types).toContain('merge.conflict');
      expect(types).toContain('merge.conflict.fixed');
      expect(fs.readFileSync(`${w.record}.fixer-prompt`, 'utf8')).toContain(
        'git merge origin/main',
      );
      git(gh.cloneUrl(REPO), 'merge-base', '--is-ancestor', 'main', first.branch);
      expect(gh.violations).toEqual([]);
    } finally {
      await ci.close();
      await w.close();
    }
  });

  it('a ready loop whose worktree was cleaned up goes back to fixing on a fresh checkout', async ({
    expect,
  }) => {
    const w = await startWorld({ extraToml: ['[worktrees]', 'retention-hours = 0'] });
    const ci = await ciOnPush(w, ({ index }) => (index >= 2 ? 'success' : null));
    try {
      const { gh } = w;
      const first = await readyLoop(w);
      expect(first.done.stage).toBe('ready');
      const cleaned = await w.env.json<{ removed: { loop_id: string }[] }>(['worktree', 'cleanup']);
      expect(cleaned.data.removed.map((r) => r.loop_id)).toContain(first.loopId);
      const review = gh.addReview(REPO, first.pr, {
        author: 'alice',
        state: 'CHANGES_REQUESTED',
        body: 'Please add a comment above add().',
      });
      await deliverAbout(w, {
        event: 'pull_request_review',
        action: 'submitted',
        number: first.pr,
        reviewId: review.id,
        sender: 'alice',
      });
      const again = await finished(
        w,
        first.loopId,
        first.issue.number,
        first.done.events.at(-1)?.id,
      );
      expect(again.stage).toBe('ready');
      expect(again.events.map((e) => e.type)).toContain('review.changes.addressed');
      // The fix sits on top of the branch as pushed before: nothing was lost with the worktree.
      const bare = gh.cloneUrl(REPO);
      expect(
        git(bare, 'log', '--format=%s', `main..${first.branch}`).trim().split('\n'),
      ).toHaveLength(3);
      expect(gh.violations).toEqual([]);
    } finally {
      await ci.close();
      await w.close();
    }
  });
});
