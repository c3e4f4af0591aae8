import { afterEach, describe, expect, it } from 'vitest';
import {
  createRunnerFixture,
  defaultScripts,
  outcome,
  type RunnerFixture,
  resultOutcome,
} from './runner-fixture.test-support.js';

let fx: RunnerFixture;
afterEach(async () => {
  await fx.close();
});

const never = () => new AbortController().signal;

const crash = () =>
  outcome({
    status: 'failed',
    exitCode: 1,
    errorKind: 'crash',
    errorMessage: 'agent crashed',
    finalText: '',
  });

describe('transient failures', () => {
  it('retries at the same stage with a growing attempt, then asks a person after 3', async () => {
    fx = await createRunnerFixture();
    fx.agents.script('planner', crash);
    const loop = await fx.createLoop();
    await fx.runner.advance(loop.id, never()); // queued → planning

    const first = await fx.runner.advance(loop.id, never());
    const second = await fx.runner.advance(loop.id, never());
    const third = await fx.runner.advance(loop.id, never());

    expect(first).toMatchObject({ kind: 'retry_later', attempt: 2 });
    expect(first.kind === 'retry_later' && first.reason).toContain('agent crashed');
    expect(second).toMatchObject({ kind: 'retry_later', attempt: 3 });
    expect(third).toEqual({ kind: 'done' });
    const after = await fx.store.loops.getLoop(loop.id);
    expect(after.stage).toBe('needs_human');
    expect(after.state.reason).toContain('agent crashed');
    expect(after.state.reason).toContain('gave up after 3 attempts');
    const runs = await fx.store.runs.listRunsForLoop(loop.id);
    expect(runs.map((r) => [r.status, r.attempt])).toEqual([
      ['failed', 1],
      ['failed', 2],
      ['failed', 3],
    ]);
    expect(await fx.stateLabelsOf(loop)).toEqual(['looper:needs-human']);
  });
});

describe('an agent that prints no result', () => {
  it('is asked once more with a reminder, then the loop needs a person', async () => {
    fx = await createRunnerFixture();
    fx.agents.script('planner', () => outcome({ finalText: 'I wrote a spec.' }));
    const loop = await fx.createLoop();
    await fx.runner.advance(loop.id, never());

    const result = await fx.runner.advance(loop.id, never());

    expect(result).toEqual({ kind: 'done' });
    const prompts = fx.agents.requests.map((r) => r.prompt);
    expect(prompts).toHaveLength(2);
    expect(prompts[0]).not.toContain('IMPORTANT');
    expect(prompts[1]).toContain('IMPORTANT: your previous answer had no valid result line');
    const runs = await fx.store.runs.listRunsForLoop(loop.id);
    expect(runs.map((r) => r.status)).toEqual(['parse_failed', 'parse_failed']);
    const after = await fx.store.loops.getLoop(loop.id);
    expect(after.stage).toBe('needs_human');
    expect(after.state.reason).toContain('did not print a valid result twice');
  });

  it('goes on when the reminded run prints its result', async () => {
    fx = await createRunnerFixture();
    let calls = 0;
    fx.agents.script('planner', (req) =>
      ++calls === 1 ? outcome({ finalText: 'no result' }) : defaultScripts.planner(req),
    );
    const loop = await fx.createLoop();
    await fx.runner.advance(loop.id, never());

    const result = await fx.runner.advance(loop.id, never());

    expect(result).toEqual({ kind: 'continue' });
    expect((await fx.store.loops.getLoop(loop.id)).stage).toBe('plan_review');
    const runs = await fx.store.runs.listRunsForLoop(loop.id);
    expect(runs.map((r) => r.status)).toEqual(['parse_failed', 'succeeded']);
  });
});

describe('budgets', () => {
  it('stops the loop once its cost passes loop.max-cost-usd', async () => {
    fx = await createRunnerFixture({
      configure: (config) => {
        config.loop['max-cost-usd'] = 1;
      },
    });
    fx.agents.script('planner', async (req) => {
      const out = await defaultScripts.planner(req);
      return { ...out, usage: { ...out.usage, costUsd: 0.75 } };
    });
    fx.agents.script('plan_reviewer', () =>
      resultOutcome({ verdict: 'approve', summary: 'ok', comments: [] }, 0.75),
    );
    const loop = await fx.createLoop();

    const last = await fx.advanceUntilDone(loop.id);

    expect(last).toEqual({ kind: 'done' });
    const after = await fx.store.loops.getLoop(loop.id);
    expect(after.stage).toBe('needs_human');
    expect(after.state.reason).toContain('loop.max-cost-usd (1)');
    expect(after.state.reason).toContain('$1.50');
    expect(after.costUsd).toBe(1.5);
    expect(fx.agents.requests.map((r) => r.role)).toEqual(['planner', 'plan_reviewer']);
  });

  it('stops on the same check failure twice in a row (no progress)', async () => {
    fx = await createRunnerFixture();
    const check = `echo "expected 4, got 5" >&2; exit 1`;
    const loop = await fx.createLoop({ checks: [check] });

    const last = await fx.advanceUntilDone(loop.id);

    expect(last).toEqual({ kind: 'done' });
    const after = await fx.store.loops.getLoop(loop.id);
    expect(after.stage).toBe('needs_human');
    expect(after.state.reason).toMatch(/^no progress: the same failure twice in a row/);
    expect(await fx.stagesSeen(loop.id)).toEqual([
      'queued',
      'planning',
      'plan_review',
      'working',
      'checking',
      'fixing',
      'checking',
      'needs_human',
    ]);
    const finished = await fx.events(loop.id, 'checks.finished');
    expect(finished.map((e) => e.data.passed)).toEqual([false, false]);
    expect(finished[0]?.data.fingerprint).toBe(finished[1]?.data.fingerprint);
    const fixer = fx.agents.requests.filter((r) => r.role === 'fixer');
    expect(fixer).toHaveLength(1);
    expect(fixer[0]?.prompt).toContain('expected 4, got 5');
    expect(fixer[0]?.prompt).toContain(`$ ${check}  (exit 1)`);
  });
});
