// Parses Cursor CLI's `--output-format stream-json` lines (system init, assistant messages,
// tool_call started/completed, result) into AgentEvents; failures only reach stderr.
import { z } from 'zod';
import { classifyApiError } from '../error-kind.js';
import type { AgentEvent, StreamParser } from '../vendor.js';
import { summarise } from '../vendor.js';

const count = z.number().nonnegative().nullish();

const TextBlock = z.object({ type: z.literal('text'), text: z.string() });

const CursorLine = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('system'),
    subtype: z.string().optional(),
    session_id: z.string().optional(),
  }),
  z.object({ type: z.literal('user') }),
  z.object({
    type: z.literal('assistant'),
    message: z.object({ content: z.array(z.unknown()).default([]) }),
  }),
  z.object({
    type: z.literal('tool_call'),
    subtype: z.string(),
    call_id: z.string().optional(),
    tool_call: z.record(z.string(), z.unknown()).default({}),
  }),
  z.object({
    type: z.literal('result'),
    subtype: z.string().default('success'),
    is_error: z.boolean().default(false),
    result: z.string().nullish(),
    session_id: z.string().nullish(),
    /** Not in the documented shape yet; read when a CLI version reports it. */
    usage: z
      .object({
        inputTokens: count,
        outputTokens: count,
        cacheReadTokens: count,
        cacheWriteTokens: count,
      })
      .nullish(),
  }),
]);
type CursorLine = z.infer<typeof CursorLine>;
type ResultLine = Extract<CursorLine, { type: 'result' }>;

const ToolBody = z.object({
  args: z.unknown().optional(),
  result: z.record(z.string(), z.unknown()).nullish(),
  /** The generic `function` tool call: a name and its arguments as a string. */
  name: z.string().optional(),
  arguments: z.unknown().optional(),
});

/** Stderr lines kept to explain a failed run (the stream ends without a result then). */
const STDERR_LINES = 20;

export function cursorParser(): StreamParser {
  let sessionId: string | null = null;
  let lastMessage: string | null = null;
  let sawResult = false;
  const stderr: string[] = [];

  function feed(line: string): AgentEvent[] {
    const msg = parseLine(line);
    if (!msg) return [];
    switch (msg.type) {
      case 'system':
        if (!msg.session_id || msg.session_id === sessionId) return [];
        sessionId = msg.session_id;
        return [{ type: 'session', sessionId: msg.session_id }];
      case 'user':
        return [];
      case 'assistant': {
        const text = msg.message.content
          .map((c) => TextBlock.safeParse(c))
          .flatMap((r) => (r.success ? [r.data.text] : []))
          .join('');
        if (!text) return [];
        lastMessage = text;
        return [{ type: 'text', text }];
      }
      case 'tool_call':
        return toolEvents(msg);
      case 'result':
        sawResult = true;
        return resultEvents(msg);
      default:
        return assertNever(msg);
    }
  }

  function resultEvents(msg: ResultLine): AgentEvent[] {
    const events: AgentEvent[] = [];
    if (msg.usage) {
      events.push({
        type: 'usage',
        inputTokens: (msg.usage.inputTokens ?? 0) + (msg.usage.cacheWriteTokens ?? 0),
        outputTokens: msg.usage.outputTokens ?? 0,
        cachedTokens: msg.usage.cacheReadTokens ?? 0,
        costUsd: null,
      });
    }
    const isError = msg.is_error || msg.subtype !== 'success';
    const text = msg.result ?? '';
    if (isError) {
      events.push({
        type: 'error',
        kind: apiKind(text || msg.subtype),
        message: text || msg.subtype,
      });
    }
    // `result` concatenates every message without separators; the last message is the answer.
    events.push({
      type: 'result',
      text: isError ? text : (lastMessage ?? text),
      isError,
      sessionId: msg.session_id ?? sessionId,
      numTurns: null,
    });
    return events;
  }

  function feedStderr(line: string): AgentEvent[] {
    if (line.trim()) stderr.push(line.trim());
    if (stderr.length > STDERR_LINES) stderr.shift();
    return [];
  }

  function end(): AgentEvent[] {
    // On failure Cursor exits non-zero with the reason on stderr and no result line.
    if (sawResult || stderr.length === 0) return [];
    const message = stderr.join('\n');
    return [{ type: 'error', kind: apiKind(message), message }];
  }

  return { feed, feedStderr, end };
}

function toolEvents(msg: Extract<CursorLine, { type: 'tool_call' }>): AgentEvent[] {
  const [key, raw] = Object.entries(msg.tool_call)[0] ?? [];
  if (!key) return [];
  const body = ToolBody.safeParse(raw);
  if (!body.success) return [];
  const name = key === 'function' ? (body.data.name ?? 'function') : key.replace(/ToolCall$/, '');
  if (msg.subtype === 'started') {
    return [
      { type: 'tool_use', name, input: summarise(body.data.args ?? body.data.arguments ?? '') },
    ];
  }
  if (msg.subtype !== 'completed') return [];
  const result = body.data.result ?? {};
  const isError = Object.keys(result).length > 0 && !('success' in result);
  const detail = isError ? Object.values(result)[0] : result.success;
  return [{ type: 'tool_result', isError, text: summarise(detail ?? '') }];
}

function parseLine(line: string): CursorLine | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  try {
    const parsed = CursorLine.safeParse(JSON.parse(trimmed));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function apiKind(message: string) {
  return classifyApiError({ message });
}

function assertNever(value: never): never {
  throw new Error(`unhandled cursor line: ${JSON.stringify(value)}`);
}
