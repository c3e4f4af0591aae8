// The agents facade: runs one vendor CLI for one role in a worktree through the executor, parses
// its stream into events and folds them into an outcome the runner judges.
import fs from 'node:fs';
import path from 'node:path';
import { LooperError, type VendorName } from '../domain/index.js';
import { buildAgentEnv, secretValues } from './agent-env.js';
import { type ProcessResult, runProcess } from './executor.js';
import { OutcomeAccumulator } from './outcome-accumulator.js';
import type {
  AgentErrorKind,
  AgentGiveUp,
  AgentRequest,
  Vendor,
  VendorInvocation,
} from './vendor.js';
import { claudeCodeVendor } from './vendors/claude-code.js';
import { codexVendor } from './vendors/codex.js';
import { cursorVendor } from './vendors/cursor.js';
import { customVendor } from './vendors/custom.js';
import { geminiVendor } from './vendors/gemini.js';
import { opencodeVendor } from './vendors/opencode.js';

export interface AgentUsage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costUsd: number | null;
}

export interface AgentOutcome {
  status: 'succeeded' | 'failed' | 'timed_out' | 'cancelled';
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** The vendor's final message: where the runner looks for `__LOOPER_RESULT__=`. */
  finalText: string;
  usage: AgentUsage;
  sessionId: string | null;
  errorKind: AgentErrorKind | 'timeout' | 'idle_timeout' | 'crash' | 'spawn_failed' | null;
  errorMessage: string | null;
  outputTail: string;
}

export interface AgentRunner {
  run(req: AgentRequest): Promise<AgentOutcome>;
}

const OUTPUT_TAIL_CHARS = 4000;

export function createAgentRunner(): AgentRunner {
  return { run: runAgent };
}

/** The adapter for a vendor. */
export function vendorFor(name: VendorName): Vendor {
  switch (name) {
    case 'claude-code':
      return claudeCodeVendor();
    case 'codex':
      return codexVendor();
    case 'opencode':
      return opencodeVendor();
    case 'cursor':
      return cursorVendor();
    case 'gemini':
      return geminiVendor();
    case 'custom':
      return customVendor();
    default:
      return assertNever(name);
  }
}

/** Rejects only with a LooperError('config_invalid') for an unusable vendor configuration. */
async function runAgent(req: AgentRequest): Promise<AgentOutcome> {
  const vendor = vendorFor(req.vendor);
  fs.mkdirSync(req.runHome, { recursive: true, mode: 0o700 });
  const invocation = vendor.build(req, req.runHome);
  const env = {
    ...buildAgentEnv({
      base: req.baseEnv,
      home: req.runHome,
      vendorVars: vendor.authVars,
      extra: { ...req.agentEnv, ...req.vendorConfig.env },
    }),
    ...invocation.env,
  };
  writeHeader(req, invocation, env);
  const parser = vendor.parser();
  const acc = new OutcomeAccumulator(req.onEvent);
  // Stops the CLI when the parser gives up on its retries, or when the caller cancels.
  const stop = new AbortController();
  const cancel = () => stop.abort();
  if (req.signal?.aborted) stop.abort();
  req.signal?.addEventListener('abort', cancel, { once: true });
  let gaveUp: AgentGiveUp | null = null;
  const result = await runProcess({
    command: invocation.command,
    args: invocation.args,
    cwd: req.cwd,
    env,
    ...(invocation.stdin !== undefined ? { stdin: invocation.stdin } : {}),
    timeoutMs: req.timeoutMs,
    idleTimeoutMs: req.idleTimeoutMs,
    logPath: req.logPath,
    redact: secretValues(env),
    signal: stop.signal,
    ...(req.onSpawn ? { onSpawn: req.onSpawn } : {}),
    onLine: (line, stream) => {
      acc.addAll(stream === 'stdout' ? parser.feed(line) : (parser.feedStderr?.(line) ?? []));
      if (gaveUp) return;
      gaveUp = parser.giveUp?.() ?? null;
      if (gaveUp) stop.abort();
    },
  });
  req.signal?.removeEventListener('abort', cancel);
  acc.addAll(parser.end());
  const outcome = toOutcome(req, result, acc, req.signal?.aborted ? null : gaveUp);
  writeFooter(req.logPath, outcome);
  return outcome;
}

