import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../vendor.js';
import { claudeCodeParser } from './claude-code-stream.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

function parseFixture(name: string): AgentEvent[] {
  const parser = claudeCodeParser();
  const lines = fs.readFileSync(path.join(fixtures, name), 'utf8').split('\n');
  return [...lines.flatMap((line) => parser.feed(line)), ...parser.end()];
}

function ofType<T extends AgentEvent['type']>(events: AgentEvent[], type: T) {
  return events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);
}

describe('claudeCodeParser on recorded runs', () => {
  it('turns a successful run into session, text, tool, usage and result events', () => {
    const events = parseFixture('claude-code-success.jsonl');

    expect(events[0]).toEqual({
      type: 'session',
      sessionId: '7bf1799b-4d1c-4583-bf6f-90cd811f9d55',
    });
    expect(ofType(events, 'tool_use').map((e) => e.name)).toEqual(['Read', 'Write']);
    expect(ofType(events, 'tool_use')[1]?.input).toContain('"content":"fixed\\n"');
    expect(ofType(events, 'tool_result')).toHaveLength(2);
    expect(ofType(events, 'tool_result').every((e) => !e.isError)).toBe(true);
    expect(ofType(events, 'text').map((e) => e.text)).toEqual([
      'Reading the file first.',
      'Fixing.',
      'Done.\n__LOOPER_RESULT__={"summary":"fixed"}',
    ]);
    expect(ofType(events, 'usage')).toEqual([
      {
        type: 'usage',
        inputTokens: 57219,
        outputTokens: 100,
        cachedTokens: 21,
        costUsd: 0.2886055,
      },
    ]);
    expect(ofType(events, 'error')).toEqual([]);
    expect(events.at(-1)).toEqual({
      type: 'result',
      text: 'Done.\n__LOOPER_RESULT__={"summary":"fixed"}',
      isError: false,
      sessionId: '7bf1799b-4d1c-4583-bf6f-90cd811f9d55',
      numTurns: 3,
    });
  });

  it('reports max turns as an error result of kind max_turns', () => {
    const events = parseFixture('claude-code-max-turns.jsonl');

    expect(ofType(events, 'error')).toEqual([
      { type: 'error', kind: 'max_turns', message: 'Reached maximum number of turns (2)' },
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'result', isError: true, numTurns: 3 });
  });

  it.each([
    ['claude-code-rate-limit.jsonl', 'rate_limit', 'Request rejected (429)'],
    ['claude-code-overloaded.jsonl', 'api', '529 Overloaded'],
    ['claude-code-auth.jsonl', 'auth', 'Invalid API key'],
    ['claude-code-credit.jsonl', 'quota', 'Credit balance is too low'],
  ])('classifies the API failure in %s as %s', (fixture, kind, message) => {
    const events = parseFixture(fixture);

    const errors = ofType(events, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.kind).toBe(kind);
    expect(errors[0]?.message).toContain(message);
    expect(events.at(-1)).toMatchObject({ type: 'result', isError: true });
    expect(ofType(events, 'usage')[0]).toMatchObject({ inputTokens: 0, costUsd: 0 });
  });
});

describe('claudeCodeParser on partial streams', () => {
  it('ignores lines that are not JSON or not a known message', () => {
    const parser = claudeCodeParser();

    expect(parser.feed('warning: something on stdout')).toEqual([]);
    expect(parser.feed('{"type":"stream_event","event":{}}')).toEqual([]);
    expect(parser.feed('{"type":"assistant","message":"not an object"}')).toEqual([]);
    expect(parser.feed('{broken')).toEqual([]);
  });

  it('reports usage seen in assistant messages when no result line came, once per message', () => {
    const parser = claudeCodeParser();
    const usage = {
      input_tokens: 10,
      output_tokens: 3,
      cache_creation_input_tokens: 2,
      cache_read_input_tokens: 5,
    };
    const line = (id: string, block: object) =>
      JSON.stringify({ type: 'assistant', message: { id, content: [block], usage } });

    parser.feed(line('m1', { type: 'text', text: 'a' }));
    parser.feed(line('m1', { type: 'tool_use', name: 'Bash', input: { command: 'ls' } }));
    parser.feed(line('m2', { type: 'text', text: 'b' }));

    expect(parser.end()).toEqual([
      { type: 'usage', inputTokens: 24, outputTokens: 6, cachedTokens: 10, costUsd: null },
    ]);
  });

  it('does not take a subagent text as the agent text', () => {
    const parser = claudeCodeParser();
    const line = JSON.stringify({
      type: 'assistant',
      parent_tool_use_id: 'toolu_1',
      message: {
        content: [
          { type: 'text', text: 'inner' },
          { type: 'tool_use', name: 'Grep', input: {} },
        ],
      },
    });

    expect(parser.feed(line)).toEqual([{ type: 'tool_use', name: 'Grep', input: '{}' }]);
  });

  it('summarises long tool input to about 200 characters', () => {
    const parser = claudeCodeParser();
    const input = { file_path: '/x', content: 'y'.repeat(5000) };
    const [event] = parser.feed(
      JSON.stringify({
        type: 'assistant',
        message: { content: [{ type: 'tool_use', name: 'Write', input }] },
      }),
    );

    expect(event?.type).toBe('tool_use');
    expect(event?.type === 'tool_use' && event.input.length).toBeLessThanOrEqual(200);
  });
});
