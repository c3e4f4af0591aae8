// The GitHub gateway against the GitHub emulator: every Forge method, the GitHub-only operations
// (reviews, job logs, auto-merge), transient faults (502 bursts, secondary rate limits with
// Retry-After) and conditional polling.
// Every emulator response is checked against GitHub's OpenAPI description after each test.
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isLooperError, type LooperError } from '../src/domain/index.js';
import {
  createGitHubForge,
  type ForgeLog,
  type GitHubForge,
  type GitHubForgeOptions,
  looperLabels,
  type ProjectRef,
  readLoopMarker,
} from '../src/forge/index.js';
import {
  blobRoute,
  type GitHubEmulator,
  startGitHubEmulator,
} from './support/github-emulator/index.js';

const TOKEN = 'ghp_forge_test_token_0123456789';
const BOT = 'looper-bot';

let gh: GitHubEmulator;
let repoCount = 0;

beforeAll(async () => {
  gh = await startGitHubEmulator({ tokens: { [TOKEN]: BOT, ghp_other: 'outsider' } });
});
afterAll(async () => {
  await gh?.close();
});
afterEach(() => {
  const violations = [...gh.violations];
  gh.violations.length = 0;
  gh.faults.clear();
  expect(violations).toEqual([]);
});

interface Logged {
  level: 'info' | 'warn' | 'error';
  data: object;
  message: string;
}

