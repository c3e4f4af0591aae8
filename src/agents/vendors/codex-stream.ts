// Parses `codex exec --json` lines (thread, turn and item events) into AgentEvents. Codex prints no
// final result line: the turn's last agent message is its answer, reported when the turn ends.
import { z } from 'zod';
import { classifyApiError } from '../error-kind.js';
import type { AgentErrorKind, AgentEvent, StreamParser } from '../vendor.js';
import { summarise } from '../vendor.js';

const count = z.number().nonnegative().nullish();

const TurnUsage = z.object({
  input_tokens: count,
  cached_input_tokens: count,
  output_tokens: count,
});
type TurnUsage = z.infer<typeof TurnUsage>;

const Item = z.looseObject({ id: z.string().optional(), type: z.string() });

const CodexLine = z.discriminatedUnion('type', [
  z.object({ type: z.literal('thread.started'), thread_id: z.string() }),
  z.object({ type: z.literal('turn.started') }),
  z.object({
    type: z.literal('turn.completed'),
    usage: TurnUsage.optional(),
  }),
  z.object({
    type: z.literal('turn.failed'),
    error: z.object({ message: z.string().default('') }).optional(),
  }),
  z.object({ type: z.literal('error'), message: z.string().default('') }),
  z.object({ type: z.literal('item.started'), item: Item }),
  z.object({ type: z.literal('item.updated'), item: Item }),
  z.object({ type: z.literal('item.completed'), item: Item }),
]);
type CodexLine = z.infer<typeof CodexLine>;
type CodexItem = z.infer<typeof Item>;

const AgentMessage = z.object({ text: z.string() });
const CommandExecution = z.object({
  command: z.string().default(''),
  aggregated_output: z.string().nullish(),
  exit_code: z.number().nullish(),
  status: z.string().nullish(),
});
const FileChange = z.object({
  changes: z.array(z.object({ path: z.string(), kind: z.string().optional() })).default([]),
  status: z.string().nullish(),
});
const McpToolCall = z.object({
  server: z.string().default(''),
  tool: z.string().default(''),
  arguments: z.unknown().optional(),
  result: z.unknown().optional(),
  error: z.object({ message: z.string() }).nullish(),
  status: z.string().nullish(),
});
const WebSearch = z.object({ query: z.string().default('') });

/** Codex's own retry notices ("Reconnecting... 2/5 (…)") are progress, not the run's failure. */
const RETRY_NOTICE = /^Reconnecting\.\.\./;

export function codexParser(): StreamParser {
  let threadId: string | null = null;
  let lastMessage: string | null = null;
  let sawTurnEnd = false;
  let pendingError: string | null = null;
  const started = new Set<string>();

  function feed(line: string): AgentEvent[] {
    const msg = parseLine(line);
    if (!msg) return [];
    switch (msg.type) {
      case 'thread.started':
        threadId = msg.thread_id;
        return [{ type: 'session', sessionId: msg.thread_id }];
      case 'turn.started':
      case 'item.updated':
        return [];
      case 'turn.completed':
        sawTurnEnd = true;
        return [...usageEvents(msg.usage), result(lastMessage ?? '', false)];
      case 'turn.failed': {
        sawTurnEnd = true;
        const message = msg.error?.message || pendingError || 'codex turn failed';
        return [
          { type: 'error', kind: turnErrorKind(message), message },
          result(lastMessage ?? '', true),
        ];
      }
      case 'error':
        if (!RETRY_NOTICE.test(msg.message)) pendingError = msg.message;
        return [];
      case 'item.started':
        if (msg.item.id) started.add(msg.item.id);
        return toolUse(msg.item);
      case 'item.completed':
        return completed(msg.item);
      default:
        return assertNever(msg);
    }
  }

  function completed(item: CodexItem): AgentEvent[] {
    if (item.type === 'agent_message') {
      const message = AgentMessage.safeParse(item);
      if (!message.success) return [];
      lastMessage = message.data.text;
      return [{ type: 'text', text: message.data.text }];
    }
    const use = item.id && started.has(item.id) ? [] : toolUse(item);
    return [...use, ...toolResult(item)];
  }

  function result(text: string, isError: boolean): AgentEvent {
    return { type: 'result', text, isError, sessionId: threadId, numTurns: null };
  }

  function end(): AgentEvent[] {
    // An error line without turn.failed (bad config, unknown session…): still the run's failure.
    if (sawTurnEnd || !pendingError) return [];
    return [{ type: 'error', kind: turnErrorKind(pendingError), message: pendingError }];
  }

  return { feed, end };
}

