// The single-node scheduler: claims queue entries with a lease (manual > planned > auto, FIFO within a
// queue), runs at most `daemon.max-concurrent-loops` loops at once (and what the per-project rules in
// admission.ts allow), renews leases while a step runs, and puts each entry back with a delay (retry,
// CI wait) or completes it (done, waiting for a person).
import { type Clock, isTerminalStage, type QueueName } from '../domain/index.js';
import type { LoopRunner, RunnerLog, StepOutcome } from '../runner/index.js';
import type { QueueEntryRecord, Store } from '../store/index.js';
import type { Admission } from './admission.js';
import { type BackoffOptions, backoffDelayMs } from './backoff.js';

export interface SchedulerOptions {
  store: Store;
  runner: LoopRunner;
  clock: Clock;
  log: RunnerLog;
  nodeId: string;
  maxConcurrent: number;
  leaseMs: number;
  /** How often due entries (backoff, CI wait) are looked for when nothing wakes the scheduler. */
  pollMs?: number;
  random?: () => number;
  /** Delays between retries of a transient failure (`[scheduler] retry`). */
  backoff?: BackoffOptions;
  /** Per-project limits; when set, entries are claimed one at a time so each claim sees the last. */
  admission?: Admission | null;
}

export interface Scheduler {
  start(): void;
  /** Looks for work now (after an enqueue). */
  wake(): void;
  enqueue(loopId: string, queue: QueueName): Promise<void>;
  /** Stops claiming; running steps get `graceMs` to finish, then are aborted and left resumable. */
  stop(graceMs: number): Promise<void>;
  activeLoops(): string[];
}