function capturingLog(): { log: ForgeLog; lines: Logged[] } {
  const lines: Logged[] = [];
  const at = (level: Logged['level']) => (data: object, message: string) =>
    lines.push({ level, data, message });
  return { log: { info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

function forge(overrides: Partial<GitHubForgeOptions> = {}): GitHubForge {
  return createGitHubForge({
    apiUrl: gh.url,
    token: TOKEN,
    throttle: { retries: 4, backoffMs: 5, retryAfterUnitMs: 20, writeSpacingMs: 0 },
    mergeability: { attempts: 3, delayMs: 0 },
    ...overrides,
  });
}

/** A fresh repo with the bot as a writer and a branch `feature` one commit ahead of main. */
async function setup(): Promise<{ project: ProjectRef; name: string; headSha: string }> {
  repoCount += 1;
  const name = `acme/app-${repoCount}`;
  await gh.createRepo(name, {
    files: { 'src/a.ts': `${Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n')}\n` },
    collaborators: { [BOT]: 'write', reviewer: 'write' },
  });
  const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
  lines[9] = 'line 10 changed';
  const headSha = await gh.commit(name, 'feature', {
    'src/a.ts': `${lines.join('\n')}\n`,
    'src/b.ts': 'export const b = 1;\n',
  });
  return { project: { id: `p${repoCount}`, repo: name, path: null }, name, headSha };
}

async function rejection(promise: Promise<unknown>): Promise<LooperError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isLooperError(error)) throw new Error(`expected a LooperError, got ${String(error)}`);
  return error;
}

const openDraft = (f: GitHubForge, project: ProjectRef) =>
  f.openPullRequest(project, {
    head: 'feature',
    base: 'main',
    title: '[Looper] Fix it',
    body: 'Closes #1\n\n<!-- looper:loop=loop_42 -->',
    draft: true,
  });

describe('issues, labels and comments', () => {
  it('reads an issue and reports a missing one as not_found', async () => {
    const { project, name } = await setup();
    gh.createIssue(name, { title: 'Crash on start', body: 'Stack trace', labels: ['bug'] });
    const f = forge();
    const issue = await f.getIssue(project, 1);
    expect(issue).toMatchObject({ number: 1, title: 'Crash on start', body: 'Stack trace' });
    expect(issue.labels).toEqual(['bug']);
    expect(issue.state).toBe('open');
    expect((await rejection(f.getIssue(project, 99))).code).toBe('not_found');
  });

  it('keeps exactly one state label, creates SPEC labels with colours once, leaves others', async () => {
    const { project, name } = await setup();
    gh.createIssue(name, { title: 'T', labels: ['bug', 'looper:plan'] });
    const f = forge();
    await f.setStateLabel(project, 1, 'looper:planning');
    await f.setStateLabel(project, 1, 'looper:working');
    expect(gh.issue(name, 1).labels).toEqual(['bug', 'looper:plan', 'looper:working']);
    const colours = Object.fromEntries(gh.repo(name).labels.map((l) => [l.name, l.color]));
    for (const spec of looperLabels.filter((l) => l.name !== 'looper:plan')) {
      expect(colours[spec.name]).toBe(spec.color);
    }
    // A label the repo already had keeps the colour its people chose.
    expect(colours['looper:plan']).toBe('ededed');
    expect(gh.counts.byRoute['GET /repos/{owner}/{repo}/labels']).toBe(1);
    await f.setStateLabel(project, 1, null);
    expect(gh.issue(name, 1).labels).toEqual(['bug', 'looper:plan']);
    expect((await rejection(f.setStateLabel(project, 1, 'bug'))).code).toBe('bad_request');
  });

  it('adds and removes labels; removing an absent label is fine', async () => {
    const { project, name } = await setup();
    gh.createIssue(name, { title: 'T' });
    const f = forge();
    await f.addLabels(project, 1, ['looper:fix']);
    await f.removeLabel(project, 1, 'looper:fix');
    await f.removeLabel(project, 1, 'looper:fix');
    expect(gh.issue(name, 1).labels).toEqual([]);
    expect(
      await f.ensureLabels(project, [{ name: 'x', color: '123456', description: '' }]),
    ).toEqual(['x']);
  });

  it('edits the tracking comment in place and never adopts a look-alike by someone else', async () => {
    const { project, name } = await setup();
    gh.createIssue(name, { title: 'T' });
    gh.comment(name, 1, '<!-- looper:key=tracking -->\nfake', 'outsider');
    const f = forge();
    const first = await f.upsertComment(project, 1, 'tracking', 'stage: planning');
    const second = await forge().upsertComment(project, 1, 'tracking', 'stage: working');
    expect(second.id).toBe(first.id);
    const mine = gh.repo(name).comments.filter((c) => c.author === BOT);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.body).toBe('<!-- looper:key=tracking -->\nstage: working');
    const listed = await f.listComments(project, 1);
    expect(listed.map((c) => [c.author, c.key, c.body])).toEqual([
      ['outsider', 'tracking', 'fake'],
      [BOT, 'tracking', 'stage: working'],
    ]);
    expect((await f.findComment(project, 1, 'tracking'))?.id).toBe(first.id);
  });

  it('re-creates the tracking comment when someone deleted it', async () => {
    const { project, name } = await setup();
    gh.createIssue(name, { title: 'T' });
    const f = forge();
    const first = await f.upsertComment(project, 1, 'tracking', 'one');
    gh.repo(name).comments.length = 0;
    const again = await f.upsertComment(project, 1, 'tracking', 'two');
    expect(again.id).not.toBe(first.id);
    expect(gh.repo(name).comments.map((c) => c.body)).toEqual([
      '<!-- looper:key=tracking -->\ntwo',
    ]);
  });
});

