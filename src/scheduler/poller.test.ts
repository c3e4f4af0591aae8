import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/index.js';
import { openStore } from '../store/index.js';
import { createIntake } from './intake.js';
import {
  createPoller,
  type PolledComment,
  type PolledLabelEvent,
  type PollSource,
} from './poller.js';

const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

function labeled(id: number, number: number, actor = 'writer'): PolledLabelEvent {
  return {
    id,
    event: 'labeled',
    label: 'looper:plan',
    actor,
    number,
    title: `Issue ${number}`,
    body: '',
    isPullRequest: false,
  };
}

async function setup() {
  const store = await openStore({
    dataDir: mkdtempSync(join(tmpdir(), 'looper-poll-')),
    clock: { now: () => Date.now() },
  });
  await store.projects.createProject({ name: 'o/r', forge: 'github', repo: 'o/r' });
  await store.projects.createProject({ name: 'local', forge: 'local', path: '/tmp/x' });
  const feed: {
    events: PolledLabelEvent[] | null;
    comments: PolledComment[] | null;
    /** What the forge says changed on each PR since the last poll (absent: nothing). */
    pulls: Record<number, 'open' | 'merged' | 'closed' | undefined>;
  } = { events: [], comments: [], pulls: {} };
  const asked: string[] = [];
  const source: PollSource = {
    issueEvents: async (p) => {
      asked.push(`events:${p.repo}`);
      return feed.events;
    },
    issueComments: async () => feed.comments,
    pullRequestActivity: async (_p, n) => {
      const state = feed.pulls[n];
      feed.pulls[n] = undefined;
      return state ? { state } : null;
    },
  };
  const enqueued: string[] = [];
  const intake = createIntake({
    store,
    events: { emit: (e) => store.events.appendEvent(e) },
    runner: { control: async () => ({ loop: await store.loops.getLoop('x'), requeue: false }) },
    enqueue: async (id) => {
      enqueued.push(id);
    },
    trustFor: () => ({ permissionOf: async (_p, user) => (user === 'writer' ? 'write' : 'read') }),
    config: defaultConfig(),
  });
  const watched: string[] = [];
  const poller = createPoller({
    store,
    intake,
    sourceFor: () => source,
    watch: async (loopId) => {
      watched.push(loopId);
    },
    intervalMs: 60_000,
    log,
  });
  return { store, feed, asked, enqueued, poller, watched };
}

describe('poller', () => {
  it('acts only on what happens after the first poll, once, and only for hosted-forge projects', async () => {
    const { feed, asked, enqueued, poller } = await setup();
    feed.events = [labeled(10, 1)];
    expect(await poller.pollOnce()).toBe(0);
    expect(asked).toEqual(['events:o/r']);
    feed.events = [labeled(10, 1), labeled(11, 2), labeled(12, 3, 'reader')];
    expect(await poller.pollOnce()).toBe(1);
    expect(enqueued).toHaveLength(1);
    feed.events = null;
    expect(await poller.pollOnce()).toBe(0);
    feed.events = [labeled(10, 1), labeled(11, 2), labeled(12, 3, 'reader')];
    expect(await poller.pollOnce()).toBe(0);
    expect(enqueued).toHaveLength(1);
  });
});

describe('poller on a repository with no history yet', () => {
  it('acts on the first label ever, seen after an empty first poll', async () => {
    const { feed, enqueued, poller } = await setup();
    feed.events = [];
    expect(await poller.pollOnce()).toBe(0);
    feed.events = [labeled(1, 1)];
    expect(await poller.pollOnce()).toBe(1);
    expect(enqueued).toHaveLength(1);
  });

  it('asks the merge watch about a ready loop only when its PR or CI changed', async () => {
    const { store, feed, poller, watched } = await setup();
    const project = (await store.projects.listProjects()).find((p) => p.forge === 'github');
    const at = async (stage: 'ready' | 'needs_human', number: number) => {
      const loop = await store.loops.createLoop({
        projectId: project?.id as string,
        kind: 'issue',
        number,
        title: 't',
      });
      await store.loops.saveLoopState(
        loop.id,
        { state: { ...loop.state, stage }, pendingEffects: [], prNumber: number + 100 },
        loop.version,
      );
      return loop.id;
    };
    const ready = await at('ready', 5);
    const stopped = await at('needs_human', 6);
    await poller.pollOnce();
    expect(watched).toEqual([]);
    // A review or red CI on the ready loop's PR; a push on the stopped one's (not its business).
    feed.pulls[105] = 'open';
    feed.pulls[106] = 'open';
    await poller.pollOnce();
    expect(watched).toEqual([ready]);
    // Merged: both follow their PR to the end.
    feed.pulls[105] = 'merged';
    feed.pulls[106] = 'closed';
    await poller.pollOnce();
    expect(watched).toEqual([ready, ready, stopped]);
  });
});
