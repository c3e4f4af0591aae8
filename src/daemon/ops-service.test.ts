import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import { startNodeHeartbeat } from './node-heartbeat.js';
import { createOpsService, type ProcessFigures } from './ops-service.js';
import { createRateLimitWatch } from './rate-limit-watch.js';

let time = 1_700_000_000_000;
const clock = { now: () => time };
let dataDir: string;
let store: Store;
beforeEach(async () => {
  time = 1_700_000_000_000;
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
  store = await openStore({ dataDir, clock });
});
afterEach(async () => {
  vi.useRealTimers();
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const heartbeatMs = 15_000;
const log = { warn: () => undefined };
const figures: ProcessFigures = {
  residentMemoryBytes: 1234,
  heapUsedBytes: 567,
  cpuUserSeconds: 2,
  cpuSystemSeconds: 1,
  startedAt: 1_699_999_999_400,
};

function ops(extra: Partial<Parameters<typeof createOpsService>[0]> = {}) {
  return createOpsService({
    store,
    clock,
    nodeId: 'node_self',
    version: '9.9.9',
    startedAt: time,
    heartbeatMs,
    process: () => figures,
    ...extra,
  });
}

describe('GET /nodes from the store', () => {
  it('calls a node alive while its heartbeat is within three intervals and it has not stopped', async () => {
    const node = { version: '9.9.9', capacity: 2 };
    await store.nodes.registerNode({ id: 'node_stale', name: 'b', ...node });
    await store.nodes.registerNode({ id: 'node_stopped', name: 'c', ...node });
    await store.nodes.stopNode('node_stopped');
    time += 3 * heartbeatMs;
    await store.nodes.registerNode({ id: 'node_self', name: 'a', ...node, capacity: 4 });
    // node_stale's heartbeat is exactly three intervals old: still alive.
    const atLimit = await ops().listNodes();
    expect(atLimit.find((n) => n.id === 'node_stale')?.alive).toBe(true);

    time += 1;
    const nodes = await ops().listNodes();
    expect(nodes.map((n) => [n.id, n.alive, n.current])).toEqual([
      ['node_self', true, true],
      ['node_stale', false, false],
      ['node_stopped', false, false],
    ]);
    expect(nodes[0]).toEqual({
      id: 'node_self',
      name: 'a',
      version: '9.9.9',
      capacity: 4,
      started_at: new Date(time - 1).toISOString(),
      heartbeat_at: new Date(time - 1).toISOString(),
      stopped_at: null,
      alive: true,
      current: true,
    });
    expect(nodes[2]?.stopped_at).toBe(new Date(1_700_000_000_000).toISOString());
  });
});

describe('the node heartbeat', () => {
  it('registers at start, beats on its timer, and marks the node stopped', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const beats: string[] = [];
    const nodes = {
      ...store.nodes,
      heartbeatNode: (id: string) => {
        beats.push(id);
        return store.nodes.heartbeatNode(id);
      },
    };
    const heartbeat = await startNodeHeartbeat({
      store: { nodes },
      id: 'node_self',
      name: 'host',
      version: '9.9.9',
      capacity: 3,
      intervalMs: 1_000,
      log,
    });
    expect(await store.nodes.listNodes()).toMatchObject([
      { id: 'node_self', name: 'host', capacity: 3, heartbeatAt: time, stoppedAt: null },
    ]);

    time += 1_000;
    vi.advanceTimersByTime(1_000);
    expect(beats).toEqual(['node_self']);
    time += 500;
    await heartbeat.stop();
    const [stopped] = await store.nodes.listNodes();
    expect(stopped).toMatchObject({ heartbeatAt: time, stoppedAt: time });
    // The timer is gone with it.
    vi.advanceTimersByTime(5_000);
    expect(beats).toEqual(['node_self']);
  });

  it('puts its row back when a beat finds it missing', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const heartbeat = await startNodeHeartbeat({
      store,
      id: 'node_self',
      name: 'host',
      version: '9.9.9',
      capacity: 1,
      intervalMs: 1_000,
      log,
    });
    await store.db.deleteFrom('nodes').execute();
    vi.advanceTimersByTime(1_000);
    await heartbeat.stop();
    expect(await store.nodes.listNodes()).toMatchObject([{ id: 'node_self', stoppedAt: time }]);
  });
});

describe('the metrics snapshot', () => {
  it('reads counts from the store and the process, with the rate limit the gateway saw', async () => {
    const project = await store.projects.createProject({ name: 'p', forge: 'local', path: '/p' });
    const loop = await store.loops.createLoop({
      projectId: project.id,
      kind: 'issue',
      number: 1,
      title: 'x',
    });
    await store.queue.enqueue({ loopId: loop.id, queue: 'planned', dedupeKey: 'k' });
    await store.runs.createRun({
      loopId: loop.id,
      role: 'worker',
      vendor: 'codex',
      stage: 'working',
      attempt: 1,
      logPath: '/l',
    });
    await store.loops.addLoopUsage(loop.id, {
      inputTokens: 10,
      outputTokens: 4,
      cachedTokens: 1,
      costUsd: 0.2,
    });
    await store.events.appendEvent({ type: 'loop.created', loopId: loop.id });
    const started = time;
    time += 90_000;

    const watch = createRateLimitWatch(
      async () =>
        new Response('{}', {
          headers: {
            'x-ratelimit-limit': '5000',
            'x-ratelimit-remaining': '4321',
            'x-ratelimit-reset': '1700000600',
            'x-ratelimit-resource': 'core',
          },
        }),
    );
    await watch.fetch('https://api.github.test/repos/o/r');
    const snapshot = await ops({ startedAt: started, rateLimits: watch.samples }).metrics();
    expect(snapshot).toMatchObject({
      version: '9.9.9',
      queueEntries: [{ queue: 'planned', state: 'queued', count: 1 }],
      runs: [{ role: 'worker', vendor: 'codex', status: 'running', count: 1 }],
      costUsd: 0.2,
      tokens: { input: 10, output: 4, cached: 1 },
      eventsTotal: 1,
      githubRateLimits: [
        { resource: 'core', limit: 5000, remaining: 4321, resetAt: 1_700_000_600_000 },
      ],
      process: {
        residentMemoryBytes: 1234,
        heapUsedBytes: 567,
        cpuUserSeconds: 2,
        cpuSystemSeconds: 1,
        startTimeSeconds: 1_699_999_999.4,
        uptimeSeconds: 90,
      },
    });
    expect(snapshot.loopsByStage.queued).toBe(1);
    expect(snapshot.loopsByStage.ready).toBe(0);
  });

  it('has no rate limit before GitHub answered, or when its answers carry none', async () => {
    const watch = createRateLimitWatch(async () => new Response('{}', { status: 200 }));
    expect(watch.samples()).toEqual([]);
    await watch.fetch('https://api.github.test/meta');
    expect(watch.samples()).toEqual([]);
    expect((await ops({ rateLimits: watch.samples }).metrics()).githubRateLimits).toEqual([]);
  });
});
