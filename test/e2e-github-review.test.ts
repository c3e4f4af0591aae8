// End to end, people's feedback on Looper's GitHub PR: a person's review comment sends the loop to
// the fixer, whose pushed fix is replied to and resolved in the thread; `ready` requests the
// configured reviewers. The comment lands while the work commit is being pushed (a pre-receive hook),
// so the `reviewing` step finds it before the reviewer runs.
import fs from 'node:fs';
import { describe, it } from 'vitest';
import type { LoopView } from '../src/api/index.js';
import {
  BOT,
  finished,
  labelByWebhook,
  onPush,
  REPO,
  startWorld,
  type World,
} from './support/github-loop-world.js';
import { api } from './support/loop-events.js';
import { git } from './support/looper-harness.js';

/** Calls `handler` with each pushed looper/ branch sha and its index among those pushes. */
async function onLooperPush(w: World, handler: (sha: string, index: number) => Promise<void>) {
  let count = 0;
  return onPush(w, async ({ ref, sha }) => {
    if (ref.startsWith('refs/heads/looper/')) await handler(sha, ++count);
  });
}

describe.concurrent('people’s review feedback on GitHub', { timeout: 120_000 }, () => {
  it('a person’s review comment → fixer → pushed, replied and resolved → ready, reviewers requested', async ({
    expect,
  }) => {
    const w = await startWorld({ projectToml: ['reviewers = ["alice"]'] });
    // While the work commit is pushed, alice comments on the spec (already in the PR's diff).
    const hook = await onLooperPush(w, async (_sha, index) => {
      if (index !== 2) return;
      const pull = [...w.gh.repo(REPO).pulls.values()][0];
      const spec = w.gh.repo(REPO).reviewComments.length === 0 && pull ? pull : null;
      if (!spec) return;
      const files = git(w.gh.cloneUrl(REPO), 'diff', '--name-only', `main..${spec.head}`);
      const specFile = files.split('\n').find((f) => f.startsWith('specs/')) ?? '';
      await w.gh.addReviewComment(REPO, spec.number, {
        path: specFile,
        line: 1,
        body: 'Please say in the spec which inputs were checked.',
        author: 'alice',
      });
    });
    try {
      const { gh } = w;
      const issue = gh.createIssue(REPO, { title: 'Fix add', body: 'add() subtracts.' });
      const admitted = await labelByWebhook(w, issue.number);
      const loopId = admitted.loopId ?? '';
      const done = await finished(w, loopId, issue.number);
      expect(done).toMatchObject({ stage: 'ready' });
      const loop = await api<LoopView>(w.env, `/loops/${loopId}`);
      const branch = loop.branch ?? '';

      // The thread went to the fixer, fenced as untrusted, and the loop passed through fixing.
      const { events } = done;
      const threads = events.filter((e) => e.type === 'review.threads');
      expect(threads).toHaveLength(1);
      const fixerPrompt = fs.readFileSync(`${w.record}.fixer-prompt`, 'utf8');
      expect(fixerPrompt).toContain('Please say in the spec which inputs were checked.');
      expect(fixerPrompt).toMatch(/untrusted/i);
      const stages = events.filter((e) => e.type === 'loop.stage').map((e) => e.data.to);
      expect(stages).toContain('fixing');
      const runs = fs
        .readFileSync(w.record, 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { role: string }).role);
      expect(runs).toEqual(['planner', 'plan_reviewer', 'worker', 'fixer', 'reviewer']);

      // The fix was pushed, then Looper replied with its sha in the thread and resolved it.
      const head = git(gh.cloneUrl(REPO), 'rev-parse', branch).trim();
      const repo = gh.repo(REPO);
      expect(repo.threads).toHaveLength(1);
      expect(repo.threads[0]).toMatchObject({ resolved: true, resolvedBy: BOT });
      const replies = repo.reviewComments.filter((c) => c.author === BOT);
      expect(replies.map((c) => c.body)).toEqual([`Addressed in ${head}.`]);
      expect(events.find((e) => e.type === 'review.threads.resolved')?.data).toMatchObject({
        sha: head,
      });

      // Ready: out of draft, the configured reviewer asked.
      const pull = [...repo.pulls.values()][0];
      expect(pull).toMatchObject({ draft: false, requestedReviewers: ['alice'] });
      expect(gh.violations).toEqual([]);
    } finally {
      await hook.close();
      await w.close();
    }
  });

  it('a conflict with the base → the fixer merges origin/main → pushed → ready', async ({
    expect,
  }) => {
    const w = await startWorld();
    // While the work commit is pushed, someone changes the same line on main.
    const hook = await onLooperPush(w, async (_sha, index) => {
      if (index !== 2) return;
      await w.gh.commit(REPO, 'main', {
        'src/math.js': 'export const add = (a, b) => a - b; // base\n',
      });
    });
    try {
      const { gh } = w;
      const issue = gh.createIssue(REPO, { title: 'Fix add', body: 'add() subtracts.' });
      const admitted = await labelByWebhook(w, issue.number);
      const loopId = admitted.loopId ?? '';
      const done = await finished(w, loopId, issue.number);
      expect(done).toMatchObject({ stage: 'ready' });
      const types = done.events.map((e) => e.type);
      expect(types).toContain('merge.conflict');
      expect(types).toContain('merge.conflict.fixed');
      const fixerPrompt = fs.readFileSync(`${w.record}.fixer-prompt`, 'utf8');
      expect(fixerPrompt).toContain('git merge origin/main');
      const loop = await api<LoopView>(w.env, `/loops/${loopId}`);
      const bare = gh.cloneUrl(REPO);
      // The branch now contains main's change, so the PR merges cleanly.
      git(bare, 'merge-base', '--is-ancestor', 'main', loop.branch ?? '');
      expect(gh.violations).toEqual([]);
    } finally {
      await hook.close();
      await w.close();
    }
  });
});
