// Parses Gemini CLI's `--output-format stream-json` lines (init, message deltas, tool_use,
// tool_result, error, result) into AgentEvents, and its stderr for the API errors it retries.
import { z } from 'zod';
import { classifyApiError } from '../error-kind.js';
import type { AgentErrorKind, AgentEvent, StreamParser } from '../vendor.js';
import { summarise } from '../vendor.js';
import { retryWatch } from './retry-watch.js';

const count = z.number().nonnegative().nullish();

const GeminiLine = z.discriminatedUnion('type', [
  z.object({ type: z.literal('init'), session_id: z.string().optional() }),
  z.object({
    type: z.literal('message'),
    role: z.string(),
    content: z.string().default(''),
    delta: z.boolean().optional(),
  }),
  z.object({
    type: z.literal('tool_use'),
    tool_name: z.string(),
    tool_id: z.string().optional(),
    parameters: z.unknown().optional(),
  }),
  z.object({
    type: z.literal('tool_result'),
    tool_id: z.string().optional(),
    status: z.string().default('success'),
    output: z.string().nullish(),
    error: z.object({ type: z.string().optional(), message: z.string().default('') }).nullish(),
  }),
  z.object({
    type: z.literal('error'),
    severity: z.string().default('error'),
    message: z.string().default(''),
  }),
  z.object({
    type: z.literal('result'),
    status: z.string().default('success'),
    error: z.object({ type: z.string().optional(), message: z.string().default('') }).nullish(),
    stats: z
      .object({ input_tokens: count, output_tokens: count, cached: count, input: count })
      .nullish(),
  }),
]);
type GeminiLine = z.infer<typeof GeminiLine>;
type ResultLine = Extract<GeminiLine, { type: 'result' }>;

/** Stderr line of a failed API attempt the CLI retries ("Attempt 2 failed with status 429…"). */
const RETRY = /^Attempt (\d+) failed(?: with status (\d{3}))?[.:]?\s*(.*)$/;

export function geminiParser(): StreamParser {
  let sessionId: string | null = null;
  let block = '';
  let lastBlock = '';
  let lastError: string | null = null;
  const retries = retryWatch();

  /** Assistant deltas since the last tool call make one text; the last such text is the answer. */
  function flush(): AgentEvent[] {
    if (!block) return [];
    const text = block;
    lastBlock = text;
    block = '';
    return [{ type: 'text', text }];
  }

  function feed(line: string): AgentEvent[] {
    const msg = parseLine(line);
    if (!msg) return [];
    switch (msg.type) {
      case 'init':
        if (!msg.session_id) return [];
        sessionId = msg.session_id;
        return [{ type: 'session', sessionId: msg.session_id }];
      case 'message':
        if (msg.role !== 'assistant') return [];
        retries.progressed();
        if (msg.delta) {
          block += msg.content;
          return [];
        }
        block += msg.content;
        return flush();
      case 'tool_use':
        retries.progressed();
        return [
          ...flush(),
          { type: 'tool_use', name: msg.tool_name, input: summarise(msg.parameters ?? '') },
        ];
      case 'tool_result': {
        const isError = msg.status !== 'success';
        const text = isError ? (msg.error?.message ?? msg.output ?? '') : (msg.output ?? '');
        return [{ type: 'tool_result', isError, text: summarise(text) }];
      }
      case 'error':
        if (msg.severity === 'error') lastError = msg.message;
        return [];
      case 'result':
        return [...flush(), ...resultEvents(msg)];
      default:
        return assertNever(msg);
    }
  }

  function resultEvents(msg: ResultLine): AgentEvent[] {
    const events: AgentEvent[] = [];
    const stats = msg.stats;
    if (stats) {
      const cached = stats.cached ?? 0;
      events.push({
        type: 'usage',
        inputTokens: stats.input ?? Math.max(0, (stats.input_tokens ?? 0) - cached),
        outputTokens: stats.output_tokens ?? 0,
        cachedTokens: cached,
        costUsd: null,
      });
    }
    const isError = msg.status !== 'success';
    if (isError) {
      const message = msg.error?.message || lastError || 'gemini reported an error';
      events.push({ type: 'error', kind: resultErrorKind(msg.error?.type, message), message });
    }
    events.push({ type: 'result', text: lastBlock, isError, sessionId, numTurns: null });
    return events;
  }

  function feedStderr(line: string): AgentEvent[] {
    const match = RETRY.exec(line.trim());
    if (!match) return [];
    const status = match[2] ? Number(match[2]) : null;
    const message = match[3] || `attempt ${match[1]} failed`;
    retries.failed(retriedKind(status, message), message);
    return [];
  }

  return { feed, feedStderr, giveUp: retries.giveUp, end: flush };
}

function parseLine(line: string): GeminiLine | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  try {
    const parsed = GeminiLine.safeParse(JSON.parse(trimmed));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Google answers both a per-minute limit and a spent daily quota with 429 RESOURCE_EXHAUSTED and
 * "quota" in the text; the CLI stops at once only for the daily one ("exhausted your daily quota").
 */
export function geminiErrorKind(message: string): AgentErrorKind {
  if (/daily quota|per ?day|billing account/i.test(message)) return 'quota';
  if (
    /resource has been exhausted|resource_exhausted|suggested retry after|exceeded your current quota|\b429\b/i.test(
      message,
    )
  ) {
    return 'rate_limit';
  }
  if (/api key not valid|api_key_invalid|unauthenticated|\b40[13]\b/i.test(message)) return 'auth';
  const kind = classifyApiError({ message });
  return kind === 'unknown' && /api error/i.test(message) ? 'api' : kind;
}

function resultErrorKind(type: string | undefined, message: string): AgentErrorKind {
  if (type === 'FatalTurnLimitedError' || /max(?:imum)? session turns/i.test(message)) {
    return 'max_turns';
  }
  if (type === 'FatalAuthenticationError') return 'auth';
  return geminiErrorKind(message);
}

/** A failure the CLI retries is transient by its own judgement: a 429 is a rate limit here. */
function retriedKind(status: number | null, message: string): AgentErrorKind {
  if (status === 429) return 'rate_limit';
  if (status === 401 || status === 403) return 'auth';
  const kind = geminiErrorKind(message);
  if (kind === 'quota') return 'rate_limit';
  return kind === 'unknown' ? 'api' : kind;
}

function assertNever(value: never): never {
  throw new Error(`unhandled gemini line: ${JSON.stringify(value)}`);
}
