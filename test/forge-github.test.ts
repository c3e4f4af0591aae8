// The GitHub gateway against the GitHub emulator: every Forge method, the GitHub-only operations,
// transient faults (502 bursts, secondary rate limits with Retry-After) and conditional polling.
// Every emulator response is checked against GitHub's OpenAPI description after each test.
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
import { type GitHubEmulator, startGitHubEmulator } from './support/github-emulator/index.js';

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