describe('pull requests', () => {
  it('opens one draft PR per head, finds it, updates it and reads its state', async () => {
    const { project, name, headSha } = await setup();
    const f = forge();
    const pr = await openDraft(f, project);
    expect(pr).toMatchObject({ state: 'draft', head: 'feature', base: 'main', headSha });
    expect(readLoopMarker(pr.body)).toBe('loop_42');
    expect((await openDraft(f, project)).number).toBe(pr.number);
    expect(gh.repo(name).pulls.size).toBe(1);
    expect((await f.findPullRequest(project, { head: 'feature' }))?.number).toBe(pr.number);
    expect(await f.findPullRequest(project, { head: 'nope' })).toBeNull();
    const updated = await f.updatePullRequest(project, pr.number, { title: 'New title' });
    expect(updated.title).toBe('New title');
    const pushed = await gh.commit(name, 'feature', { 'src/c.ts': 'c\n' });
    const same = await f.updatePullRequest(project, pr.number, { headSha: pushed });
    expect(same.headSha).toBe(pushed);
    expect(await f.getPullRequestState(project, pr.number)).toBe('draft');
    await gh.mergePullRequest(name, pr.number, 'reviewer');
    expect(await f.getPullRequestState(project, pr.number)).toBe('merged');
    expect((await f.getPullRequest(project, pr.number)).state).toBe('merged');
  });

  it('marks ready through GraphQL, which REST draft:false cannot do', async () => {
    const { project, name } = await setup();
    const f = forge();
    const pr = await openDraft(f, project);
    const patch = await fetch(`${gh.url}/repos/${name}/pulls/${pr.number}`, {
      method: 'PATCH',
      headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ draft: false }),
    });
    expect(patch.status).toBe(200);
    expect((await patch.json()) as { draft: boolean }).toMatchObject({ draft: true });
    await f.markReady(project, pr.number);
    expect(await f.getPullRequestState(project, pr.number)).toBe('open');
    expect(gh.counts.byRoute['POST /graphql']).toBeGreaterThan(0);
    await f.markReady(project, pr.number);
    await fetch(`${gh.url}/repos/${name}/pulls/${pr.number}`, {
      method: 'PATCH',
      headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'closed' }),
    });
    expect((await rejection(f.markReady(project, pr.number))).code).toBe('conflict');
  });

  it('re-reads mergeable while GitHub computes it, and reports a conflict', async () => {
    const { project, name } = await setup();
    const pr = await openDraft(forge(), project);
    await gh.commit(name, 'feature', { 'src/c.ts': 'pushed\n' });
    const once = await forge({ mergeability: { attempts: 1, delayMs: 0 } }).getMergeability(
      project,
      pr.number,
    );
    expect(once.mergeable).toBeNull();
    expect(await forge().getMergeability(project, pr.number)).toMatchObject({ mergeable: true });
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    lines[9] = 'line 10 changed differently on main';
    await gh.commit(name, 'main', { 'src/a.ts': `${lines.join('\n')}\n` });
    const conflicted = await forge().getMergeability(project, pr.number);
    expect(conflicted).toMatchObject({ mergeable: false, state: 'dirty' });
  });

  it('carries the labels and says whether the head is a fork', async () => {
    const { project, name } = await setup();
    const f = forge();
    const pr = await openDraft(f, project);
    expect(pr).toMatchObject({ labels: [], headRepo: null });
    gh.addLabel(name, pr.number, 'looper:fix', 'reviewer');
    expect(await f.getPullRequest(project, pr.number)).toMatchObject({
      labels: ['looper:fix'],
      headRepo: null,
    });
    expect((await f.findPullRequest(project, { head: 'feature' }))?.labels).toEqual(['looper:fix']);
    gh.setPullHeadRepo(name, pr.number, 'contrib/app-fork');
    expect(await f.getPullRequest(project, pr.number)).toMatchObject({
      headRepo: 'contrib/app-fork',
      labels: ['looper:fix'],
    });
    const updated = await f.updatePullRequest(project, pr.number, { title: 'Fork' });
    expect(updated.headRepo).toBe('contrib/app-fork');
  });

  it('reopens a closed PR (a draft stays a draft), never a merged one', async () => {
    const { project, name } = await setup();
    const f = forge();
    const pr = await openDraft(f, project);
    const closed = await f.updatePullRequest(project, pr.number, { state: 'closed' });
    expect(closed.state).toBe('closed');
    expect(gh.issue(name, pr.number).state).toBe('closed');
    const reopened = await f.updatePullRequest(project, pr.number, { state: 'open' });
    expect(reopened.state).toBe('draft');
    expect(gh.repo(name).events.map((e) => e.event)).toEqual(['closed', 'reopened']);
    expect((await f.updatePullRequest(project, pr.number, { state: 'open' })).state).toBe('draft');
    await gh.mergePullRequest(name, pr.number, 'reviewer');
    const error = await rejection(f.updatePullRequest(project, pr.number, { state: 'open' }));
    expect(error.code).toBe('validation_failed');
    expect(error.message).toContain('cannot be reopened');
  });

  it('requests reviewers, never itself', async () => {
    const { project, name } = await setup();
    const f = forge();
    const pr = await openDraft(f, project);
    await f.requestReviewers(project, pr.number, { users: ['reviewer', BOT] });
    expect(gh.repo(name).pulls.get(pr.number)?.requestedReviewers).toEqual(['reviewer']);
  });
});

