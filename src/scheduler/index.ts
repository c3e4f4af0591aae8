// The scheduler's front door: claim-and-run with leases and limits, and recovery at start.
export type { Admission, AdmissionOptions } from './admission.js';
export { createAdmission, projectLimit } from './admission.js';
export type { BackoffOptions } from './backoff.js';
export { backoffDelayMs } from './backoff.js';
export type {
  AdmitResult,
  Intake,
  IntakeDeps,
  Permission,
  Trigger,
  TrustSource,
} from './intake.js';
export { createIntake, parseCommand } from './intake.js';
export type { MergeWatch, MergeWatchDeps } from './merge-watch.js';
export { createMergeWatch } from './merge-watch.js';
export type {
  PolledComment,
  PolledIssue,
  PolledLabelEvent,
  Poller,
  PollerOptions,
  PollSource,
  PullRequestActivity,
} from './poller.js';
export { createPoller } from './poller.js';
export type { ProcessTable, RecoveryDeps, RecoveryReport } from './recovery.js';
export { recover } from './recovery.js';
export type { Scheduler, SchedulerOptions } from './scheduler.js';
export { createScheduler, dedupeKeyFor } from './scheduler.js';
export type { PullRequestNudge } from './webhook-triggers.js';
export { nudgeFromWebhook, triggerFromWebhook } from './webhook-triggers.js';
