// What the API needs from the rest of Looper. The daemon's composition root implements it; the API
// never touches the store or scheduler directly.
import type { CreateLoopRequest, EventView, LoopView, RunView, StatusView } from './dto.js';

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

export interface LooperService {
  status(): Promise<StatusView>;
  listLoops(filter: LoopFilter): Promise<LoopView[]>;
  /** Throws LooperError('not_found'). Includes `runs`. */
  getLoop(id: string): Promise<LoopView>;
  /** Throws LooperError('validation_failed' | 'not_found' | 'conflict'). */
  createLoop(request: CreateLoopRequest): Promise<LoopView>;
  /** Throws LooperError('not_found' | 'invalid_transition'). */
  cancelLoop(id: string): Promise<LoopView>;
  /** Throws LooperError('not_found'). */
  getRun(id: string): Promise<RunView>;
  listEvents(query: EventQuery): Promise<EventView[]>;
  /** Live events after they are stored; returns the unsubscribe function. */
  subscribe(listener: (event: EventView) => void): () => void;
  /** Asks the daemon to stop gracefully (used by `looper daemon stop`). */
  shutdown(): Promise<void>;
}
