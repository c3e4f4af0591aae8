// Parses Claude Code's `--output-format stream-json --verbose` lines (system init, assistant and
// user messages, the final result) into AgentEvents. Each line is validated before it is trusted.
import { z } from 'zod';
import { classifyApiError } from '../error-kind.js';
import type { AgentErrorKind, AgentEvent, StreamParser } from '../vendor.js';
import { summarise } from '../vendor.js';

const count = z.number().nonnegative().nullish();

const Usage = z.object({
  input_tokens: count,
  output_tokens: count,
  cache_creation_input_tokens: count,
  cache_read_input_tokens: count,
});
type Usage = z.infer<typeof Usage>;

const TextBlock = z.object({ type: z.literal('text'), text: z.string() });
const ToolUseBlock = z.object({
  type: z.literal('tool_use'),
  name: z.string(),
  input: z.unknown(),
});
const ToolResultBlock = z.object({
  type: z.literal('tool_result'),
  content: z.unknown().optional(),
  is_error: z.boolean().nullish(),
});

const SystemLine = z.object({
  type: z.literal('system'),
  subtype: z.string().optional(),
  session_id: z.string().optional(),
});
const AssistantLine = z.object({
  type: z.literal('assistant'),
  message: z.object({
    id: z.string().optional(),
    content: z.array(z.unknown()).default([]),
    usage: Usage.optional(),
  }),
  parent_tool_use_id: z.string().nullish(),
  /** Set on the synthetic message Claude Code prints for an API failure (e.g. "rate_limit"). */
  error: z.string().optional(),
});
const UserLine = z.object({
  type: z.literal('user'),
  message: z.object({ content: z.union([z.string(), z.array(z.unknown())]) }),
});
const ResultLine = z.object({
  type: z.literal('result'),
  subtype: z.string().default('success'),
  is_error: z.boolean().default(false),
  result: z.string().optional(),
  errors: z.array(z.string()).optional(),
  session_id: z.string().nullish(),
  num_turns: z.number().int().nullish(),
  total_cost_usd: z.number().nullish(),
  usage: Usage.optional(),
  api_error_status: z.number().nullish(),
});
const ClaudeLine = z.discriminatedUnion('type', [SystemLine, AssistantLine, UserLine, ResultLine]);

export function claudeCodeParser(): StreamParser {
  let sawResult = false;
  let lastErrorTag: string | null = null;
  // Assistant lines repeat the message's usage once per content block: keep the last per id.
  const usageByMessage = new Map<string, Usage>();

  function feed(line: string): AgentEvent[] {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) return [];
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      return [];
    }
    const parsed = ClaudeLine.safeParse(json);
    if (!parsed.success) return [];
    const msg = parsed.data;
    switch (msg.type) {
      case 'system':
        return msg.subtype === 'init' && msg.session_id
          ? [{ type: 'session', sessionId: msg.session_id }]
          : [];
      case 'assistant':
        if (msg.error) lastErrorTag = msg.error;
        if (msg.message.id && msg.message.usage)
          usageByMessage.set(msg.message.id, msg.message.usage);
        return assistantEvents(msg.message.content, msg.parent_tool_use_id != null);
      case 'user':
        return toolResults(msg.message.content);
      case 'result':
        sawResult = true;
        return resultEvents(msg, lastErrorTag);
      default:
        return assertNever(msg);
    }
  }

  function end(): AgentEvent[] {
    if (sawResult || usageByMessage.size === 0) return [];
    // No result line (killed or crashed): report what the assistant messages showed, cost unknown.
    const total = [...usageByMessage.values()].reduce(
      (sum, u) => ({
        inputTokens: sum.inputTokens + inputOf(u),
        outputTokens: sum.outputTokens + (u.output_tokens ?? 0),
        cachedTokens: sum.cachedTokens + (u.cache_read_input_tokens ?? 0),
      }),
      { inputTokens: 0, outputTokens: 0, cachedTokens: 0 },
    );
    return [{ type: 'usage', ...total, costUsd: null }];
  }

  return { feed, end };
}

function assistantEvents(content: unknown[], fromSubagent: boolean): AgentEvent[] {
  const events: AgentEvent[] = [];
  for (const raw of content) {
    const text = TextBlock.safeParse(raw);
    // A subagent's prose is not the agent's answer; its tool calls still show what happened.
    if (text.success && !fromSubagent) events.push({ type: 'text', text: text.data.text });
    const tool = ToolUseBlock.safeParse(raw);
    if (tool.success) {
      events.push({ type: 'tool_use', name: tool.data.name, input: summarise(tool.data.input) });
    }
  }
  return events;
}

function toolResults(content: string | unknown[]): AgentEvent[] {
  if (typeof content === 'string') return [];
  const events: AgentEvent[] = [];
  for (const raw of content) {
    const block = ToolResultBlock.safeParse(raw);
    if (!block.success) continue;
    events.push({
      type: 'tool_result',
      isError: block.data.is_error === true,
      text: summarise(textOf(block.data.content)),
    });
  }
  return events;
}

function resultEvents(msg: z.infer<typeof ResultLine>, lastErrorTag: string | null): AgentEvent[] {
  const text = msg.result ?? msg.errors?.join('\n') ?? '';
  const events: AgentEvent[] = [];
  if (msg.usage || msg.total_cost_usd != null) {
    const u = msg.usage ?? {};
    events.push({
      type: 'usage',
      inputTokens: inputOf(u),
      outputTokens: u.output_tokens ?? 0,
      cachedTokens: u.cache_read_input_tokens ?? 0,
      costUsd: msg.total_cost_usd ?? null,
    });
  }
  const isError = msg.is_error || msg.subtype.startsWith('error');
  if (isError) {
    events.push({
      type: 'error',
      kind: resultErrorKind(msg, lastErrorTag, text),
      message: text || msg.subtype,
    });
  }
  events.push({
    type: 'result',
    text,
    isError,
    sessionId: msg.session_id ?? null,
    numTurns: msg.num_turns ?? null,
  });
  return events;
}

function resultErrorKind(
  msg: z.infer<typeof ResultLine>,
  lastErrorTag: string | null,
  text: string,
): AgentErrorKind {
  if (msg.subtype === 'error_max_turns') return 'max_turns';
  if (msg.subtype === 'error_max_budget_usd') return 'quota';
  return classifyApiError({ status: msg.api_error_status, tag: lastErrorTag, message: text });
}

/** Billed input: fresh plus cache-creation tokens; cache reads are counted as cached. */
function inputOf(u: Usage): number {
  return (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0);
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((c) => TextBlock.safeParse(c))
    .filter((r) => r.success)
    .map((r) => r.data.text)
    .join('\n');
}

function assertNever(value: never): never {
  throw new Error(`unhandled stream line: ${JSON.stringify(value)}`);
}
