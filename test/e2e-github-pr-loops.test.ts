// End to end, the PR loops of SPEC §3 against the GitHub emulator: `looper:fix` on a person's PR
// runs fixing ⇄ reviewing on the PR's own branch (never a new branch or PR) until green, then the
// label goes; `looper:review` reviews the head once per head SHA until the label is removed.
import fs from 'node:fs';
import { describe, it } from 'vitest';
import type { LoopView } from '../src/api/index.js';
import {
  BOT,
  ciOnPush,
  deliverAbout,
  finished,
  REPO,
  startWorld,
  type World,
} from './support/github-loop-world.js';
import { api } from './support/loop-events.js';
import { git } from './support/looper-harness.js';

const ALICE_TOKEN = 'ghp_aliceToken0123456789abcdef02';
const BRANCH = 'alice/mul';

function roles(w: World): string[] {
  return fs
    .readFileSync(w.record, 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { role: string }).role);
}

/** Alice pushes a branch (main's failing add() test included) and opens a PR for it. */
async function alicePullRequest(w: World): Promise<{ number: number; head: string }> {
  w.gh.addToken(ALICE_TOKEN, 'alice');
  const head = await w.gh.commit(
    REPO,
    BRANCH,
    { 'src/mul.js': 'export const mul = (a, b) => a * b;\n' },
    'Add mul',
  );
  const response = await fetch(`${w.gh.url}/repos/${REPO}/pulls`, {
    method: 'POST',
    headers: { authorization: `token ${ALICE_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Add mul', head: BRANCH, base: 'main', body: 'Adds mul().' }),
  });
  const pr = (await response.json()) as { number: number };
  return { number: pr.number, head };
}

/** Alice labels the PR and GitHub delivers `pull_request.labeled`. */
async function labelPull(w: World, number: number, label: string) {
  w.gh.addLabel(REPO, number, label, 'alice');
  return deliverAbout(w, {
    event: 'pull_request',
    action: 'labeled',
    number,
    label,
    sender: 'alice',
  });
}

describe.concurrent('pull request loops on GitHub', { timeout: 180_000 }, () => {
  it('looper:fix: red CI with its log → fixer on the PR’s own branch → green → label removed', async ({
    expect,
  }) => {
    const w = await startWorld();
    const ci = await ciOnPush(w, ({ ref }) => (ref === `refs/heads/${BRANCH}` ? 'success' : null));
    try {
      const { gh } = w;
      const pr = await alicePullRequest(w);
      gh.addCheckRun(REPO, pr.head, {
        name: 'ci',
        conclusion: 'failure',
        log: '✖ add adds\nAssertionError: expected 5, got -1\n',
      });
      const admitted = await labelPull(w, pr.number, 'looper:fix');
      expect(admitted).toMatchObject({ status: 202, accepted: true });
      const loopId = admitted.loopId ?? '';
      const done = await finished(w, loopId, pr.number);
      expect(done.stage).toBe('ready');
      expect(roles(w)).toEqual(['fixer', 'reviewer']);
      const prompt = fs.readFileSync(`${w.record}.fixer-prompt`, 'utf8');
      expect(prompt).toContain('<<<UNTRUSTED pull request #');
      expect(prompt).toContain('AssertionError: expected 5, got -1');

      // Looper's fix is one commit on top of Alice's, on her branch; no other branch or PR.
      const bare = gh.cloneUrl(REPO);
      const log = git(bare, 'log', '--format=%an|%s', `main..${BRANCH}`).trim().split('\n');
      expect(log).toEqual([`Looper|Add mul (#${pr.number})`, expect.stringMatching(/\|Add mul$/)]);
      git(bare, 'merge-base', '--is-ancestor', pr.head, BRANCH);
      expect(git(bare, 'show', `${BRANCH}:src/math.js`)).toContain('a + b');
      expect(git(bare, 'branch', '--list', 'looper/*').trim()).toBe('');
      expect(gh.repo(REPO).pulls.size).toBe(1);
      const loop = await api<LoopView>(w.env, `/loops/${loopId}`);
      expect(loop).toMatchObject({ kind: 'fix', branch: BRANCH, pr: { number: pr.number } });
      expect(gh.issue(REPO, pr.number).labels).not.toContain('looper:fix');
      // Its review is on the PR; the tracking comment too.
      const reviews = gh.repo(REPO).reviews.filter((r) => r.author === BOT);
      expect(reviews).toHaveLength(1);
      expect(gh.violations).toEqual([]);
    } finally {
      await ci.close();
      await w.close();
    }
  });

  it('looper:review: one review per head SHA, again after a push, until the label is removed', async ({
    expect,
  }) => {
    const w = await startWorld();
    try {
      const { gh } = w;
      const pr = await alicePullRequest(w);
      const admitted = await labelPull(w, pr.number, 'looper:review');
      expect(admitted).toMatchObject({ status: 202, accepted: true });
      const loopId = admitted.loopId ?? '';
      const first = await finished(w, loopId, pr.number);
      expect(first.stage).toBe('ready');
      const bot = () => gh.repo(REPO).reviews.filter((r) => r.author === BOT);
      expect(bot().map((r) => r.commitId)).toEqual([pr.head]);

      // The same head again (any delivery about the PR): nothing to do.
      const same = await deliverAbout(w, {
        event: 'pull_request',
        action: 'assigned',
        number: pr.number,
        sender: 'alice',
      });
      expect(same).toMatchObject({ accepted: false, reason: 'merge watch: 0 loop(s) changed' });

      // Alice pushes: GitHub says `synchronize`; the new head is reviewed.
      const next = await gh.commit(
        REPO,
        BRANCH,
        { 'src/mul.js': 'export const mul = (a, b) => b * a;\n' },
        'Swap',
      );
      const pushed = await deliverAbout(w, {
        event: 'pull_request',
        action: 'synchronize',
        number: pr.number,
        sender: 'alice',
      });
      expect(pushed).toMatchObject({ accepted: true });
      const second = await finished(w, loopId, pr.number, first.events.at(-1)?.id);
      expect(second.stage).toBe('ready');
      expect(bot().map((r) => r.commitId)).toEqual([pr.head, next]);
      expect(roles(w)).toEqual(['reviewer', 'reviewer']);
      // Never pushed to Alice's branch, never labelled her PR with a state.
      expect(git(gh.cloneUrl(REPO), 'rev-parse', BRANCH).trim()).toBe(next);
      expect(gh.issue(REPO, pr.number).labels).toEqual(['looper:review']);

      // The label is removed: the loop ends.
      gh.removeLabel(REPO, pr.number, 'looper:review', 'alice');
      await deliverAbout(w, {
        event: 'pull_request',
        action: 'unlabeled',
        number: pr.number,
        label: 'looper:review',
        sender: 'alice',
      });
      const end = await finished(w, loopId, pr.number, second.events.at(-1)?.id);
      expect(end).toMatchObject({
        stage: 'cancelled',
        reason: 'the looper:review label was removed',
      });
      expect(gh.violations).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it('looper:review on a PR from a fork reviews its head, read from refs/pull/N/head', async ({
    expect,
  }) => {
    const w = await startWorld();
    try {
      const { gh } = w;
      const pr = await alicePullRequest(w);
      gh.setPullHeadRepo(REPO, pr.number, 'alice/app');
      // A fork's branch is not in the base repository; only GitHub's refs/pull/<n>/head is.
      git(gh.cloneUrl(REPO), 'update-ref', '-d', `refs/heads/${BRANCH}`);
      const admitted = await labelPull(w, pr.number, 'looper:review');
      expect(admitted).toMatchObject({ status: 202, accepted: true });
      const done = await finished(w, admitted.loopId ?? '', pr.number);
      expect(done.stage).toBe('ready');
      const reviews = gh.repo(REPO).reviews.filter((r) => r.author === BOT);
      expect(reviews.map((r) => r.commitId)).toEqual([pr.head]);
      // The reviewer saw the PR's change (its diff against main) in its worktree.
      const loop = await api<LoopView>(w.env, `/loops/${admitted.loopId}`);
      expect(loop).toMatchObject({ kind: 'review', branch: `looper/pr-${pr.number}` });
      expect(git(gh.cloneUrl(REPO), 'branch', '--list', 'looper/*').trim()).toBe('');
      expect(gh.violations).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it('looper:fix on a PR from a fork stops with a reason: Looper cannot push there', async ({
    expect,
  }) => {
    const w = await startWorld();
    try {
      const pr = await alicePullRequest(w);
      w.gh.setPullHeadRepo(REPO, pr.number, 'alice/app');
      const admitted = await labelPull(w, pr.number, 'looper:fix');
      const done = await finished(w, admitted.loopId ?? '', pr.number);
      expect(done).toMatchObject({
        stage: 'needs_human',
        reason: expect.stringContaining('comes from the fork alice/app'),
      });
      expect(fs.existsSync(w.record)).toBe(false);
      expect(w.gh.violations).toEqual([]);
    } finally {
      await w.close();
    }
  });
});
