// Front door of api/: the REST + SSE app, its server, and the request/response shapes the CLI shares.
export type { ApiApp, ApiAppOptions } from './app.js';
export { createApiApp } from './app.js';
export type { ConfigPatchView, ConfigView } from './config-dto.js';
export { PatchConfigRequest } from './config-dto.js';
export type { ConfigService } from './config-service.js';
export type {
  WorktreeCleanupView,
  WorktreeKeptReason,
  WorktreeView,
} from './control-dto.js';
export { CleanupWorktreesRequest, RetryLoopRequest } from './control-dto.js';
export type {
  Envelope,
  EventView,
  HealthView,
  LoopView,
  RunView,
  ShutdownView,
  StatusView,
  TokensView,
} from './dto.js';
export {
  CreateLoopRequest,
  EventStreamQuery,
  ListEventsQuery,
  ListLoopsQuery,
  RunLogQuery,
} from './dto.js';
export type { ApiLogger } from './errors.js';
export { formatEvent } from './event-stream.js';
export type { MetricsSnapshot, NodeView, RateLimitSample } from './ops-dto.js';
export type { OpsService } from './ops-service.js';
export type {
  ProjectRemovedView,
  ProjectView,
  WebhookDisableView,
  WebhookEnableView,
  WebhookForwardView,
  WebhookHookView,
  WebhookManualView,
  WebhookSecretView,
  WebhookStatusView,
} from './project-dto.js';
export {
  CreateProjectRequest,
  EnableWebhookRequest,
  repoName,
  WebhookQuery,
  webhookEvents,
} from './project-dto.js';
export type { ProjectService } from './project-service.js';
export type {
  FailureView,
  ProjectRefView,
  QueueEntryState,
  QueueEntryView,
  QueueRemovedView,
} from './queue-dto.js';
export { ListFailuresQuery, ListQueueQuery, RemoveQueueEntryQuery } from './queue-dto.js';
export type { ApiServer, ApiServerOptions } from './server.js';
export { startApiServer } from './server.js';
export type { EventQuery, LooperService, LoopFilter, QueueFilter } from './service.js';
export type { WebhookDelivery, WebhookOutcome, WebhookReceiver } from './webhooks.js';
