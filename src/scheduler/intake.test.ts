import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Config, defaultConfig } from '../config/index.js';
import type { LoopEvent } from '../domain/index.js';
import { openStore, type ProjectRecord, type Store } from '../store/index.js';
import { createIntake, type Permission, parseCommand, type Trigger } from './intake.js';
import { nudgeFromWebhook, triggerFromWebhook } from './webhook-triggers.js';

const require = createRequire(import.meta.url);
const examples = require('@octokit/webhooks-examples') as {
  name: string;
  examples: Record<string, unknown>[];
}[];
const example = (name: string, action: string) =>
  examples.find((e) => e.name === name)?.examples.find((x) => x.action === action) as Record<
    string,
    unknown
  >;

let store: Store;
let project: ProjectRecord;
let enqueued: string[];
let controls: LoopEvent[];
let permissions: Record<string, Permission>;
let config: Config;

function intake() {
  return createIntake({
    store,
    events: { emit: (e) => store.events.appendEvent(e) },
    runner: {
      control: async (_id, event) => {
        controls.push(event);
        return { loop: await store.loops.getLoop(_id), requeue: event.type === 'retry' };
      },
    },
    enqueue: async (loopId) => {
      enqueued.push(loopId);
    },
    trustFor: () => ({ permissionOf: async (_p, user) => permissions[user] ?? 'none' }),
    config,
  });
}

function label(actor: string, name = 'looper:plan', number = 7): Trigger {
  return {
    type: 'label',
    project,
    number,
    isPullRequest: false,
    label: name,
    actor,
    title: 'Fix it',
    body: 'body',
    source: 'webhook',
  };
}

beforeEach(async () => {
  store = await openStore({
    dataDir: mkdtempSync(join(tmpdir(), 'looper-intake-')),
    clock: { now: () => Date.now() },
  });
  project = await store.projects.createProject({ name: 'r', forge: 'github', repo: 'octo/r' });
  enqueued = [];
  controls = [];
  permissions = { maintainer: 'maintain', reader: 'read', writer: 'write' };
  config = defaultConfig();
});

