import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store/index.js';
import type { ProjectRef } from '../forge.js';
import { createLocalForge, type LocalForge } from './local-forge.js';

let dataDir: string;
let store: Store;
let forge: LocalForge;
let project: ProjectRef;
let time: number;

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
  time = 1_700_000_000_000;
  store = await openStore({ dataDir, clock: { now: () => time } });
  const record = await store.projects.createProject({
    name: 'demo',
    forge: 'local',
    path: '/repo',
  });
  project = { id: record.id, repo: null, path: '/repo' };
  forge = createLocalForge(store);
});

afterEach(async () => {
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const pr = {
  head: 'looper/1-fix',
  base: 'main',
  title: '[Looper] Fix',
  body: 'Closes #1',
  draft: true,
};

describe('local forge: issues and labels', () => {
  it('creates issues and PRs from one number sequence, with local:// urls', async () => {
    const issue = await forge.createIssue(project, {
      title: 'Fix it',
      body: 'broken',
      labels: ['looper:plan'],
    });
    const opened = await forge.openPullRequest(project, pr);
    const second = await forge.createIssue(project, { title: 'Another', body: '' });

    expect(issue).toEqual({
      number: 1,
      title: 'Fix it',
      body: 'broken',
      state: 'open',
      labels: ['looper:plan'],
      url: `local://${project.id}/1`,
    });
    expect(opened.number).toBe(2);
    expect(second.number).toBe(3);
    expect(await forge.getIssue(project, 1)).toEqual(issue);
    expect((await forge.listIssues(project)).map((i) => i.number)).toEqual([1, 3]);
    await expect(forge.getIssue(project, 99)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('keeps exactly one state label and leaves other labels alone', async () => {
    const issue = await forge.createIssue(project, {
      title: 't',
      body: '',
      labels: ['looper:plan', 'bug'],
    });
    await forge.setStateLabel(project, issue.number, 'looper:planning');
    await forge.setStateLabel(project, issue.number, 'looper:working');
    await forge.setStateLabel(project, issue.number, 'looper:working');
    expect((await forge.getIssue(project, issue.number)).labels).toEqual([
      'looper:plan',
      'bug',
      'looper:working',
    ]);

    await forge.setStateLabel(project, issue.number, 'looper:done');
    expect((await forge.getIssue(project, issue.number)).labels).toEqual([
      'looper:plan',
      'bug',
      'looper:done',
    ]);
    await forge.setStateLabel(project, issue.number, null);
    expect((await forge.getIssue(project, issue.number)).labels).toEqual(['looper:plan', 'bug']);

    await expect(forge.setStateLabel(project, issue.number, 'bug')).rejects.toMatchObject({
      code: 'bad_request',
    });
    await expect(forge.setStateLabel(project, 42, 'looper:done')).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('adds and removes labels on PRs too', async () => {
    const opened = await forge.openPullRequest(project, pr);
    await forge.addLabel(project, opened.number, 'looper:fix');
    await forge.addLabel(project, opened.number, 'looper:fix');
    await forge.setStateLabel(project, opened.number, 'looper:fixing');
    expect((await forge.getIssue(project, opened.number)).labels).toEqual([
      'looper:fix',
      'looper:fixing',
    ]);
    await forge.removeLabel(project, opened.number, 'looper:fix');
    expect((await forge.getIssue(project, opened.number)).labels).toEqual(['looper:fixing']);
  });
});

describe('local forge: comments', () => {
  it('edits a keyed comment in place instead of posting a second one', async () => {
    const issue = await forge.createIssue(project, { title: 't', body: '' });
    const first = await forge.upsertComment(project, issue.number, 'tracking', 'stage: planning');
    time += 1000;
    const second = await forge.upsertComment(project, issue.number, 'tracking', 'stage: working');
    await forge.addComment(project, issue.number, { author: 'alice', body: '/looper status' });
    await forge.upsertComment(project, issue.number, 'needs-human', 'stopped');

    expect(second).toMatchObject({ id: first.id, body: 'stage: working', author: 'looper' });
    expect(second.updatedAt).toBe(first.createdAt + 1000);
    const comments = await forge.listComments(project, issue.number);
    expect(comments.map((c) => [c.key, c.author, c.body])).toEqual([
      ['tracking', 'looper', 'stage: working'],
      [null, 'alice', '/looper status'],
      ['needs-human', 'looper', 'stopped'],
    ]);
    expect(comments[0]?.url).toBe(`local://${project.id}/${issue.number}#comment-${first.id}`);
  });
});

describe('local forge: pull requests', () => {
  it('opens one PR per head branch however often it is asked', async () => {
    const first = await forge.openPullRequest(project, pr);
    const again = await forge.openPullRequest(project, { ...pr, title: 'other' });
    expect(again).toEqual(first);
    expect(first).toMatchObject({ head: pr.head, base: 'main', state: 'draft', headSha: null });
    expect(await forge.findPullRequest(project, { head: pr.head })).toEqual(first);
    expect(await forge.findPullRequest(project, { head: 'looper/none' })).toBeNull();
  });

  it('opens a new PR for a head whose previous PR was closed, and finds the live one', async () => {
    const first = await forge.openPullRequest(project, pr);
    await forge.setPullRequestState(project, first.number, 'closed');
    expect((await forge.findPullRequest(project, { head: pr.head }))?.state).toBe('closed');
    const second = await forge.openPullRequest(project, pr);
    expect(second.number).not.toBe(first.number);
    expect((await forge.findPullRequest(project, { head: pr.head }))?.number).toBe(second.number);
  });

  it('reopens a closed PR through updatePullRequest, never a merged one', async () => {
    const opened = await forge.openPullRequest(project, pr);
    const closed = await forge.updatePullRequest(project, opened.number, { state: 'closed' });
    expect(closed.state).toBe('closed');
    const reopened = await forge.updatePullRequest(project, opened.number, { state: 'open' });
    expect(reopened.state).toBe('open');
    expect((await forge.updatePullRequest(project, opened.number, { state: 'open' })).state).toBe(
      'open',
    );
    await forge.setPullRequestState(project, opened.number, 'merged');
    await expect(
      forge.updatePullRequest(project, opened.number, { state: 'open' }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('updates, marks ready and reports PR state', async () => {
    const opened = await forge.openPullRequest(project, pr);
    const updated = await forge.updatePullRequest(project, opened.number, {
      body: 'Closes #1\n<!-- looper:loop=loop_x -->',
      headSha: 'abc123',
    });
    expect(updated).toMatchObject({ title: pr.title, headSha: 'abc123' });
    expect(updated.body).toContain('looper:loop=loop_x');

    expect(await forge.getPullRequestState(project, opened.number)).toBe('draft');
    await forge.markReady(project, opened.number);
    await forge.markReady(project, opened.number);
    expect(await forge.getPullRequestState(project, opened.number)).toBe('open');
    await forge.setPullRequestState(project, opened.number, 'merged');
    await expect(forge.markReady(project, opened.number)).rejects.toMatchObject({
      code: 'conflict',
    });
    expect((await forge.getPullRequest(project, opened.number)).state).toBe('merged');
    await expect(forge.getPullRequestState(project, 77)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(forge.updatePullRequest(project, 77, { title: 'x' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe('local forge: reviews and checks', () => {
  it('publishes a review once per key', async () => {
    const opened = await forge.openPullRequest(project, pr);
    const review = {
      key: 'loop_x:reviewing:1:review',
      headSha: 'abc',
      verdict: 'request_changes' as const,
      body: 'Please fix',
      comments: [{ path: 'src/a.ts', line: 3, body: 'off by one' }],
    };
    await forge.publishReview(project, opened.number, review);
    await forge.publishReview(project, opened.number, { ...review, body: 'changed' });
    await forge.publishReview(project, opened.number, {
      ...review,
      key: 'other',
      verdict: 'comment',
    });

    const reviews = await forge.listReviews(project, opened.number);
    expect(reviews).toHaveLength(2);
    expect(reviews[0]).toMatchObject({
      key: review.key,
      body: 'Please fix',
      verdict: 'request_changes',
      comments: review.comments,
      author: 'looper',
    });
    await expect(forge.publishReview(project, 99, review)).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('aggregates commit statuses into one check state', async () => {
    const sha = 'deadbeef';
    expect(await forge.getChecks(project, sha)).toEqual({ state: 'none', items: [] });

    await forge.setCommitStatus(project, sha, {
      context: 'looper/test',
      state: 'pending',
      description: 'running',
    });
    await forge.setCommitStatus(project, sha, {
      context: 'looper/lint',
      state: 'success',
      description: 'ok',
    });
    expect((await forge.getChecks(project, sha)).state).toBe('pending');

    await forge.setCommitStatus(project, sha, {
      context: 'looper/test',
      state: 'success',
      description: 'passed',
    });
    const green = await forge.getChecks(project, sha);
    expect(green).toEqual({
      state: 'success',
      items: [
        { name: 'looper/lint', state: 'success', description: 'ok' },
        { name: 'looper/test', state: 'success', description: 'passed' },
      ],
    });

    await forge.setCommitStatus(project, sha, {
      context: 'looper/lint',
      state: 'error',
      description: 'crashed',
    });
    await forge.setCommitStatus(project, sha, {
      context: 'looper/e2e',
      state: 'pending',
      description: '',
    });
    const red = await forge.getChecks(project, sha);
    expect(red.state).toBe('failure');
    expect(red.items.find((i) => i.name === 'looper/lint')?.state).toBe('failure');
    expect((await forge.getChecks(project, 'other-sha')).state).toBe('none');
  });
});
