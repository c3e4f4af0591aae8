// An in-memory LooperService for the API tests: the seam double, not Looper's real service.
import { LooperError } from '../domain/index.js';
import type { WorktreeCleanupView, WorktreeView } from './control-dto.js';
import type { CreateLoopRequest, EventView, LoopView, RunView, StatusView } from './dto.js';
import type { FailureView, QueueEntryView, QueueRemovedView } from './queue-dto.js';
import type { EventQuery, LooperService, LoopFilter, QueueFilter } from './service.js';

export function makeLoop(id: string, overrides: Partial<LoopView> = {}): LoopView {
  return {
    id,
    project: { id: 'prj_1', name: 'demo', path: '/tmp/demo', repo: null },
    kind: 'issue',
    number: 1,
    title: 'Demo loop',
    stage: 'working',
    paused: false,
    reason: null,
    branch: 'looper/1-demo-loop',
    pr: null,
    rounds: { plan: 0, local_fix: 0, fix: 0 },
    attempt: 1,
    vendor: 'custom',
    model: null,
    checks: [],
    cost_usd: 0,
    tokens: { input: 0, output: 0, cached: 0 },
    created_at: '2030-01-01T00:00:00.000Z',
    updated_at: '2030-01-01T00:00:00.000Z',
    finished_at: null,
    ...overrides,
  };
}

export function makeRun(id: string, logPath: string, overrides: Partial<RunView> = {}): RunView {
  return {
    id,
    loop_id: 'loop_1',
    role: 'worker',
    vendor: 'custom',
    model: null,
    stage: 'working',
    attempt: 1,
    status: 'running',
    exit_code: null,
    error_kind: null,
    error_message: null,
    summary: null,
    started_at: '2030-01-01T00:00:00.000Z',
    finished_at: null,
    duration_ms: null,
    tokens: { input: 0, output: 0, cached: 0 },
    cost_usd: null,
    session_id: null,
    log_path: logPath,
    ...overrides,
  };
}

