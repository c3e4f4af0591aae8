// Helpers for scripts that play Looper's roles through the real Claude Code CLI against the
// scripted Anthropic server: which role a request belongs to, its turn, and the turns to answer.
import type { ScriptedRequest, ScriptedTurn } from './anthropic-server.js';

export const resultMarker = '__LOOPER_RESULT__=';

/** The role titles the prompts open with (src/runner/prompts.ts). */
export const roleTitles = [
  'planner',
  'plan reviewer',
  'implementer',
  'code reviewer',
  'fixer',
] as const;
export type RoleTitle = (typeof roleTitles)[number];

type Block = { type?: string; text?: unknown };

export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as Block[])
    .filter((b) => b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text as string)
    .join('\n');
}

export function messagesOf(request: ScriptedRequest): { role?: string; content?: unknown }[] {
  return Array.isArray(request.body.messages) ? request.body.messages : [];
}

/** The Looper prompt: the first user message of the conversation. */
export function promptOf(request: ScriptedRequest): string {
  return textOf(messagesOf(request).find((m) => m.role === 'user')?.content);
}

export function roleOf(request: ScriptedRequest): RoleTitle | null {
  const match =
    /You are the (planner|plan reviewer|implementer|code reviewer|fixer) in Looper/.exec(
      promptOf(request),
    );
  return (match?.[1] as RoleTitle | undefined) ?? null;
}

/** How many tool results the conversation holds: the agent's turn within its run. */
export function turnOf(request: ScriptedRequest): number {
  let count = 0;
  for (const message of messagesOf(request)) {
    if (Array.isArray(message.content))
      count += (message.content as Block[]).filter((b) => b.type === 'tool_result').length;
  }
  return count;
}

/** A final answer ending in the role's result line. */
export const done = (text: string, result: object): ScriptedTurn => ({
  text: `${text}\n${resultMarker}${JSON.stringify(result)}`,
});

export const tool = (
  name: string,
  input: Record<string, unknown>,
  text?: string,
): ScriptedTurn => ({
  ...(text === undefined ? {} : { text }),
  toolUse: { name, input },
});
