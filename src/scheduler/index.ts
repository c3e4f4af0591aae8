// The scheduler's front door: claim-and-run with leases and limits, and recovery at start.
export type { BackoffOptions } from './backoff.js';
export { backoffDelayMs } from './backoff.js';
export type { ProcessTable, RecoveryDeps, RecoveryReport } from './recovery.js';
export { recover } from './recovery.js';
export type { Scheduler, SchedulerOptions } from './scheduler.js';
export { createScheduler, dedupeKeyFor } from './scheduler.js';