export function dedupeKeyFor(loopId: string): string {
  return `loop:${loopId}`;
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { store, runner, clock, log, nodeId } = options;
  const random = options.random ?? Math.random;
  const running = new Map<
    string,
    { entry: QueueEntryRecord; controller: AbortController; done: Promise<void> }
  >();
  let timer: NodeJS.Timeout | null = null;
  /** Wakes the scheduler when the earliest delayed entry is due, rather than at the next poll. */
  let wakeTimer: { at: number; handle: NodeJS.Timeout } | null = null;
  let stopping = false;
  let ticking = false;
  let again = false;

  async function settle(entry: QueueEntryRecord, outcome: StepOutcome): Promise<void> {
    switch (outcome.kind) {
      case 'continue':
        await store.queue.release(entry.id, nodeId);
        return;
      case 'retry_later': {
        const delayMs = backoffDelayMs(outcome.attempt, random, options.backoff);
        await store.queue.release(entry.id, nodeId, {
          notBefore: clock.now() + delayMs,
          error: outcome.reason,
        });
        wakeIn(delayMs);
        return;
      }
      case 'wait':
        if (outcome.delayMs !== undefined) {
          await store.queue.release(entry.id, nodeId, { notBefore: clock.now() + outcome.delayMs });
          wakeIn(outcome.delayMs);
        } else {
          await store.queue.complete(entry.id, nodeId);
          await requeueIfLive(entry);
        }
        return;
      case 'done':
        await store.queue.complete(entry.id, nodeId);
        await requeueIfLive(entry);
        return;
      default: {
        const never: never = outcome;
        throw new Error(`unknown outcome ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * An enqueue that arrived while this entry was claimed (a person resumed or approved the loop) got
   * the claimed entry back; completing it would lose that wake-up, so a loop that still has work is
   * queued again.
   */
  async function requeueIfLive(entry: QueueEntryRecord): Promise<void> {
    const loop = await store.loops.getLoop(entry.loopId);
    if (isTerminalStage(loop.stage) || loop.paused || loop.stage === 'awaiting_approval') return;
    await store.queue.enqueue({
      loopId: entry.loopId,
      queue: entry.queue,
      dedupeKey: entry.dedupeKey,
    });
  }

  async function drive(entry: QueueEntryRecord, controller: AbortController): Promise<void> {
    const renew = setInterval(
      () => {
        void store.queue.renewLease(entry.id, nodeId, options.leaseMs).catch((error: unknown) => {
          log.warn({ entryId: entry.id, error: String(error) }, 'lease renewal failed');
        });
      },
      Math.max(1_000, Math.floor(options.leaseMs / 3)),
    );
    let outcome: StepOutcome = { kind: 'continue' };
    try {
      while (!stopping) {
        outcome = await runner.advance(entry.loopId, controller.signal);
        if (outcome.kind !== 'continue') break;
      }
    } catch (error) {
      log.error(
        { loopId: entry.loopId, error: String(error), stack: (error as Error).stack },
        'loop step failed unexpectedly',
      );
      outcome = { kind: 'retry_later', attempt: entry.attempts + 2, reason: String(error) };
    } finally {
      clearInterval(renew);
    }
    await settle(entry, outcome).catch((error: unknown) =>
      log.error({ entryId: entry.id, error: String(error) }, 'could not settle queue entry'),
    );
  }

  async function tick(): Promise<void> {
    if (stopping) return;
    if (ticking) {
      again = true;
      return;
    }
    ticking = true;
    try {
      do {
        again = false;
        await claimWhileFree();
      } while (again);
    } catch (error) {
      log.error({ error: String(error) }, 'claiming work failed');
    } finally {
      ticking = false;
    }
  }

  function wakeIn(delayMs: number): void {
    if (stopping) return;
    const at = clock.now() + delayMs;
    if (wakeTimer !== null && wakeTimer.at <= at) return;
    if (wakeTimer !== null) clearTimeout(wakeTimer.handle);
    const handle = setTimeout(() => {
      wakeTimer = null;
      void tick();
    }, delayMs);
    handle.unref();
    wakeTimer = { at, handle };
  }

  async function claimWhileFree(): Promise<void> {
    const admission = options.admission ?? null;
    for (;;) {
      const free = options.maxConcurrent - running.size;
      if (free <= 0 || stopping) return;
      const active = [...running.keys()];
      const held = admission ? await admission.blocked(active) : [];
      const claimed = await store.queue.claim({
        owner: nodeId,
        leaseMs: options.leaseMs,
        now: clock.now(),
        limit: admission ? 1 : free,
        exclude: [...active, ...held],
      });
      for (const entry of claimed) launch(entry);
      if (claimed.length === 0 || !admission) return;
    }
  }

  function launch(entry: QueueEntryRecord): void {
    const controller = new AbortController();
    const done = drive(entry, controller).finally(() => {
      running.delete(entry.loopId);
      // A slot is free: look for the next entry.
      void tick();
    });
    running.set(entry.loopId, { entry, controller, done });
  }

  return {
    start() {
      stopping = false;
      // Continuously, not only at start: a lease whose holder stopped renewing it (a hung or dead
      // claimer) returns its entry to the queue, then due work is claimed.
      timer = setInterval(() => {
        void store.queue
          .expireLeases(clock.now())
          .then((returned) => {
            if (returned.length > 0)
              log.warn(
                { entries: returned.map((e) => e.id) },
                'expired leases returned to the queue',
              );
          })
          .catch((error: unknown) => log.warn({ error: String(error) }, 'expiring leases failed'))
          .finally(() => void tick());
      }, options.pollMs ?? 1_000);
      void tick();
    },
    wake() {
      void tick();
    },
    async enqueue(loopId, queue) {
      await store.queue.enqueue({ loopId, queue, dedupeKey: dedupeKeyFor(loopId) });
      void tick();
    },
    async stop(graceMs) {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = null;
      if (wakeTimer !== null) clearTimeout(wakeTimer.handle);
      wakeTimer = null;
      const all = Promise.all([...running.values()].map((r) => r.done));
      let graceTimer: NodeJS.Timeout | undefined;
      const grace = new Promise<'timeout'>((resolve) => {
        graceTimer = setTimeout(() => resolve('timeout'), graceMs);
      });
      const first = await Promise.race([all.then(() => 'done' as const), grace]);
      clearTimeout(graceTimer);
      if (first === 'timeout') {
        for (const r of running.values()) r.controller.abort(new Error('daemon shutting down'));
        await all;
      }
    },
    activeLoops() {
      return [...running.keys()];
    },
  };
}