describe('reviews and threads', () => {
  it('anchors comments to the diff so the review is accepted, once per key', async () => {
    const { project, name, headSha } = await setup();
    const f = forge();
    const pr = await openDraft(f, project);
    const review = {
      key: 'loop_42:review:1',
      headSha,
      verdict: 'request_changes' as const,
      body: 'Two things.',
      comments: [
        { path: 'src/a.ts', line: 10, body: 'in the diff' },
        { path: 'src/a.ts', line: 25, body: 'outside the hunk' },
        { path: 'README.md', line: 1, body: 'not in the diff' },
      ],
    };
    await f.publishReview(project, pr.number, review);
    await f.publishReview(project, pr.number, review);
    const repo = gh.repo(name);
    expect(repo.reviews).toHaveLength(1);
    // Its own PR: the verdict is said in a COMMENT review (GitHub refuses REQUEST_CHANGES).
    expect(repo.reviews[0]?.state).toBe('COMMENTED');
    expect(repo.reviews[0]?.body).toContain('changes requested');
    expect(repo.reviews[0]?.body).toContain('`README.md:1`: not in the diff');
    expect(repo.reviewComments.map((c) => [c.path, c.line])).toEqual([
      ['src/a.ts', 10],
      ['src/a.ts', 13],
    ]);
    expect(repo.reviewComments[1]?.body).toContain('line 25');
  });

  it('lists unresolved threads, replies in one and resolves it', async () => {
    const { project, name } = await setup();
    const f = forge();
    const pr = await openDraft(f, project);
    await gh.addReviewComment(name, pr.number, {
      path: 'src/b.ts',
      line: 1,
      body: 'Rename b',
      author: 'reviewer',
    });
    const threads = await f.listReviewThreads(project, pr.number, { unresolvedOnly: true });
    expect(threads).toHaveLength(1);
    expect(threads[0]).toMatchObject({ path: 'src/b.ts', line: 1, isResolved: false });
    expect(threads[0]?.comments[0]).toMatchObject({ author: 'reviewer', body: 'Rename b' });
    const id = threads[0]?.id ?? '';
    await f.replyToReviewThread(project, id, 'Renamed in abc123.');
    await f.resolveReviewThread(project, id);
    expect(await f.listReviewThreads(project, pr.number, { unresolvedOnly: true })).toEqual([]);
    const all = await f.listReviewThreads(project, pr.number);
    expect(all[0]?.comments.map((c) => c.author)).toEqual(['reviewer', BOT]);
    expect((await rejection(f.resolveReviewThread(project, 'PRRT_0'))).code).toBe('not_found');
  });
});

describe('reviews list', () => {
  it('lists every submitted review, oldest first, across pages', async () => {
    const { project, name, headSha } = await setup();
    const f = forge();
    const pr = await openDraft(f, project);
    gh.addReview(name, pr.number, {
      author: 'reviewer',
      state: 'CHANGES_REQUESTED',
      body: 'Please handle the empty case.',
    });
    for (let i = 0; i < 100; i += 1) {
      gh.addReview(name, pr.number, { author: 'outsider', state: 'COMMENTED', body: `nit ${i}` });
    }
    gh.addReview(name, pr.number, { author: 'reviewer', state: 'APPROVED' });
    gh.resetCounts();
    const reviews = await f.listReviews(project, pr.number);
    expect(reviews).toHaveLength(102);
    expect(reviews[0]).toEqual({
      id: gh.repo(name).reviews[0]?.id,
      author: 'reviewer',
      state: 'CHANGES_REQUESTED',
      body: 'Please handle the empty case.',
      commitId: headSha,
      // GitHub's timestamps have whole seconds.
      submittedAt: Math.floor((gh.repo(name).reviews[0]?.submittedAt ?? 0) / 1000) * 1000,
    });
    expect(reviews[101]).toMatchObject({ author: 'reviewer', state: 'APPROVED', body: '' });
    expect(gh.counts.byRoute['GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews']).toBe(2);
    expect(() =>
      gh.addReview(name, pr.number, { author: BOT, state: 'APPROVED', body: 'mine' }),
    ).toThrow();
  });
});

