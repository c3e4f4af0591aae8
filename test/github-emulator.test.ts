// The GitHub emulator's own promises, which the gateway tests and the end-to-end suites rely on:
// OpenAPI validation that really catches drift, GitHub's rules that bite bots, real git pushes,
// ETags, rate-limit headers, faults, and webhooks signed like GitHub's.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { verify } from '@octokit/webhooks-methods';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from './support/github-emulator/index.js';

const TOKEN = 'ghp_emulator_self_test';
let gh: GitHubEmulator;
let n = 0;

beforeAll(async () => {
  gh = await startGitHubEmulator({ tokens: { [TOKEN]: 'bot' } });
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

async function api(
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const response = await fetch(`${gh.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text ? JSON.parse(text) : null,
  };
}

async function repoWithBranch(): Promise<{ name: string; sha: string }> {
  n += 1;
  const name = `octo/r${n}`;
  await gh.createRepo(name, {
    files: { 'a.txt': 'one\ntwo\nthree\n' },
    collaborators: { bot: 'write' },
  });
  const sha = await gh.commit(name, 'topic', { 'a.txt': 'one\nTWO\nthree\n' });
  return { name, sha };
}

describe('OpenAPI validation', () => {
  it('flags a body that breaks the description and a status the operation does not have', () => {
    const key = 'GET /repos/{owner}/{repo}/issues/{issue_number}';
    expect(gh.validator.validateResponse(key, 200, { number: 'one' })).toMatch(/required|type/);
    expect(gh.validator.validateResponse(key, 418, {})).toMatch(/does not document status 418/);
    expect(gh.validator.validateResponse(key, 304, undefined)).toBeNull();
  });

  it('answers a request body that breaks the description with 422', async () => {
    const { name } = await repoWithBranch();
    const reply = await api('POST', `/repos/${name}/statuses/${'0'.repeat(40)}`, {
      state: 'green',
    });
    expect(reply.status).toBe(422);
  });

  it('records a request to a route it does not emulate', async () => {
    const reply = await api('GET', '/orgs/octo/teams');
    expect(reply.status).toBe(404);
    expect(gh.violations.splice(0)).toEqual(['no emulated route for GET /orgs/octo/teams']);
  });
});

describe('GitHub rules', () => {
  it('rejects the whole review when one inline comment is outside the diff', async () => {
    const { name, sha } = await repoWithBranch();
    const pr = await api('POST', `/repos/${name}/pulls`, {
      head: 'topic',
      base: 'main',
      title: 't',
    });
    const number = (pr.json as { number: number }).number;
    const reply = await api('POST', `/repos/${name}/pulls/${number}/reviews`, {
      commit_id: sha,
      event: 'COMMENT',
      body: 'b',
      comments: [
        { path: 'a.txt', line: 2, body: 'fine' },
        { path: 'a.txt', line: 40, body: 'outside' },
      ],
    });
    expect(reply.status).toBe(422);
    expect(gh.repo(name).reviews).toEqual([]);
    expect(gh.repo(name).reviewComments).toEqual([]);
  });

  it('requires a valid token', async () => {
    expect((await api('GET', '/user', undefined, { authorization: 'token nope' })).status).toBe(
      401,
    );
    const anonymous = await fetch(`${gh.url}/user`);
    expect(anonymous.status).toBe(401);
  });
});

describe('git', () => {
  it('takes real pushes to the clone URL; the PR head and mergeability follow them', async () => {
    const { name } = await repoWithBranch();
    const pr = await api('POST', `/repos/${name}/pulls`, {
      head: 'topic',
      base: 'main',
      title: 't',
    });
    const number = (pr.json as { number: number }).number;
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-clone-'));
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: work, encoding: 'utf8', stdio: 'pipe' }).trim();
    try {
      git('clone', '--quiet', '--branch', 'topic', gh.cloneUrl(name), '.');
      fs.writeFileSync(path.join(work, 'b.txt'), 'b\n');
      git('add', '.');
      git('-c', 'user.name=T', '-c', 'user.email=t@t', 'commit', '-qm', 'b');
      git('push', '--quiet', 'origin', 'topic');
      const pushed = git('rev-parse', 'HEAD');
      const first = await api('GET', `/repos/${name}/pulls/${number}`);
      expect(first.json).toMatchObject({ head: { sha: pushed }, mergeable: null });
      const second = await api('GET', `/repos/${name}/pulls/${number}`);
      expect(second.json).toMatchObject({ mergeable: true, mergeable_state: 'clean' });
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('merging', () => {
  const git = (name: string, ...args: string[]) =>
    execFileSync('git', ['--git-dir', gh.cloneUrl(name), ...args], { encoding: 'utf8' }).trim();

  async function openPull(name: string, draft = false): Promise<number> {
    const pr = await api('POST', `/repos/${name}/pulls`, {
      head: 'topic',
      base: 'main',
      title: 'Shout two',
      draft,
    });
    return (pr.json as { number: number }).number;
  }

  it('refuses drafts, a moved head and unmet required checks, then rebases for real', async () => {
    const { name, sha } = await repoWithBranch();
    const second = await gh.commit(name, 'topic', { 'b.txt': 'b\n' }, 'Add b');
    const number = await openPull(name, true);
    const merge = (body: Record<string, unknown>) =>
      api('PUT', `/repos/${name}/pulls/${number}/merge`, body);
    expect((await merge({})).status).toBe(405);
    await api('POST', '/graphql', {
      query:
        'mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { id } } }',
      variables: { id: `PR_${gh.issue(name, number).id}` },
    });
    const moved = await merge({ sha });
    expect(moved).toMatchObject({
      status: 409,
      json: { message: 'Head branch was modified. Review and try the merge again.' },
    });
    gh.protectBranch(name, 'main', { requiredChecks: ['ci'] });
    gh.addStatus(name, second, { context: 'ci', state: 'failure' });
    expect((await merge({ sha: second })).json).toMatchObject({
      message: 'Required status check "ci" is failing.',
    });
    // Mergeability is computed on the first read; the second shows protection blocks it.
    await api('GET', `/repos/${name}/pulls/${number}`);
    const blocked = await api('GET', `/repos/${name}/pulls/${number}`);
    expect(blocked.json).toMatchObject({ mergeable: true, mergeable_state: 'blocked' });
    gh.addStatus(name, second, { context: 'ci', state: 'success' });
    const base = git(name, 'rev-parse', 'main');
    const done = await merge({ sha: second, merge_method: 'rebase' });
    expect(done).toMatchObject({ status: 200, json: { merged: true } });
    const tip = (done.json as { sha: string }).sha;
    expect(git(name, 'rev-parse', 'main')).toBe(tip);
    expect(git(name, 'log', '--format=%s', `${base}..main`).split('\n')).toEqual([
      'Add b',
      'Change files',
    ]);
    expect(git(name, 'show', 'main:a.txt')).toBe('one\nTWO\nthree');
    expect(gh.issue(name, number).state).toBe('closed');
    expect(gh.repo(name).events.map((e) => e.event)).toContain('merged');
    const pull = await api('GET', `/repos/${name}/pulls/${number}`);
    expect(pull.json).toMatchObject({ merged: true, merge_commit_sha: tip, state: 'closed' });
    expect((await merge({})).status).toBe(405);
    const reopen = await api('PATCH', `/repos/${name}/pulls/${number}`, { state: 'open' });
    expect(reopen.status).toBe(422);
  });

  it('lets a person squash-merge for real; a conflict is refused', async () => {
    const { name } = await repoWithBranch();
    const number = await openPull(name);
    const base = git(name, 'rev-parse', 'main');
    await gh.mergePullRequest(name, number, 'octo', { method: 'squash' });
    expect(git(name, 'log', '-1', '--format=%P%n%s', 'main')).toBe(
      `${base}\nShout two (#${number})`,
    );
    expect(gh.repo(name).pulls.get(number)).toMatchObject({ merged: true, mergedBy: 'octo' });
    const other = await repoWithBranch();
    await gh.commit(other.name, 'main', { 'a.txt': 'one\n2\nthree\n' });
    const conflicted = await openPull(other.name);
    const refused = await api('PUT', `/repos/${other.name}/pulls/${conflicted}/merge`, {});
    expect(refused).toMatchObject({
      status: 405,
      json: { message: 'Pull Request is not mergeable' },
    });
  });

  it('records auto-merge from GraphQL and merges when the required check passes', async () => {
    const { name, sha } = await repoWithBranch();
    gh.setAllowAutoMerge(name);
    gh.protectBranch(name, 'main', { requiredChecks: ['ci'] });
    const number = await openPull(name);
    const id = `PR_${gh.issue(name, number).id}`;
    const enable = await api('POST', '/graphql', {
      query: `mutation { enablePullRequestAutoMerge(input: { pullRequestId: "${id}", mergeMethod: REBASE }) { pullRequest { id } } }`,
    });
    expect(enable.json).toMatchObject({
      data: {
        enablePullRequestAutoMerge: {
          pullRequest: { autoMergeRequest: { mergeMethod: 'REBASE' } },
        },
      },
    });
    const pull = await api('GET', `/repos/${name}/pulls/${number}`);
    expect(pull.json).toMatchObject({
      auto_merge: { merge_method: 'rebase', enabled_by: { login: 'bot' } },
    });
    const base = await gh.commit(name, 'main', { 'c.txt': 'c\n' }, 'Meanwhile on main');
    gh.addCheckRun(name, sha, { name: 'ci', conclusion: 'success' });
    await gh.settled();
    expect(gh.repo(name).pulls.get(number)).toMatchObject({ merged: true, mergedBy: 'bot' });
    expect(git(name, 'rev-parse', 'main^')).toBe(base);
    expect(git(name, 'log', '-1', '--format=%s', 'main')).toBe('Change files');
    expect(git(name, 'show', 'main:c.txt')).toBe('c');
    expect(git(name, 'show', 'main:a.txt')).toBe('one\nTWO\nthree');
  });
});