describe('intake: trust', () => {
  it('starts one loop on the planned queue for a label by a user with write access', async () => {
    const result = await intake().admit(label('writer'));
    expect(result.accepted).toBe(true);
    const loop = await store.loops.getLoop(result.loopId as string);
    expect(loop).toMatchObject({ kind: 'issue', number: 7, title: 'Fix it', stage: 'queued' });
    expect(enqueued).toEqual([loop.id]);
  });

  it('refuses a label by a user with read access and records why', async () => {
    const result = await intake().admit(label('reader'));
    expect(result).toMatchObject({
      accepted: false,
      reason: expect.stringContaining('read permission'),
    });
    expect(await store.loops.listLoops()).toHaveLength(0);
    const refused = (await store.events.listEvents()).filter((e) => e.type === 'intake.refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.data).toMatchObject({ actor: 'reader', number: 7 });
  });

  it("never lets Looper's own actions or bots trigger work", async () => {
    config = { ...config, github: { ...config.github, 'bot-login': 'looper-bot' } };
    permissions['looper-bot'] = 'admin';
    expect((await intake().admit(label('looper-bot'))).accepted).toBe(false);
    expect((await intake().admit(label('dependabot[bot]'))).accepted).toBe(false);
    expect(enqueued).toEqual([]);
  });

  it('trusts trust.allowed-users without asking the forge', async () => {
    config = { ...config, trust: { 'allowed-users': ['Friend'] } };
    expect((await intake().admit(label('friend'))).accepted).toBe(true);
  });
});

describe('intake: the auto queue', () => {
  beforeEach(() => {
    config = {
      ...config,
      github: { ...config.github, 'bot-login': 'looper-bot' },
      projects: [
        {
          repo: 'octo/r',
          'base-branch': 'main',
          'max-concurrent': 2,
          auto: { labels: ['bug'], authors: ['Carol', 'triage[bot]'] },
        },
      ],
    };
  });
  const opened = (actor: string, number = 9): Trigger => ({
    type: 'opened',
    project,
    number,
    actor,
    title: 'Crash',
    body: '',
    source: 'webhook',
  });
  const queueOf = async (loopId: string | undefined) =>
    (await store.events.listEvents({ loopId: loopId ?? '' })).find((e) => e.type === 'loop.created')
      ?.data.queue;

  it('an auto label from someone with write access starts a loop on the auto queue', async () => {
    const started = await intake().admit(label('writer', 'bug'));
    expect(started.accepted).toBe(true);
    expect(await queueOf(started.loopId)).toBe('auto');
    expect((await intake().admit(label('reader', 'bug', 8))).reason).toContain('read permission');
    expect(
      (await intake().admit({ ...label('writer', 'bug', 10), isPullRequest: true } as Trigger))
        .reason,
    ).toBe("label bug is not Looper's");
    expect((await intake().admit(label('writer', 'feature', 11))).accepted).toBe(false);
  });

  it('an issue opened by a listed author starts a loop; anyone else’s is no news', async () => {
    const started = await intake().admit(opened('carol'));
    expect(started.accepted).toBe(true);
    expect(await queueOf(started.loopId)).toBe('auto');
    expect((await intake().admit(opened('triage[bot]', 12))).accepted).toBe(true);
    const other = await intake().admit(opened('dave', 13));
    expect(other).toEqual({ accepted: false, reason: 'no auto rule names dave' });
    expect((await store.events.listEvents({})).filter((e) => e.type === 'intake.refused')).toEqual(
      [],
    );
    // Without a rule naming it, Looper's own issue never starts anything either.
    config = {
      ...config,
      projects: [
        {
          ...config.projects[0],
          auto: { labels: [], authors: ['looper-bot'] },
        } as Config['projects'][number],
      ],
    };
    expect((await intake().admit(opened('looper-bot', 14))).reason).toBe(
      "Looper's own action never triggers work",
    );
  });

  it('reads an opened issue from GitHub’s example payload', async () => {
    const payload = example('issues', 'opened');
    const trigger = await triggerFromWebhook('issues', payload, async () => project);
    expect(trigger).toMatchObject({
      type: 'opened',
      actor: (payload.issue as { user: { login: string } }).user.login,
      source: 'webhook',
    });
  });
});

describe('intake: dedupe and commands', () => {
  it('does nothing for a second label while the loop is active, and starts anew after it ended', async () => {
    const first = await intake().admit(label('writer'));
    const second = await intake().admit(label('maintainer'));
    expect(second).toMatchObject({
      accepted: false,
      reason: expect.stringContaining('already has an active loop'),
    });
    const loop = await store.loops.getLoop(first.loopId as string);
    await store.loops.saveLoopState(
      loop.id,
      { state: { ...loop.state, stage: 'ready' }, pendingEffects: [] },
      loop.version,
    );
    const third = await intake().admit(label('writer'));
    expect(third.accepted).toBe(true);
    expect(third.loopId).not.toBe(first.loopId);
  });

  it('a new issue loop supersedes the one still watching its PR at ready', async () => {
    const first = await intake().admit(label('writer'));
    const loop = await store.loops.getLoop(first.loopId as string);
    await store.loops.saveLoopState(
      loop.id,
      { state: { ...loop.state, stage: 'ready' }, pendingEffects: [] },
      loop.version,
    );
    const again = await intake().admit(label('writer'));
    expect(again.accepted).toBe(true);
    expect(controls).toEqual([{ type: 'cancel', reason: `superseded by loop ${again.loopId}` }]);
  });

  it('starts review and fix loops on a pull request, one at a time', async () => {
    const pr = (name: string, number = 20): Trigger =>
      ({
        ...label('writer', name, number),
        isPullRequest: true,
      }) as Trigger;
    const review = await intake().admit(pr('looper:review'));
    expect(review.accepted).toBe(true);
    expect(await store.loops.getLoop(review.loopId as string)).toMatchObject({
      kind: 'review',
      number: 20,
      prNumber: 20,
      state: { kind: 'review', stage: 'queued' },
    });
    // A review loop waiting at ready for the next head still owns the PR.
    const loop = await store.loops.getLoop(review.loopId as string);
    await store.loops.saveLoopState(
      loop.id,
      { state: { ...loop.state, stage: 'ready' }, pendingEffects: [] },
      loop.version,
    );
    expect(await intake().admit(pr('looper:fix'))).toMatchObject({
      accepted: false,
      reason: expect.stringContaining('already has an active loop'),
    });
    const fix = await intake().admit(pr('looper:fix', 21));
    expect(fix.accepted).toBe(true);
    expect((await store.loops.getLoop(fix.loopId as string)).kind).toBe('fix');
    expect(enqueued).toEqual([review.loopId, fix.loopId]);
    // The labels belong on pull requests, and looper:plan on issues.
    expect((await intake().admit(label('writer', 'looper:fix', 30))).reason).toContain(
      'belongs on a pull request',
    );
  });

  it('refuses a fix loop on Looper’s own pull request: its issue loop handles the feedback', async () => {
    const first = await intake().admit(label('writer'));
    const loop = await store.loops.getLoop(first.loopId as string);
    await store.loops.saveLoopState(
      loop.id,
      { state: { ...loop.state, stage: 'ready' }, pendingEffects: [], prNumber: 40 },
      loop.version,
    );
    const fix = await intake().admit({
      ...label('writer', 'looper:fix', 40),
      isPullRequest: true,
    } as Trigger);
    expect(fix).toMatchObject({
      accepted: false,
      reason: expect.stringContaining("is Looper's pull request for issue #7"),
    });
  });

  it('turns trusted /looper comments into control events', async () => {
    await intake().admit(label('writer'));
    const comment = (body: string, actor = 'writer'): Trigger => ({
      type: 'comment',
      project,
      number: 7,
      isPullRequest: false,
      actor,
      body,
      source: 'poll',
    });
    expect((await intake().admit(comment('/looper stop'))).accepted).toBe(true);
    expect((await intake().admit(comment('thanks!'))).accepted).toBe(false);
    expect((await intake().admit(comment('/looper retry', 'reader'))).accepted).toBe(false);
    expect(controls.map((c) => c.type)).toEqual(['cancel']);
  });

  it('parses commands anywhere at the start of a line', () => {
    expect(parseCommand('please\n/looper approve')).toBe('approve');
    expect(parseCommand('/LOOPER STATUS')).toBe('status');
    expect(parseCommand('/looper dance')).toBeNull();
  });
});

describe('webhook triggers', () => {
  it('reads a labeled issue and a created comment from GitHub example payloads', async () => {
    const labeled = example('issues', 'labeled');
    const repo = (labeled.repository as { full_name: string }).full_name;
    const find = async (name: string) => (name === repo ? project : null);
    const trigger = await triggerFromWebhook('issues', labeled, find);
    expect(trigger).toMatchObject({
      type: 'label',
      isPullRequest: false,
      source: 'webhook',
      project: { id: project.id },
    });
    const created = example('issue_comment', 'created');
    const commentRepo = (created.repository as { full_name: string }).full_name;
    const comment = await triggerFromWebhook('issue_comment', created, async (name) =>
      name === commentRepo ? project : null,
    );
    expect(comment).toMatchObject({ type: 'comment' });
    const pull = example('pull_request', 'labeled');
    const pullRepo = (pull.repository as { full_name: string }).full_name;
    const pullTrigger = await triggerFromWebhook('pull_request', pull, async (name) =>
      name === pullRepo ? project : null,
    );
    expect(pullTrigger).toMatchObject({
      type: 'label',
      isPullRequest: true,
      number: (pull.pull_request as { number: number }).number,
    });
    expect(await triggerFromWebhook('issues', labeled, async () => null)).toBeNull();
    expect(await triggerFromWebhook('star', labeled, find)).toBeNull();
  });

  it('turns review, CI and PR deliveries into merge-watch nudges naming the PR or the head', () => {
    const review = example('pull_request_review', 'submitted');
    expect(nudgeFromWebhook('pull_request_review', review)).toEqual({
      repo: 'Codertocat/Hello-World',
      numbers: [2],
      sender: 'Codertocat',
    });
    const check = example('check_run', 'completed');
    expect(nudgeFromWebhook('check_run', check)).toMatchObject({
      numbers: [2],
      sha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
    });
    // A CI result that names no PR is matched by its head.
    const status = examples.find((e) => e.name === 'status')?.examples[0] as Record<
      string,
      unknown
    >;
    expect(nudgeFromWebhook('status', status)).toMatchObject({
      numbers: 'all',
      sha: status.sha,
      sender: 'Codertocat',
    });
    expect(nudgeFromWebhook('check_run', example('check_run', 'created'))).toBeNull();
    expect(nudgeFromWebhook('star', review)).toBeNull();
  });
});