describe('checks, permissions, user and rate limit', () => {
  it('reads check runs and commit statuses together', async () => {
    const { project, name, headSha } = await setup();
    const f = forge();
    expect(await f.getChecks(project, headSha)).toEqual({ state: 'none', items: [] });
    await f.setCommitStatus(project, headSha, {
      context: 'looper/checks',
      state: 'success',
      description: 'x'.repeat(200),
    });
    gh.addCheckRun(name, headSha, { name: 'build', status: 'in_progress' });
    expect((await f.getChecks(project, headSha)).state).toBe('pending');
    gh.addCheckRun(name, headSha, { name: 'build', conclusion: 'failure' });
    const red = await f.getChecks(project, headSha);
    expect(red.state).toBe('failure');
    expect(red.items.map((i) => [i.name, i.state])).toEqual([
      ['build', 'failure'],
      ['looper/checks', 'success'],
    ]);
    gh.addCheckRun(name, headSha, { name: 'build', conclusion: 'success' });
    expect((await f.getChecks(project, headSha)).state).toBe('success');
  });

  it('gives each check run its id and each check its details URL', async () => {
    const { project, name, headSha } = await setup();
    const f = forge();
    const run = gh.addCheckRun(name, headSha, {
      name: 'test',
      conclusion: 'failure',
      detailsUrl: 'https://ci.example/runs/7',
    });
    await f.setCommitStatus(project, headSha, {
      context: 'looper/checks',
      state: 'success',
      description: 'ok',
      targetUrl: 'https://looper.example/runs/1',
    });
    gh.addStatus(name, headSha, { context: 'lint', state: 'success' });
    const { items } = await f.getChecks(project, headSha);
    expect(items).toEqual([
      {
        name: 'test',
        state: 'failure',
        description: 'test',
        id: run.id,
        detailsUrl: 'https://ci.example/runs/7',
      },
      { name: 'lint', state: 'success', description: '', detailsUrl: null },
      {
        name: 'looper/checks',
        state: 'success',
        description: 'ok',
        detailsUrl: 'https://looper.example/runs/1',
      },
    ]);
  });

  it('maps collaborator permission, including unknown users', async () => {
    const { project, name } = await setup();
    gh.setCollaborator(name, 'maintainer', 'maintain');
    const f = forge();
    expect(await f.permissionOf(project, 'acme')).toBe('admin');
    expect(await f.permissionOf(project, 'maintainer')).toBe('maintain');
    expect(await f.permissionOf(project, BOT)).toBe('write');
    expect(await f.permissionOf(project, 'outsider')).toBe('read');
    expect(await f.permissionOf(project, 'nobody-at-all')).toBe('none');
  });

  it('knows its user and its rate limit, and fails cleanly on a bad token', async () => {
    const f = forge();
    expect(await f.getAuthenticatedUser()).toMatchObject({ login: BOT });
    const limit = await f.rateLimit();
    expect(limit.core.limit).toBe(5000);
    expect(limit.core.used).toBeGreaterThan(0);
    expect(limit.core.resetAt).toBeGreaterThan(Date.now());
    const error = await rejection(forge({ token: 'ghp_wrong' }).getAuthenticatedUser());
    expect(error.code).toBe('unauthorized');
    expect(error.message).not.toContain('ghp_wrong');
  });

  it('works under a GitHub Enterprise base URL (/api/v3 and /api/graphql)', async () => {
    const { project } = await setup();
    const f = forge({ apiUrl: `${gh.url}/api/v3/` });
    const pr = await openDraft(f, project);
    await f.markReady(project, pr.number);
    expect(await f.getPullRequestState(project, pr.number)).toBe('open');
  });
});