describe('CI details', () => {
  it('redirects a job log to the blob host, which takes no token; 404 for no job', async () => {
    const { name, sha } = await repoWithBranch();
    const run = gh.addCheckRun(name, sha, {
      name: 'test',
      conclusion: 'failure',
      log: 'step 1\nboom\n',
      output: { title: 'failed', summary: 'one test', text: 'boom' },
      detailsUrl: 'https://ci.example/7',
    });
    const logs = await fetch(`${gh.url}/repos/${name}/actions/jobs/${run.id}/logs`, {
      headers: { authorization: `Bearer ${TOKEN}` },
      redirect: 'manual',
    });
    expect(logs.status).toBe(302);
    const location = logs.headers.get('location') ?? '';
    expect(location.startsWith(gh.blobUrl)).toBe(true);
    const blob = await fetch(location);
    expect(blob.headers.get('content-type')).toContain('text/plain');
    expect(await blob.text()).toBe('step 1\nboom\n');
    expect((await fetch(`${location}x`)).status).toBe(404);
    const other = gh.addCheckRun(name, sha, { name: 'lint', conclusion: 'success' });
    expect((await api('GET', `/repos/${name}/actions/jobs/${other.id}/logs`)).status).toBe(404);
    const got = await api('GET', `/repos/${name}/check-runs/${run.id}`);
    expect(got.json).toMatchObject({
      id: run.id,
      details_url: 'https://ci.example/7',
      output: { title: 'failed', summary: 'one test', text: 'boom' },
    });
    expect((await api('GET', `/repos/${name}/check-runs/1`)).status).toBe(404);
  });
});

