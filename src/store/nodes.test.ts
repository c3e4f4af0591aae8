import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from './test-helpers.js';

let t: TestStore;
beforeEach(async () => {
  t = await openTestStore();
});
afterEach(() => t.cleanup());

const node = { id: 'node_a', name: 'host-a', version: '1.0.0', capacity: 2 };

describe('nodes', () => {
  it('registers a node, heartbeats it and marks it stopped', async () => {
    const { nodes } = t.store;
    const start = t.clock.now();
    expect(await nodes.registerNode(node)).toEqual({
      ...node,
      startedAt: start,
      heartbeatAt: start,
      stoppedAt: null,
    });

    t.clock.advance(15_000);
    expect(await nodes.heartbeatNode('node_a')).toBe(true);
    expect(await nodes.listNodes()).toEqual([
      { ...node, startedAt: start, heartbeatAt: start + 15_000, stoppedAt: null },
    ]);

    t.clock.advance(1_000);
    await nodes.stopNode('node_a');
    const [stopped] = await nodes.listNodes();
    expect(stopped).toMatchObject({ heartbeatAt: start + 16_000, stoppedAt: start + 16_000 });
    // A stopped node's late heartbeat (a timer firing during shutdown) does not revive it.
    expect(await nodes.heartbeatNode('node_a')).toBe(false);
    expect(await nodes.heartbeatNode('node_unknown')).toBe(false);
  });

  it('re-registers a restarted node in place with its new version and capacity', async () => {
    const { nodes } = t.store;
    await nodes.registerNode(node);
    await nodes.stopNode('node_a');
    t.clock.advance(60_000);
    await nodes.registerNode({ ...node, version: '1.1.0', capacity: 4 });
    await nodes.registerNode({ id: 'node_b', name: 'host-b', version: '1.1.0', capacity: 1 });

    const list = await nodes.listNodes();
    expect(list.map((n) => n.id).sort()).toEqual(['node_a', 'node_b']);
    expect(list.find((n) => n.id === 'node_a')).toMatchObject({
      version: '1.1.0',
      capacity: 4,
      startedAt: t.clock.now(),
      stoppedAt: null,
    });
  });
});
