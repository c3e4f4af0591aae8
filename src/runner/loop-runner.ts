// Steps a loop: flushes effects left by a crash, performs the stage's step, feeds its outcome to the
// pure state machine, stores the new state with its effects, then applies them. Control actions
// (cancel, pause, resume, retry, approve) go through the same transition function.
import { loopLimits } from '../config/index.js';
import {
  isLooperError,
  isTerminalStage,
  type LoopEffect,
  type LoopEvent,
  LooperError,
  type LoopState,
  transition,
} from '../domain/index.js';
import type { LoopOptions, LoopRecord } from '../store/index.js';
import type { RunnerDeps } from './deps.js';
import { applyEffects } from './effects.js';
import { classifyStepError, type StepPhase } from './failure-class.js';
import { type LoopContext, loadContext } from './loop-context.js';
import { performStep, type StepResult } from './steps.js';
import { watchEvent } from './watch.js';

export type StepOutcome =
  | { kind: 'continue' }
  | { kind: 'retry_later'; attempt: number; reason: string }
  | { kind: 'wait'; delayMs?: number }
  | { kind: 'done' };

export interface ControlResult {
  loop: LoopRecord;
  /** The loop must be queued again (resume, retry, approve). */
  requeue: boolean;
}

export interface LoopRunner {
  /** Advances the loop by one step. `signal` aborts for shutdown; the loop stays resumable. */
  advance(loopId: string, signal: AbortSignal): Promise<StepOutcome>;
  /** Applies a control event from a person; throws LooperError('invalid_transition') when refused. */
  control(loopId: string, event: LoopEvent): Promise<ControlResult>;
  /**
   * Merge watch of a `ready` (or stopped) loop with a PR: applies what its PR calls for now — merged,
   * closed, back to fixing, a new head to review. `event` is null when nothing needed doing.
   */
  watch(loopId: string): Promise<WatchResult>;
}

export interface WatchResult {
  event: LoopEvent['type'] | null;
  loop: LoopRecord;
  requeue: boolean;
}

const durable = (effect: LoopEffect) => effect.type !== 'continue' && effect.type !== 'retry_later';

interface Inflight {
  controller: AbortController;
  done: Promise<unknown>;
}

