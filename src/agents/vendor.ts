// The seam between the runner and each agent CLI: how a vendor is invoked and the one event shape
// every vendor's output stream is parsed into.
import type { Role, VendorName } from '../domain/index.js';

export type AgentErrorKind = 'rate_limit' | 'quota' | 'auth' | 'api' | 'max_turns' | 'unknown';

export const agentEventTypes = [
  'text',
  'tool_use',
  'tool_result',
  'usage',
  'result',
  'session',
  'error',
] as const;

export type AgentEvent =
  | { type: 'text'; text: string }
  /** `input` is summarised to about 200 characters. */
  | { type: 'tool_use'; name: string; input: string }
  | { type: 'tool_result'; isError: boolean; text: string }
  | {
      type: 'usage';
      inputTokens: number;
      outputTokens: number;
      cachedTokens: number;
      costUsd: number | null;
    }
  | {
      type: 'result';
      text: string;
      isError: boolean;
      sessionId: string | null;
      numTurns: number | null;
    }
  | { type: 'session'; sessionId: string }
  | { type: 'error'; kind: AgentErrorKind; message: string };

/** One agent invocation, as the runner asks for it. */
export interface AgentRequest {
  runId: string;
  loopId: string;
  role: Role;
  vendor: VendorName;
  model?: string;
  prompt: string;
  /** The worktree the agent works in. */
  cwd: string;
  logPath: string;
  /** A per-run directory used as the agent's HOME (created if missing). */
  runHome: string;
  timeoutMs: number;
  idleTimeoutMs: number;
  maxTurns?: number;
  /** `vendors.<vendor>` from config. */
  vendorConfig: { command?: string; args: string[]; env: Record<string, string> };
  /** `agent.env` from config. */
  agentEnv: Record<string, string>;
  /** The daemon's environment; only the allow-list reaches the agent. */
  baseEnv: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onEvent?: (event: AgentEvent) => void;
  onSpawn?: (pid: number) => void;
}

export interface VendorInvocation {
  command: string;
  args: string[];
  /** Written to stdin; when absent stdin is at EOF. */
  stdin?: string;
  /** Vendor-specific additions to the allow-listed environment (e.g. CLAUDE_CONFIG_DIR). */
  env: Record<string, string>;
}

/** Turns a vendor's stdout lines into events. One parser per run. */
export interface StreamParser {
  feed(line: string): AgentEvent[];
  end(): AgentEvent[];
}

export interface Vendor {
  name: VendorName;
  /** Names copied from the daemon's env through the allow-list. */
  authVars: readonly string[];
  build(req: AgentRequest, runHome: string): VendorInvocation;
  parser(): StreamParser;
}

/** Shortens a value for an event or a log line. */
export function summarise(value: unknown, max = 200): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
