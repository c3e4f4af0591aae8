// Parses `opencode run --format json` lines (step_start, text, tool_use, step_finish, error) into
// AgentEvents, and its `--print-logs` stderr for the API errors it retries without telling stdout.
import { z } from 'zod';
import { classifyApiError } from '../error-kind.js';
import type { AgentErrorKind, AgentEvent, StreamParser } from '../vendor.js';
import { summarise } from '../vendor.js';
import { retryWatch } from './retry-watch.js';

const count = z.number().nonnegative().nullish();

const TextPart = z.object({ text: z.string() });
const ToolPart = z.object({
  tool: z.string(),
  state: z.object({
    status: z.string(),
    input: z.unknown().optional(),
    output: z.string().nullish(),
    error: z.string().nullish(),
    metadata: z.object({ exit: z.number().nullish() }).loose().nullish(),
  }),
});
const StepFinishPart = z.object({
  reason: z.string().nullish(),
  cost: z.number().nullish(),
  tokens: z
    .object({
      input: count,
      output: count,
      reasoning: count,
      cache: z.object({ read: count, write: count }).nullish(),
    })
    .nullish(),
});
const ErrorBody = z.object({
  name: z.string().default('Error'),
  data: z
    .object({
      message: z.string().nullish(),
      statusCode: z.number().nullish(),
      responseBody: z.string().nullish(),
    })
    .loose()
    .nullish(),
});

const OpenCodeLine = z.object({
  type: z.string(),
  sessionID: z.string().optional(),
  part: z.unknown().optional(),
  error: z.unknown().optional(),
});

/** `--print-logs` line for a failed model request, which OpenCode then retries. */
const STREAM_ERROR = /message="stream error".*?\bsmall=(\w+).*?\berror\.error="((?:[^"\\]|\\.)*)"/;
/** What a tool call rejected by OpenCode's permission system answers. */
const REJECTED = /rejected permission/i;

export function opencodeParser(): StreamParser {
  let sessionId: string | null = null;
  let stepTexts: string[] = [];
  let lastReason: string | null = null;
  let rejected: string | null = null;
  let failed = false;
  const retries = retryWatch();

  function feed(line: string): AgentEvent[] {
    const msg = parseLine(line);
    if (!msg) return [];
    const events: AgentEvent[] = [];
    if (msg.sessionID && msg.sessionID !== sessionId) {
      sessionId = msg.sessionID;
      events.push({ type: 'session', sessionId: msg.sessionID });
    }
    switch (msg.type) {
      case 'step_start':
        retries.progressed();
        stepTexts = [];
        break;
      case 'text': {
        const part = TextPart.safeParse(msg.part);
        if (part.success && part.data.text) {
          stepTexts.push(part.data.text);
          events.push({ type: 'text', text: part.data.text });
        }
        break;
      }
      case 'tool_use':
        events.push(...toolEvents(msg.part));
        break;
      case 'step_finish':
        events.push(...stepFinish(msg.part));
        break;
      case 'error': {
        failed = true;
        events.push(errorEvent(msg.error));
        break;
      }
      default:
        break;
    }
    return events;
  }

  function toolEvents(raw: unknown): AgentEvent[] {
    const part = ToolPart.safeParse(raw);
    if (!part.success) return [];
    const { tool, state } = part.data;
    const exit = state.metadata?.exit;
    const isError = state.status === 'error' || (exit != null && exit !== 0);
    const text = state.status === 'error' ? (state.error ?? '') : (state.output ?? '');
    if (state.status === 'error' && REJECTED.test(text)) {
      rejected = `${tool} ${summarise(state.input ?? '', 120)}`;
    }
    return [
      { type: 'tool_use', name: tool, input: summarise(state.input ?? '') },
      { type: 'tool_result', isError, text: summarise(text) },
    ];
  }

  function stepFinish(raw: unknown): AgentEvent[] {
    const part = StepFinishPart.safeParse(raw);
    if (!part.success) return [];
    lastReason = part.data.reason ?? null;
    const t = part.data.tokens;
    if (!t) return [];
    // OpenCode's counts are already disjoint: input excludes cache reads and writes, output
    // excludes reasoning. A cost of 0 means no price is known (custom providers), not free.
    const cost = part.data.cost ?? 0;
    return [
      {
        type: 'usage',
        inputTokens: (t.input ?? 0) + (t.cache?.write ?? 0),
        outputTokens: (t.output ?? 0) + (t.reasoning ?? 0),
        cachedTokens: t.cache?.read ?? 0,
        costUsd: cost > 0 ? cost : null,
      },
    ];
  }

  function feedStderr(line: string): AgentEvent[] {
    const match = STREAM_ERROR.exec(line);
    // The session title is asked of a small model; its failure does not stop the work.
    if (!match || match[1] === 'true') return [];
    const message = unquote(match[2] ?? '').replace(/^AI_\w+Error: /, '');
    retries.failed(apiKind(message, null), message);
    return [];
  }

  function end(): AgentEvent[] {
    const events: AgentEvent[] = [];
    // A permission it would have to ask for is rejected, and OpenCode ends the session mid-task
    // (still exiting 0): the work is not done.
    const stopped = rejected !== null && lastReason !== 'stop';
    if (stopped) {
      events.push({
        type: 'error',
        kind: 'unknown',
        message: `opencode stopped after a rejected permission: ${rejected}`,
      });
    }
    if (lastReason !== null || stepTexts.length > 0 || failed || stopped) {
      events.push({
        type: 'result',
        text: stepTexts.join('\n'),
        isError: failed || stopped,
        sessionId,
        numTurns: null,
      });
    }
    return events;
  }

  return { feed, feedStderr, giveUp: retries.giveUp, end };
}

function parseLine(line: string): z.infer<typeof OpenCodeLine> | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  try {
    const parsed = OpenCodeLine.safeParse(JSON.parse(trimmed));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function errorEvent(raw: unknown): AgentEvent {
  const parsed = ErrorBody.safeParse(raw);
  if (!parsed.success) return { type: 'error', kind: 'unknown', message: summarise(raw, 500) };
  const { name, data } = parsed.data;
  const message = data?.message || data?.responseBody || name;
  const kind: AgentErrorKind =
    name === 'ProviderAuthError' ? 'auth' : apiKind(message, data?.statusCode ?? null);
  return { type: 'error', kind, message };
}

function apiKind(message: string, status: number | null): AgentErrorKind {
  const kind = classifyApiError({ status, message });
  return kind === 'unknown' ? 'api' : kind;
}

/** Undoes the backslash escapes of a quoted logfmt value. */
function unquote(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}
