// What the API needs from the rest of Looper. The daemon's composition root implements it; the API
// never touches the store or scheduler directly.
import type { QueueName } from '../domain/index.js';
import type { WorktreeCleanupView, WorktreeView } from './control-dto.js';
import type { CreateLoopRequest, EventView, LoopView, RunView, StatusView } from './dto.js';
import type {
  FailureView,
  QueueEntryState,
  QueueEntryView,
  QueueRemovedView,
} from './queue-dto.js';

export interface LoopFilter {
  stage?: string;
  active?: boolean;
  limit: number;
}

export interface EventQuery {
  after?: number;
  loopId?: string;
  limit?: number;
}

export interface QueueFilter {
  queue?: QueueName;
  state?: QueueEntryState;
}

export interface LooperService {
  status(): Promise<StatusView>;
  listLoops(filter: LoopFilter): Promise<LoopView[]>;
  /** Throws LooperError('not_found'). Includes `runs`. */
  getLoop(id: string): Promise<LoopView>;
  /** Throws LooperError('validation_failed' | 'not_found' | 'conflict'). */
  createLoop(request: CreateLoopRequest): Promise<LoopView>;
  /** Throws LooperError('not_found' | 'invalid_transition'). */
  cancelLoop(id: string): Promise<LoopView>;
  /**
   * Control actions (SPEC §6). Each throws LooperError('not_found'), or 'invalid_transition' (409)
   * naming the loop's stage when the loop's state does not allow it.
   */
  pauseLoop(id: string): Promise<LoopView>;
  resumeLoop(id: string): Promise<LoopView>;
  approveLoop(id: string): Promise<LoopView>;
  retryLoop(id: string, mode: 'resume' | 'restart'): Promise<LoopView>;
  /** Worktrees Looper has not removed yet, with their loop's stage, state and disk use. */
  listWorktrees(): Promise<WorktreeView[]>;
  /** Removes finished loops' worktrees older than `worktrees.retention-hours`; dirty ones need `force`. */
  cleanupWorktrees(options: { force: boolean }): Promise<WorktreeCleanupView>;
  /** Live queue entries (queued and claimed) in claim order: manual > planned > auto, then FIFO. */
  listQueue(filter: QueueFilter): Promise<QueueEntryView[]>;
  /**
   * Removes a waiting entry and cancels its loop if the loop has not ended ("removed from the queue
   * by <by>"), so recovery cannot queue it again. Throws LooperError('not_found'), or 'conflict'
   * (409) for a claimed entry: its loop is running and is cancelled with `cancelLoop` instead.
   */
  removeQueueEntry(id: string, by?: string): Promise<QueueRemovedView>;
  /** Loops that ended needs_human or failed, most recently ended first. */
  listFailures(options: { limit: number }): Promise<FailureView[]>;
  /** Throws LooperError('not_found'). */
  getRun(id: string): Promise<RunView>;
  listEvents(query: EventQuery): Promise<EventView[]>;
  /** Live events after they are stored; returns the unsubscribe function. */
  subscribe(listener: (event: EventView) => void): () => void;
  /** Asks the daemon to stop gracefully (used by `looper daemon stop`). */
  shutdown(): Promise<void>;
}
