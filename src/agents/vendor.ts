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
  /**
   * Token counts are disjoint: `inputTokens` is input not read from a cache (cache writes
   * included), `cachedTokens` the input read from a cache. `costUsd` only when the vendor says.
   */
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
  /**
   * Continue this vendor session (the `sessionId` of an earlier outcome) natively instead of
   * starting afresh; vendors without native resume ignore it.
   */
  resumeSessionId?: string;
  /**
   * The run home of the run that created `resumeSessionId`. Every run has its own config dirs, so
   * the vendor copies that session's files from there before resuming.
   */
  resumeFromHome?: string;
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

/** A failure the CLI keeps retrying although it will not clear soon. */
export interface AgentGiveUp {
  kind: AgentErrorKind;
  message: string;
}

/** Turns a vendor's stdout lines into events. One parser per run. */
export interface StreamParser {
  feed(line: string): AgentEvent[];
  /** Stderr lines, for CLIs that report their API retries only there (OpenCode, Gemini). */
  feedStderr?(line: string): AgentEvent[];
  /**
   * Set once the CLI is stuck retrying (quota, auth, or rate limits a few times over): the runner
   * then stops it and fails the run with this error, so the scheduler can fall back to another
   * vendor at once instead of after the wall-clock timeout.
   */
  giveUp?(): AgentGiveUp | null;
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
