// The pure core of Looper: ids, errors, roles, stages, the loop state machine and role results.

export type { ErrorCode, FailureClass, LooperErrorOptions } from './errors.js';
export { errorCodes, failureClasses, isLooperError, LooperError, toLooperError } from './errors.js';
export type { EventType } from './events.js';
export { eventTypes } from './events.js';
export { failureFingerprint, textFingerprint } from './fingerprint.js';
export type {
  Brand,
  Clock,
  IdPrefix,
  IdSource,
  LoopId,
  ProjectId,
  QueueEntryId,
  RunId,
} from './ids.js';
export { idPrefixes } from './ids.js';
export type { IssueUrl } from './issue-url.js';
export { parseIssueUrl, webHostOfApi } from './issue-url.js';
export type {
  FixOrigin,
  LoopEffect,
  LoopEvent,
  LoopEventType,
  LoopKind,
  LoopLimits,
  LoopState,
  TransitionContext,
  TransitionResult,
} from './loop-machine.js';
export {
  accepts,
  allowedEvents,
  kindOf,
  newLoopState,
  prLoopLabels,
  transition,
} from './loop-machine.js';
export type { QueueName } from './queue.js';
export { isQueueName, queueNames, queuePriority } from './queue.js';
export type {
  ParsedResult,
  PlanReviewResult,
  ReviewResult,
  RoleResults,
  SummaryResult,
} from './results.js';
export {
  PlanReviewResult as PlanReviewResultSchema,
  parseRoleResult,
  RESULT_MARKER,
  ReviewComment,
  ReviewResult as ReviewResultSchema,
  resultShapes,
  SummaryResult as SummaryResultSchema,
} from './results.js';
export type { Role, RunStatus, VendorName } from './roles.js';
export {
  isRole,
  isVendorName,
  roles,
  runStatuses,
  terminalRunStatuses,
  vendorNames,
} from './roles.js';
export type { Stage, StepKind, TerminalStage } from './stages.js';
export {
  isStage,
  isTerminalStage,
  stages,
  stateLabels,
  stepFor,
  terminalStages,
} from './stages.js';