function parseLine(line: string): CodexLine | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  try {
    const parsed = CodexLine.safeParse(JSON.parse(trimmed));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function usageEvents(usage: TurnUsage | undefined): AgentEvent[] {
  if (!usage) return [];
  // OpenAI counts cached input inside input_tokens; Looper's counts are disjoint.
  const cached = usage.cached_input_tokens ?? 0;
  return [
    {
      type: 'usage',
      inputTokens: Math.max(0, (usage.input_tokens ?? 0) - cached),
      outputTokens: usage.output_tokens ?? 0,
      cachedTokens: cached,
      costUsd: null,
    },
  ];
}

function toolUse(item: CodexItem): AgentEvent[] {
  switch (item.type) {
    case 'command_execution': {
      const cmd = CommandExecution.safeParse(item);
      return cmd.success
        ? [{ type: 'tool_use', name: 'shell', input: summarise(cmd.data.command) }]
        : [];
    }
    case 'file_change': {
      const change = FileChange.safeParse(item);
      if (!change.success) return [];
      const files = change.data.changes.map((c) => `${c.kind ?? 'edit'} ${c.path}`).join(', ');
      return [{ type: 'tool_use', name: 'apply_patch', input: summarise(files) }];
    }
    case 'mcp_tool_call': {
      const call = McpToolCall.safeParse(item);
      if (!call.success) return [];
      const name = `mcp:${call.data.server}/${call.data.tool}`;
      return [{ type: 'tool_use', name, input: summarise(call.data.arguments ?? '') }];
    }
    case 'web_search': {
      const search = WebSearch.safeParse(item);
      return search.success
        ? [{ type: 'tool_use', name: 'web_search', input: summarise(search.data.query) }]
        : [];
    }
    default:
      // reasoning, todo_list, warnings shown as `error` items: not tool activity
      return [];
  }
}

function toolResult(item: CodexItem): AgentEvent[] {
  switch (item.type) {
    case 'command_execution': {
      const cmd = CommandExecution.safeParse(item);
      if (!cmd.success) return [];
      const isError =
        cmd.data.status === 'failed' || (cmd.data.exit_code != null && cmd.data.exit_code !== 0);
      return [{ type: 'tool_result', isError, text: summarise(cmd.data.aggregated_output ?? '') }];
    }
    case 'file_change': {
      const change = FileChange.safeParse(item);
      if (!change.success) return [];
      const isError = change.data.status === 'failed';
      const files = change.data.changes.map((c) => c.path).join(', ');
      return [{ type: 'tool_result', isError, text: summarise(files) }];
    }
    case 'mcp_tool_call': {
      const call = McpToolCall.safeParse(item);
      if (!call.success) return [];
      const isError = call.data.status === 'failed' || call.data.error != null;
      const text = call.data.error?.message ?? summarise(call.data.result ?? '');
      return [{ type: 'tool_result', isError, text: summarise(text) }];
    }
    default:
      return [];
  }
}

/** A failed turn is a model API failure unless its message says more precisely what. */
function turnErrorKind(message: string): AgentErrorKind {
  const status = /\bstatus:? (\d{3})\b/i.exec(message)?.[1];
  const kind = classifyApiError({ status: status ? Number(status) : null, message });
  return kind === 'unknown' ? 'api' : kind;
}

function assertNever(value: never): never {
  throw new Error(`unhandled codex line: ${JSON.stringify(value)}`);
}
