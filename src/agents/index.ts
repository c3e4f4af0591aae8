// The agents folder's front door: the executor, the agent env allow-list, the vendor seam and the
// runner facade that turns one agent invocation into an outcome.

export type { AgentEnvInput } from './agent-env.js';
export { buildAgentEnv, isForbiddenAgentVar, secretValues } from './agent-env.js';
export type { AgentOutcome, AgentRunner, AgentUsage } from './agent-runner.js';
export { createAgentRunner, vendorFor } from './agent-runner.js';
export type { ApiFailure } from './error-kind.js';
export { classifyApiError } from './error-kind.js';
export type { ProcessResult, ProcessSpec, ProcessStatus } from './executor.js';
export { runProcess } from './executor.js';
export { isProcessGroupAlive, killProcessGroup, processStartTime } from './process-group.js';
export type {
  AgentErrorKind,
  AgentEvent,
  AgentGiveUp,
  AgentRequest,
  StreamParser,
  Vendor,
  VendorInvocation,
} from './vendor.js';
export { agentEventTypes } from './vendor.js';