describe('ETags, rate limit and faults', () => {
  it('answers If-None-Match with an uncounted 304 and sends rate-limit headers', async () => {
    const { name } = await repoWithBranch();
    gh.createIssue(name, { title: 'x' });
    const first = await api('GET', `/repos/${name}/issues`);
    const etag = first.headers.get('etag') ?? '';
    expect(first.headers.get('x-ratelimit-resource')).toBe('core');
    const used = Number(first.headers.get('x-ratelimit-used'));
    const counted = gh.counts.counted;
    const second = await api('GET', `/repos/${name}/issues`, undefined, { 'if-none-match': etag });
    expect(second.status).toBe(304);
    expect(Number(second.headers.get('x-ratelimit-used'))).toBe(used);
    expect(gh.counts.counted).toBe(counted);
    await api('GET', '/rate_limit');
    expect(gh.counts.counted).toBe(counted);
  });

  it('serves queued faults in order to matching requests only', async () => {
    const { name } = await repoWithBranch();
    gh.faults.serverError(`/repos/${name}*`, 2, 502, 'GET');
    gh.faults.tooManyRequests('/user', { retryAfterSeconds: 3 });
    expect((await api('GET', `/repos/${name}`)).status).toBe(502);
    expect((await api('POST', `/repos/${name}/issues`, { title: 'x' })).status).toBe(201);
    expect((await api('GET', `/repos/${name}/labels`)).status).toBe(502);
    expect((await api('GET', `/repos/${name}`)).status).toBe(200);
    const limited = await api('GET', '/user');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(limited.json).toMatchObject({ message: expect.stringMatching(/secondary rate limit/) });
    expect(gh.faults.pending).toBe(0);
  });
});

describe('webhooks', () => {
  it('delivers example payloads with the emulated repo, signed like GitHub', async () => {
    const { name } = await repoWithBranch();
    gh.createIssue(name, { title: 'Please plan' });
    gh.addLabel(name, 1, 'looper:plan', 'octo');
    const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(202).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/github`;
      const payload = await gh.webhookPayload({
        repo: name,
        event: 'issues',
        action: 'labeled',
        number: 1,
        label: 'looper:plan',
        sender: 'octo',
      });
      const sent = await gh.sendWebhook({ url, secret: 's3cret', event: 'issues', payload });
      await gh.sendWebhook({
        url,
        secret: 's3cret',
        event: 'issues',
        payload,
        deliveryId: sent.deliveryId,
      });
      expect(sent.status).toBe(202);
      expect(received).toHaveLength(2);
      const [first, again] = received;
      expect(first?.headers['x-github-event']).toBe('issues');
      expect(again?.headers['x-github-delivery']).toBe(first?.headers['x-github-delivery']);
      const signature = String(first?.headers['x-hub-signature-256']);
      expect(await verify('s3cret', first?.body ?? '', signature)).toBe(true);
      expect(JSON.parse(first?.body ?? '{}')).toMatchObject({
        action: 'labeled',
        repository: { full_name: name },
        issue: { number: 1, title: 'Please plan' },
        label: { name: 'looper:plan' },
        sender: { login: 'octo' },
      });
    } finally {
      server.close();
    }
  });
});
