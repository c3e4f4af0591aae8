import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRunnerFixture,
  outcome,
  type RunnerFixture,
  // biome-ignore lint/style/noRestrictedImports: the runner's shared test fixture, not its public surface.
} from '../runner/runner-fixture.test-support.js';
import { listFailures } from './failures.js';

let fx: RunnerFixture;
beforeEach(async () => {
  fx = await createRunnerFixture();
});
afterEach(async () => {
  await fx.close();
});

const never = () => new AbortController().signal;
const crash = () =>
  outcome({ status: 'failed', exitCode: 1, errorKind: 'crash', errorMessage: 'agent crashed' });

describe('failures', () => {
  it('lists needs_human and failed loops, most recently ended first, with the last step.failed', async () => {
    fx.agents.script('planner', crash);
    // Created first, ended last: the order is by end, not by creation.
    const broken = await fx.createLoop({ title: 'Broken for good' });
    fx.clock.advance(1_000);
    const gaveUp = await fx.createLoop({ title: 'Planner keeps crashing' });
    await fx.advanceUntilDone(gaveUp.id);
    for (let n = 0; n < 2; n++) await fx.runner.advance(gaveUp.id, never());
    fx.clock.advance(60_000);
    await fx.saveState(broken.id, { stage: 'failed', reason: 'the repository is gone' });
    fx.clock.advance(60_000);
    const fine = await fx.createLoop({ title: 'Still going' });
    const cancelled = await fx.createLoop({ title: 'Cancelled' });
    await fx.saveState(cancelled.id, { stage: 'cancelled', reason: 'cancelled by a person' });

    const failures = await listFailures({ store: fx.store }, { limit: 20 });

    expect((await fx.store.loops.getLoop(gaveUp.id)).stage).toBe('needs_human');
    expect(failures.map((f) => f.loop_id)).toEqual([broken.id, gaveUp.id]);
    expect(failures.map((f) => f.loop_id)).not.toContain(fine.id);
    expect(failures[1]).toMatchObject({
      project: { name: 'sample', path: fx.repo },
      kind: 'issue',
      number: gaveUp.number,
      title: 'Planner keeps crashing',
      stage: 'needs_human',
      stopped_at: 'planning',
      reason: expect.stringContaining('gave up after 3 attempts'),
      last_failure: {
        stage: 'planning',
        attempt: 3,
        failure_class: 'transient',
        reason: expect.stringContaining('agent crashed'),
      },
    });
    expect(failures[1]?.finished_at).toBe(new Date(fx.clock.now() - 120_000).toISOString());
    expect(failures[0]).toMatchObject({
      stage: 'failed',
      reason: 'the repository is gone',
      last_failure: null,
    });
    expect(await listFailures({ store: fx.store }, { limit: 1 })).toHaveLength(1);
  });
});