export function makeQueueEntry(
  id: string,
  overrides: Partial<QueueEntryView> = {},
): QueueEntryView {
  return {
    id,
    loop_id: 'loop_1',
    project: { id: 'prj_1', name: 'demo', path: '/tmp/demo', repo: null },
    number: 1,
    title: 'Demo loop',
    stage: 'queued',
    paused: false,
    queue: 'manual',
    state: 'queued',
    owner: null,
    lease_expires_at: null,
    not_before: '2030-01-01T00:00:00.000Z',
    attempts: 0,
    last_error: null,
    enqueued_at: '2030-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export class FakeService implements LooperService {
  readonly loops = new Map<string, LoopView>();
  readonly runs = new Map<string, RunView>();
  readonly events: EventView[] = [];
  readonly listeners = new Set<(event: EventView) => void>();
  readonly loopFilters: LoopFilter[] = [];
  /** Called inside listEvents before it answers: lets a test store an event mid-replay. */
  onListEvents: (() => void) | undefined;
  statusError: Error | undefined;
  shutdownCalled: Promise<void>;
  private resolveShutdown: () => void = () => {};
  private unsubscribed: Array<() => void> = [];

  constructor() {
    this.shutdownCalled = new Promise((resolve) => {
      this.resolveShutdown = resolve;
    });
  }

  /** Stores an event and publishes it to live subscribers, like the real store does. */
  emit(type: string, loopId: string | null, data: Record<string, unknown> = {}): EventView {
    const event: EventView = {
      id: this.events.length + 1,
      at: '2030-01-01T00:00:00.000Z',
      type,
      loop_id: loopId,
      run_id: null,
      data,
    };
    this.events.push(event);
    for (const listener of [...this.listeners]) listener(event);
    return event;
  }

  /** Resolves once no subscriber is left. */
  noSubscribers(): Promise<void> {
    if (this.listeners.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.unsubscribed.push(resolve));
  }

  async status(): Promise<StatusView> {
    if (this.statusError) throw this.statusError;
    return {
      version: '1.2.3',
      pid: 1,
      node: 'node_1',
      data_dir: '/tmp/looper',
      storage: 'sqlite',
      started_at: '2030-01-01T00:00:00.000Z',
      uptime_s: 1,
      loops: { active: this.loops.size, by_stage: {} },
      queue: { queued: 0, claimed: 0 },
      runs: { running: 0 },
      limits: { max_concurrent_loops: 2 },
    };
  }

  async listLoops(filter: LoopFilter): Promise<LoopView[]> {
    this.loopFilters.push(filter);
    return [...this.loops.values()].slice(0, filter.limit);
  }

  async getLoop(id: string): Promise<LoopView> {
    const loop = this.loops.get(id);
    if (!loop) throw new LooperError('not_found', `loop ${id} not found`);
    return { ...loop, runs: [...this.runs.values()].filter((run) => run.loop_id === id) };
  }

  async createLoop(request: CreateLoopRequest): Promise<LoopView> {
    const loop = makeLoop(`loop_${this.loops.size + 1}`, { title: request.title, stage: 'queued' });
    this.loops.set(loop.id, loop);
    return loop;
  }

  async cancelLoop(id: string): Promise<LoopView> {
    const loop = await this.getLoop(id);
    if (loop.stage === 'merged' || loop.stage === 'cancelled') {
      throw new LooperError('invalid_transition', `loop ${id} is already ${loop.stage}`);
    }
    const cancelled = { ...loop, stage: 'cancelled' as const };
    this.loops.set(id, cancelled);
    return cancelled;
  }

  /** Control actions flip `paused` or set the stage; a terminal stage refuses pause and resume. */
  async pauseLoop(id: string): Promise<LoopView> {
    return this.control(id, 'pause', (loop) => !loop.paused, { paused: true });
  }

  async resumeLoop(id: string): Promise<LoopView> {
    return this.control(id, 'resume', (loop) => loop.paused, { paused: false });
  }

  async approveLoop(id: string): Promise<LoopView> {
    return this.control(id, 'approve', (loop) => loop.stage === 'awaiting_approval', {
      stage: 'working',
    });
  }

  readonly retryModes: string[] = [];
  async retryLoop(id: string, mode: 'resume' | 'restart'): Promise<LoopView> {
    this.retryModes.push(mode);
    return this.control(
      id,
      'retry',
      (loop) => loop.stage === 'needs_human' || loop.stage === 'failed',
      { stage: mode === 'restart' ? 'planning' : 'working', reason: null },
    );
  }

  readonly worktrees: WorktreeView[] = [];
  readonly cleanups: { force: boolean }[] = [];
  async listWorktrees(): Promise<WorktreeView[]> {
    return this.worktrees;
  }

  async cleanupWorktrees(options: { force: boolean }): Promise<WorktreeCleanupView> {
    this.cleanups.push(options);
    return { removed: [], kept: [], retention_hours: 24 };
  }

  /** Live entries in claim order; removals and failures as the real service shapes them. */
  readonly queue: QueueEntryView[] = [];
  readonly queueFilters: QueueFilter[] = [];
  readonly removals: { id: string; by: string | undefined }[] = [];
  readonly failures: FailureView[] = [];
  async listQueue(filter: QueueFilter): Promise<QueueEntryView[]> {
    this.queueFilters.push(filter);
    return this.queue
      .filter((entry) => filter.queue === undefined || entry.queue === filter.queue)
      .filter((entry) => filter.state === undefined || entry.state === filter.state);
  }

  async removeQueueEntry(id: string, by?: string): Promise<QueueRemovedView> {
    const index = this.queue.findIndex((entry) => entry.id === id);
    const entry = this.queue[index];
    if (entry === undefined) throw new LooperError('not_found', `queue entry ${id} not found`);
    if (entry.state === 'claimed') {
      throw new LooperError('conflict', `queue entry ${id} is claimed; cancel the loop instead`, {
        details: { entry_id: id, loop_id: entry.loop_id, owner: entry.owner },
      });
    }
    this.removals.push({ id, by });
    this.queue.splice(index, 1);
    const reason = `removed from the queue by ${by ?? 'an API request'}`;
    return { entry, loop_id: entry.loop_id, cancelled: true, stage: 'cancelled', reason };
  }

  async listFailures(options: { limit: number }): Promise<FailureView[]> {
    return this.failures.slice(0, options.limit);
  }

  private async control(
    id: string,
    action: string,
    allowed: (loop: LoopView) => boolean,
    patch: Partial<LoopView>,
  ): Promise<LoopView> {
    const loop = await this.getLoop(id);
    if (!allowed(loop)) {
      throw new LooperError('invalid_transition', `cannot ${action} ${id} at stage ${loop.stage}`, {
        details: { stage: loop.stage, paused: loop.paused },
      });
    }
    const next = { ...loop, ...patch };
    this.loops.set(id, next);
    return next;
  }

  async getRun(id: string): Promise<RunView> {
    const run = this.runs.get(id);
    if (!run) throw new LooperError('not_found', `run ${id} not found`);
    return run;
  }

  async listEvents(query: EventQuery): Promise<EventView[]> {
    this.onListEvents?.();
    this.onListEvents = undefined;
    return this.events
      .filter((event) => event.id > (query.after ?? 0))
      .filter((event) => query.loopId === undefined || event.loop_id === query.loopId)
      .slice(0, query.limit ?? 100);
  }

  subscribe(listener: (event: EventView) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) for (const resolve of this.unsubscribed.splice(0)) resolve();
    };
  }

  async shutdown(): Promise<void> {
    this.resolveShutdown();
  }
}
