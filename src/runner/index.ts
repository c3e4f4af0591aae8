// The runner's front door: advance a loop one step, or apply a person's control action.
export type {
  EventSink,
  PersonReview,
  ProjectAccess,
  RunnerDeps,
  RunnerLog,
} from './deps.js';
export { detectChecks } from './detect-checks.js';
export type { ControlResult, LoopRunner, StepOutcome, WatchResult } from './loop-runner.js';
export { createLoopRunner } from './loop-runner.js';
export { renderTracking, trackingKey } from './tracking.js';
export { fenceUntrusted, sanitizeUntrusted } from './untrusted.js';