export function createLoopRunner(deps: RunnerDeps): LoopRunner {
  const inflight = new Map<string, Inflight>();
  const limits = loopLimits(deps.config);
  /** Transient failures are retried this many times at one stage before a person is asked. */
  const maxStepAttempts = deps.config.scheduler.retry['max-attempts'];

  function apply(state: LoopState, event: LoopEvent): { state: LoopState; effects: LoopEffect[] } {
    const result = transition(state, event, { now: deps.clock.now(), limits });
    if (!result.ok)
      throw new LooperError('invalid_transition', result.reason, {
        details: { stage: state.stage, event: event.type },
      });
    return { state: result.loop, effects: result.effects };
  }

  /** Saves a new state with its effects, applies and clears the effects, then tells watchers. */
  async function commit(
    loop: LoopRecord,
    next: LoopState,
    effects: LoopEffect[],
    patch: { branch?: string; prNumber?: number; options?: LoopOptions } = {},
  ): Promise<LoopRecord> {
    await save(loop, next, effects, patch);
    const saved = await flush(await deps.store.loops.getLoop(loop.id));
    await announce(loop, next);
    return saved;
  }

  /** Stores the new state with its pending effects (applied by `flush`). */
  async function save(
    loop: LoopRecord,
    next: LoopState,
    effects: LoopEffect[],
    patch: { branch?: string; prNumber?: number; options?: LoopOptions } = {},
  ): Promise<void> {
    const pending = effects.filter(durable);
    await deps.store.loops.saveLoopState(
      loop.id,
      { state: next, pendingEffects: pending, ...patch },
      loop.version,
    );
  }

  /** A pause or resume (no stage change, so no `report` effect) is announced here. */
  async function announce(loop: LoopRecord, next: LoopState): Promise<void> {
    if (next.stage !== loop.stage || next.paused === loop.paused) return;
    await deps.events.emit({
      loopId: loop.id,
      type: 'loop.stage',
      data: {
        from: loop.stage,
        to: next.stage,
        paused: next.paused,
        reason: next.reason,
        attempt: next.attempt,
      },
    });
  }

  async function flush(loop: LoopRecord, ctx?: LoopContext): Promise<LoopRecord> {
    if (loop.pendingEffects.length === 0) return loop;
    const context = ctx ? { ...ctx, loop } : await loadContext(deps, loop, false);
    const patch = await applyEffects(deps, context, loop.pendingEffects);
    await deps.store.loops.saveLoopState(
      loop.id,
      { state: loop.state, pendingEffects: [], ...patch },
      loop.version,
    );
    return deps.store.loops.getLoop(loop.id);
  }

  /** `failure` is why the step failed: a transient failure leaves `state.reason` empty. */
  function outcomeOf(loop: LoopRecord, effects: LoopEffect[], failure?: string): StepOutcome {
    const retry = effects.find((e) => e.type === 'retry_later');
    if (retry && retry.type === 'retry_later')
      return {
        kind: 'retry_later',
        attempt: retry.attempt,
        reason: failure ?? loop.state.reason ?? 'transient failure',
      };
    if (isTerminalStage(loop.stage) || loop.paused) return { kind: 'done' };
    return effects.some((e) => e.type === 'continue') ? { kind: 'continue' } : { kind: 'wait' };
  }

  async function eventFor(loop: LoopRecord, step: StepResult): Promise<LoopEvent | null> {
    if (step.kind === 'event') return step.event;
    if (step.kind !== 'failed') return null;
    await deps.events.emit({
      loopId: loop.id,
      type: 'step.failed',
      data: {
        stage: loop.stage,
        attempt: loop.state.attempt,
        failure_class: step.failureClass,
        reason: step.reason,
      },
    });
    if (step.failureClass === 'transient' && loop.state.attempt >= maxStepAttempts) {
      return {
        type: 'step_failed',
        failureClass: 'needs_human',
        reason: `${step.reason} (gave up after ${maxStepAttempts} attempts)`,
      };
    }
    return { type: 'step_failed', failureClass: step.failureClass, reason: step.reason };
  }

  /** Prepares the worktree and performs the stage's step; what they throw becomes a failed step. */
  async function prepareAndPerform(loop: LoopRecord, signal: AbortSignal): Promise<StepResult> {
    const failed = async (error: unknown, phase: StepPhase): Promise<StepResult> => {
      const classified = await classifyStepError(deps, loop, error, phase);
      deps.log.warn(
        { loopId: loop.id, stage: loop.stage, phase, ...classified, error: String(error) },
        'step failed',
      );
      return { kind: 'failed', ...classified, costUsd: 0 };
    };
    let ctx: LoopContext;
    try {
      ctx = await loadContext(deps, loop);
    } catch (error) {
      return failed(error, 'prepare');
    }
    try {
      return await performStep(deps, ctx, signal);
    } catch (error) {
      if (signal.aborted) return { kind: 'stopped' };
      return failed(error, 'perform');
    }
  }

  /** `signal` aborts for shutdown or a person's stop; `shutdown` only for shutdown. */
  async function step(
    loopId: string,
    signal: AbortSignal,
    shutdown: AbortSignal,
  ): Promise<StepOutcome> {
    let loop = await flush(await deps.store.loops.getLoop(loopId));
    if (isTerminalStage(loop.stage) || loop.paused) return { kind: 'done' };
    const before = loop;
    const result = await prepareAndPerform(loop, signal);
    if (result.kind === 'wait') return result;
    if (result.kind === 'none') return { kind: 'done' };
    // Stopped for shutdown: the loop resumes later. Stopped by a person (cancel, pause): the control
    // action saves the new state, and there is nothing left for this claim to do.
    if (result.kind === 'stopped')
      return shutdown.aborted ? { kind: 'continue' } : { kind: 'done' };
    loop = await deps.store.loops.getLoop(loopId);
    if (loop.version !== before.version) return { kind: 'continue' };
    let state = loop.state;
    const effects: LoopEffect[] = [];
    if (result.costUsd > 0) state = apply(state, { type: 'cost', costUsd: result.costUsd }).state;
    const event = await eventFor(loop, result);
    if (event === null) return { kind: 'done' };
    const next = apply(state, event);
    effects.push(...next.effects);
    const patch = result.kind === 'event' ? result.patch : undefined;
    const saved = await commit(loop, next.state, effects, patch);
    return outcomeOf(saved, effects, result.kind === 'failed' ? result.reason : undefined);
  }

  return {
    async advance(loopId, signal) {
      const controller = new AbortController();
      const onAbort = () => controller.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      const done = step(loopId, controller.signal, signal);
      inflight.set(loopId, { controller, done: done.catch(() => undefined) });
      try {
        return await done;
      } catch (error) {
        // Someone (a person's control action) saved the loop meanwhile: look again next step.
        if (isLooperError(error) && error.code === 'conflict') return { kind: 'continue' };
        throw error;
      } finally {
        signal.removeEventListener('abort', onAbort);
        inflight.delete(loopId);
      }
    },

    async control(loopId, event) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const loop = await deps.store.loops.getLoop(loopId);
        const next = apply(loop.state, event);
        try {
          // Saved first, so a step that is running sees a changed version and cannot carry on with
          // the old state; then the agent is stopped; then the effects (e.g. worktree cleanup) run.
          await save(loop, next.state, next.effects);
          if (next.effects.some((e) => e.type === 'stop_agent')) await stopAgent(loopId);
          const saved = await flush(await deps.store.loops.getLoop(loopId));
          await announce(loop, next.state);
          return { loop: saved, requeue: next.effects.some((e) => e.type === 'continue') };
        } catch (error) {
          if (isLooperError(error) && error.code === 'conflict') continue;
          throw error;
        }
      }
      throw new LooperError('conflict', `loop ${loopId} kept changing; try again`);
    },

    async watch(loopId) {
      const loop = await deps.store.loops.getLoop(loopId);
      const event = await watchEvent(deps, loop);
      if (event === null) return { event: null, loop, requeue: false };
      const result = await this.control(loopId, event);
      return { event: event.type, ...result };
    },
  };

  async function stopAgent(loopId: string): Promise<void> {
    const running = inflight.get(loopId);
    if (!running) return;
    running.controller.abort(new Error('stopped by a person'));
    await running.done;
  }
}
