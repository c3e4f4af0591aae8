import { afterEach, describe, expect, it } from 'vitest';
import {
  createRunnerFixture,
  defaultScripts,
  outcome,
  type RunnerFixture,
} from './runner-fixture.test-support.js';

let fx: RunnerFixture;
afterEach(async () => {
  await fx.close();
});

const never = () => new AbortController().signal;
const outOfQuota = () =>
  outcome({
    status: 'failed',
    exitCode: 1,
    errorKind: 'quota',
    errorMessage: 'credit balance is too low',
    finalText: '',
  });

describe('vendor fallback', () => {
  it('runs the next fallback vendor when a run ends out of quota, at the same stage', async () => {
    fx = await createRunnerFixture({
      configure: (config) => {
        config.agent.vendor = 'claude-code';
        config.agent.fallback = ['codex', 'opencode'];
      },
    });
    fx.agents.script('planner', (req) =>
      req.vendor === 'claude-code' ? outOfQuota() : defaultScripts.planner(req),
    );
    const loop = await fx.createLoop();
    await fx.runner.advance(loop.id, never());
    const step = await fx.runner.advance(loop.id, never());
    expect(step).toEqual({ kind: 'continue' });
    const runs = await fx.store.runs.listRunsForLoop(loop.id);
    expect(runs.map((r) => [r.vendor, r.status, r.stage])).toEqual([
      ['claude-code', 'failed', 'planning'],
      ['codex', 'succeeded', 'planning'],
    ]);
    expect((await fx.events(loop.id, 'run.fallback'))[0]?.data).toMatchObject({
      from: 'claude-code',
      to: 'codex',
      error_kind: 'quota',
    });
    expect((await fx.store.loops.getLoop(loop.id)).stage).toBe('plan_review');
  });

  it('does not fall back on an ordinary failure (a crash is retried with the same vendor)', async () => {
    fx = await createRunnerFixture({
      configure: (config) => {
        config.agent.fallback = ['codex'];
      },
    });
    fx.agents.script('planner', () =>
      outcome({
        status: 'failed',
        exitCode: 1,
        errorKind: 'crash',
        errorMessage: 'boom',
        finalText: '',
      }),
    );
    const loop = await fx.createLoop();
    await fx.runner.advance(loop.id, never());
    expect(await fx.runner.advance(loop.id, never())).toMatchObject({ kind: 'retry_later' });
    expect((await fx.store.runs.listRunsForLoop(loop.id)).map((r) => r.vendor)).toEqual([
      fx.config.agent.vendor,
    ]);
  });
});

describe('cost from the price table', () => {
  it('prices a run whose vendor reports no cost, and sums it into the loop', async () => {
    fx = await createRunnerFixture({
      configure: (config) => {
        config.vendors[config.agent.vendor].price = { input: 2, output: 10, cached: 0.5 };
      },
    });
    fx.agents.script('planner', (req) => {
      const done = defaultScripts.planner(req) as ReturnType<typeof outcome>;
      return {
        ...done,
        usage: {
          inputTokens: 1_000_000,
          outputTokens: 100_000,
          cachedTokens: 200_000,
          costUsd: null,
        },
      };
    });
    const loop = await fx.createLoop();
    await fx.runner.advance(loop.id, never());
    await fx.runner.advance(loop.id, never());
    // 800k fresh × $2 + 200k cached × $0.5 + 100k out × $10, per million tokens
    expect((await fx.store.loops.getLoop(loop.id)).costUsd).toBeCloseTo(1.6 + 0.1 + 1.0, 6);
  });
});

describe('session resume', () => {
  it('resumes the interrupted run of the same role with its session and home', async () => {
    fx = await createRunnerFixture();
    const loop = await fx.createLoop();
    await fx.runner.advance(loop.id, never());
    const current = await fx.store.loops.getLoop(loop.id);
    const interrupted = await fx.store.runs.createRun({
      loopId: loop.id,
      role: 'planner',
      vendor: fx.config.agent.vendor,
      stage: 'planning',
      attempt: 1,
      logPath: '/dev/null',
    });
    await fx.store.runs.setRunSession(interrupted.id, 'sess-42');
    await fx.store.runs.finishRun(interrupted.id, { status: 'interrupted' });
    expect(current.stage).toBe('planning');
    await fx.runner.advance(loop.id, never());
    const request = fx.agents.requests.find((r) => r.role === 'planner');
    expect(request?.resumeSessionId).toBe('sess-42');
    expect(request?.resumeFromHome).toContain(interrupted.id);
  });
});