describe('transient faults', () => {
  it('survives a 502 burst and a secondary rate limit with Retry-After mid-sequence', async () => {
    const { project, name } = await setup();
    gh.createIssue(name, { title: 'T' });
    const { log, lines } = capturingLog();
    const f = forge({ log });
    gh.faults.serverError('/repos/{owner}/{repo}/issues/{issue_number}', 2);
    gh.faults.secondaryRateLimit('/repos/{owner}/{repo}/issues/{issue_number}/comments', {
      method: 'POST',
      retryAfterSeconds: 1,
    });
    gh.faults.tooManyRequests('/graphql', { retryAfterSeconds: 1 });
    expect((await f.getIssue(project, 1)).title).toBe('T');
    await f.upsertComment(project, 1, 'tracking', 'hello');
    const pr = await openDraft(f, project);
    await f.markReady(project, pr.number);
    expect(gh.faults.pending).toBe(0);
    expect(gh.counts.faults).toBeGreaterThanOrEqual(4);
    const limited = lines.filter((l) => l.message.includes('rate limited'));
    expect(limited.map((l) => l.data)).toEqual([
      expect.objectContaining({ kind: 'secondary rate limit', retryAfter: 1 }),
      expect.objectContaining({ kind: 'secondary rate limit', retryAfter: 1 }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
  });

  it('fails with forge_failed once the retries are spent', async () => {
    const { project, name } = await setup();
    gh.createIssue(name, { title: 'T' });
    gh.faults.serverError('/repos/{owner}/{repo}/issues/{issue_number}', 10);
    const error = await rejection(
      forge({ throttle: { retries: 2, backoffMs: 1, writeSpacingMs: 0 } }).getIssue(project, 1),
    );
    expect(error.code).toBe('forge_failed');
    expect(error.message).not.toContain(TOKEN);
    expect(gh.faults.pending).toBe(7);
  });
});

describe('conditional polling', () => {
  it('answers an unchanged list with 304, which costs no counted request', async () => {
    const { project, name } = await setup();
    gh.createIssue(name, { title: 'T', labels: ['looper:plan'] });
    const f = forge();
    const first = await f.listIssuesSince(project, null);
    expect(first.notModified).toBe(false);
    if (!first.notModified) expect(first.data.map((i) => i.labels)).toEqual([['looper:plan']]);
    const counted = gh.counts.counted;
    expect(await f.listIssuesSince(project, null)).toEqual({ notModified: true });
    expect(gh.counts.counted).toBe(counted);
    expect(gh.counts.notModified).toBeGreaterThanOrEqual(1);
    gh.addLabel(name, 1, 'looper:approve', 'reviewer');
    const changed = await f.listIssuesSince(project, null);
    expect(changed.notModified).toBe(false);
    const events = await f.listEvents(project);
    expect(events.notModified).toBe(false);
    if (!events.notModified) {
      expect(events.data[0]).toMatchObject({
        event: 'labeled',
        actor: 'reviewer',
        label: 'looper:approve',
        number: 1,
      });
    }
    expect(await f.listEvents(project)).toEqual({ notModified: true });
  });
});

describe('check run logs', () => {
  const log = Array.from({ length: 50 }, (_, i) => `2024-05-01T10:00:${i}Z step ${i + 1} ✓ é`)
    .join('\n')
    .concat('\nError: expected 2 to be 3\n');

  it('reads the Actions job log through the redirect, without sending the token there', async () => {
    const { project, name, headSha } = await setup();
    const run = gh.addCheckRun(name, headSha, { name: 'test', conclusion: 'failure', log });
    gh.resetCounts();
    // The gateway follows the redirect itself (fetch would keep the token on a same-host redirect).
    const calls: { url: string; redirect: string | undefined; auth: boolean }[] = [];
    const recording: typeof fetch = async (input, init) => {
      const auth = new Headers(init?.headers).has('authorization');
      calls.push({ url: String(input), redirect: init?.redirect, auth });
      return fetch(input, init);
    };
    expect(await forge({ fetch: recording }).checkRunLog(project, run.id)).toBe(log);
    expect(calls.map((c) => [c.redirect, c.auth])).toEqual([
      ['manual', true],
      [undefined, false],
    ]);
    expect(calls[1]?.url.startsWith(gh.blobUrl)).toBe(true);
    const [api, blob] = gh.requests;
    expect(api).toMatchObject({
      route: 'GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs',
      status: 302,
      authorization: true,
    });
    expect(blob).toMatchObject({ route: blobRoute, status: 200, authorization: false });
    expect(gh.requests).toHaveLength(2);
  });

  it('keeps only the end of a long log, cut at a line boundary', async () => {
    const { project, name, headSha } = await setup();
    const run = gh.addCheckRun(name, headSha, { name: 'test', conclusion: 'failure', log });
    const tail = (await forge().checkRunLog(project, run.id, { maxBytes: 200 })) ?? '';
    const [note = '', ...lines] = tail.split('\n');
    expect(note).toMatch(/^\[log truncated: showing the last \d+ of \d+ bytes\]$/);
    const kept = lines.join('\n');
    expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(200);
    expect(log.endsWith(kept)).toBe(true);
    expect(log.includes(`\n${kept}`)).toBe(true);
    expect(kept).toContain('Error: expected 2 to be 3');
  });

  it('falls back to the check run output, and to null when there is only a title', async () => {
    const { project, name, headSha } = await setup();
    const f = forge();
    const app = gh.addCheckRun(name, headSha, {
      name: 'external-ci',
      conclusion: 'failure',
      output: { title: '2 tests failed', summary: 'add adds', text: 'expected 2, got 3' },
    });
    expect(await f.checkRunLog(project, app.id)).toBe(
      '2 tests failed\n\nadd adds\n\nexpected 2, got 3',
    );
    expect(await f.checkRunLog(project, app.id, { maxBytes: 17 })).toBe(
      '[log truncated: showing the last 17 of 43 bytes]\nexpected 2, got 3',
    );
    const bare = gh.addCheckRun(name, headSha, { name: 'lint', conclusion: 'failure' });
    expect(await f.checkRunLog(project, bare.id)).toBeNull();
    expect(await f.checkRunLog(project, 987654)).toBeNull();
    const notFound = gh.requests.filter((r) => r.status === 404).map((r) => r.route);
    expect(notFound).toContain('GET /repos/{owner}/{repo}/check-runs/{check_run_id}');
  });

  it('falls back when the signed log URL has expired, and propagates other failures', async () => {
    const { project, name, headSha } = await setup();
    const run = gh.addCheckRun(name, headSha, {
      name: 'test',
      conclusion: 'failure',
      log,
      output: { title: 'failed', summary: 'see the log' },
    });
    const expiring: typeof fetch = async (input, init) => {
      if (String(input).startsWith(gh.blobUrl)) gh.state.blobs.clear();
      return fetch(input, init);
    };
    expect(await forge({ fetch: expiring }).checkRunLog(project, run.id)).toBe(
      'failed\n\nsee the log',
    );
    gh.faults.serverError('/repos/{owner}/{repo}/actions/jobs/{job_id}/logs', 10);
    const error = await rejection(
      forge({ throttle: { retries: 1, backoffMs: 1, writeSpacingMs: 0 } }).checkRunLog(
        project,
        run.id,
      ),
    );
    expect(error.code).toBe('forge_failed');
  });
});

describe('auto-merge', () => {
  async function readyPr(f: GitHubForge, project: ProjectRef) {
    const pr = await openDraft(f, project);
    await f.markReady(project, pr.number);
    return pr;
  }

  const git = (name: string, ...args: string[]) =>
    execFileSync('git', ['--git-dir', gh.cloneUrl(name), ...args], { encoding: 'utf8' }).trim();

  it('enables auto-merge while required checks run; GitHub merges when they pass', async () => {
    const { project, name, headSha } = await setup();
    gh.setAllowAutoMerge(name);
    gh.protectBranch(name, 'main', { requiredChecks: ['ci'] });
    const f = forge();
    const pr = await readyPr(f, project);
    gh.addCheckRun(name, headSha, { name: 'ci', status: 'in_progress' });
    expect(await f.enableAutoMerge(project, pr.number)).toEqual({ status: 'enabled' });
    expect(gh.repo(name).pulls.get(pr.number)?.autoMerge).toMatchObject({
      method: 'squash',
      enabledBy: BOT,
    });
    const graphqlCalls = gh.counts.graphql;
    expect(await f.enableAutoMerge(project, pr.number)).toEqual({ status: 'enabled' });
    expect(gh.counts.graphql).toBe(graphqlCalls);
    gh.addCheckRun(name, headSha, { name: 'ci', conclusion: 'success' });
    await gh.settled();
    expect(await f.getPullRequestState(project, pr.number)).toBe('merged');
    const mergeSha = gh.repo(name).pulls.get(pr.number)?.mergeCommitSha ?? '';
    expect(git(name, 'rev-parse', 'main')).toBe(mergeSha);
    expect(git(name, 'show', 'main:src/b.ts')).toBe('export const b = 1;');
    expect(git(name, 'log', '-1', '--format=%s', 'main')).toBe(`[Looper] Fix it (#${pr.number})`);
    expect(await f.enableAutoMerge(project, pr.number)).toEqual({
      status: 'merged',
      sha: mergeSha,
    });
    expect(gh.issue(name, pr.number).state).toBe('closed');
  });

  it('merges now, pinned to the head, when nothing is left to wait for', async () => {
    const { project, name, headSha } = await setup();
    gh.setAllowAutoMerge(name);
    const f = forge();
    const pr = await readyPr(f, project);
    const base = git(name, 'rev-parse', 'main');
    const result = await f.enableAutoMerge(project, pr.number, 'merge');
    expect(result.status).toBe('merged');
    const sha = result.status === 'merged' ? result.sha : null;
    expect(git(name, 'rev-parse', 'main')).toBe(sha);
    expect(git(name, 'log', '-1', '--format=%P', 'main')).toBe(`${base} ${headSha}`);
    expect(gh.requests.find((r) => r.route?.endsWith('/merge'))).toMatchObject({
      method: 'PUT',
      status: 200,
    });
    expect(await f.getPullRequestState(project, pr.number)).toBe('merged');
  });

  it('never merges a head pushed after it was judged', async () => {
    const { project, name } = await setup();
    gh.setAllowAutoMerge(name);
    const pushing: typeof fetch = async (input, init) => {
      if (init?.method === 'PUT' && String(input).endsWith('/merge')) {
        await gh.commit(name, 'feature', { 'src/late.ts': 'late\n' });
      }
      return fetch(input, init);
    };
    const f = forge({ fetch: pushing });
    const pr = await readyPr(f, project);
    expect(await f.enableAutoMerge(project, pr.number)).toEqual({
      status: 'refused',
      reason: 'Head branch was modified. Review and try the merge again.',
    });
    expect(await f.getPullRequestState(project, pr.number)).toBe('open');
  });

  it("reports GitHub's refusal in its own words", async () => {
    const { project, name } = await setup();
    const f = forge();
    const pr = await readyPr(f, project);
    expect(await f.enableAutoMerge(project, pr.number)).toEqual({
      status: 'refused',
      reason: 'Pull request Auto merge is not allowed for this repository',
    });
    gh.setAllowAutoMerge(name);
    gh.protectBranch(name, 'main', { requiredChecks: ['ci'] });
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    lines[9] = 'line 10 changed differently on main';
    await gh.commit(name, 'main', { 'src/a.ts': `${lines.join('\n')}\n` });
    expect(await f.enableAutoMerge(project, pr.number)).toEqual({
      status: 'refused',
      reason: 'Pull request Pull request is not mergeable',
    });
    await f.updatePullRequest(project, pr.number, { state: 'closed' });
    expect(await f.enableAutoMerge(project, pr.number)).toMatchObject({ status: 'refused' });
    expect(gh.repo(name).pulls.get(pr.number)?.autoMerge ?? null).toBeNull();
  });
});