function toOutcome(
  req: AgentRequest,
  result: ProcessResult,
  acc: OutcomeAccumulator,
  gaveUp: AgentGiveUp | null,
): AgentOutcome {
  const base = {
    exitCode: result.exitCode,
    signal: result.signal,
    durationMs: result.durationMs,
    finalText: acc.finalText(),
    usage: acc.usage,
    sessionId: acc.sessionId,
    outputTail: tailOf(result),
  };
  const fail = (
    status: AgentOutcome['status'],
    errorKind: AgentOutcome['errorKind'],
    errorMessage: string,
  ): AgentOutcome => ({ ...base, status, errorKind, errorMessage });
  switch (result.status) {
    case 'spawn_failed':
      return fail('failed', 'spawn_failed', `could not start the agent: ${result.spawnError}`);
    case 'timed_out':
      return fail('timed_out', 'timeout', `agent exceeded its wall time of ${req.timeoutMs} ms`);
    case 'idle_timed_out':
      return fail('timed_out', 'idle_timeout', `agent was silent for ${req.idleTimeoutMs} ms`);
    case 'cancelled':
      if (gaveUp) return fail('failed', gaveUp.kind, `stopped while retrying: ${gaveUp.message}`);
      return fail('cancelled', null, 'agent run was cancelled');
    case 'exited':
      break;
    default:
      return assertNever(result.status);
  }
  const error = acc.error;
  if (result.exitCode === 0 && !acc.resultIsError) {
    return { ...base, status: 'succeeded', errorKind: null, errorMessage: null };
  }
  if (error) return fail('failed', error.kind, error.message);
  if (result.exitCode === 0) return fail('failed', 'unknown', 'agent reported an error result');
  return fail('failed', 'crash', crashMessage(result));
}

function crashMessage(result: ProcessResult): string {
  const how = result.signal
    ? `was killed by ${result.signal}`
    : `exited with code ${result.exitCode}`;
  const lastLine = result.stderr.trim().split('\n').pop()?.trim();
  return lastLine ? `agent ${how}: ${lastLine}` : `agent ${how}`;
}

function tailOf(result: ProcessResult): string {
  const both = result.stderr ? `${result.stdout}\n[stderr]\n${result.stderr}` : result.stdout;
  return both.length <= OUTPUT_TAIL_CHARS ? both : both.slice(-OUTPUT_TAIL_CHARS);
}

/** The log's first lines: what ran and where. Secrets stay out: env names only, args masked. */
function writeHeader(
  req: AgentRequest,
  invocation: VendorInvocation,
  env: Record<string, string>,
): void {
  const lines = [
    `[looper] run=${req.runId} loop=${req.loopId} vendor=${req.vendor} role=${req.role} model=${req.model || '(default)'}`,
    `[looper] cwd=${req.cwd}`,
    `[looper] command=${invocation.command} ${maskArgs(invocation.args, req.prompt).join(' ')}`,
    `[looper] stdin=${invocation.stdin === undefined ? '(none)' : `(prompt, ${invocation.stdin.length} chars)`}`,
    `[looper] env=${Object.keys(env).sort().join(',')}`,
  ];
  try {
    fs.mkdirSync(path.dirname(req.logPath), { recursive: true });
    fs.appendFileSync(req.logPath, `${lines.join('\n')}\n`);
  } catch {
    // as with the output itself: an unwritable log does not stop the run
  }
}

function writeFooter(logPath: string, outcome: AgentOutcome): void {
  const fields = [
    `status=${outcome.status}`,
    `exit=${outcome.exitCode ?? '-'}`,
    `signal=${outcome.signal ?? '-'}`,
    `durationMs=${outcome.durationMs}`,
    `error=${outcome.errorKind ?? '-'}`,
  ];
  const message = outcome.errorMessage ? ` ${JSON.stringify(outcome.errorMessage)}` : '';
  try {
    fs.appendFileSync(logPath, `[looper] end ${fields.join(' ')}${message}\n`);
  } catch {
    // the outcome is what counts; a log that cannot be written is not a failed run
  }
}

const SECRET_FLAG = /key|token|secret|password|passwd|auth|credential/i;

export function maskArgs(args: readonly string[], prompt: string): string[] {
  return args.map((arg, i) => {
    if (prompt && arg === prompt) return `<prompt: ${prompt.length} chars>`;
    const eq = arg.indexOf('=');
    if (arg.startsWith('-') && eq > 0 && SECRET_FLAG.test(arg.slice(0, eq))) {
      return `${arg.slice(0, eq)}=***`;
    }
    const previous = args[i - 1];
    if (previous?.startsWith('-') && !previous.includes('=') && SECRET_FLAG.test(previous)) {
      return '***';
    }
    return /[\s"'\\]/.test(arg) || arg === '' ? JSON.stringify(arg) : arg;
  });
}

function assertNever(value: never): never {
  throw new LooperError('internal', `unexpected value: ${String(value)}`);
}
