// Cursor's CLI cannot run here (not on npm, Cursor's backend only): these streams are written
// from its documented stream-json format (fixtures/README.md).
import { describe, expect, it } from 'vitest';
import { cursorParser } from './cursor-stream.js';
import { ofType, replay } from './stream-fixtures.test-support.js';

const SESSION = '5e7c3f0a-2b1d-4c8e-9f6a-7d3b2a1c0e9f';

describe('cursorParser on documented streams', () => {
  it('turns a successful run into session, text, tool and result events', () => {
    const { events } = replay(cursorParser(), 'cursor-success.jsonl');

    expect(events[0]).toEqual({ type: 'session', sessionId: SESSION });
    expect(ofType(events, 'tool_use')).toEqual([
      { type: 'tool_use', name: 'read', input: '{"path":"calc.js"}' },
      { type: 'tool_use', name: 'shell', input: '{"command":"cat missing.txt"}' },
      {
        type: 'tool_use',
        name: 'write',
        input: expect.stringContaining('"fileText":"export const add = (a, b) => a + b;\\n"'),
      },
    ]);
    expect(ofType(events, 'tool_result').map((e) => e.isError)).toEqual([false, true, false]);
    expect(ofType(events, 'tool_result')[1]?.text).toContain('No such file or directory');
    expect(ofType(events, 'text')).toHaveLength(3);
    expect(ofType(events, 'usage')).toEqual([]);
    expect(ofType(events, 'error')).toEqual([]);
    // `result` glues all messages together; the last message is the answer.
    expect(events.at(-1)).toEqual({
      type: 'result',
      text: 'Fixed add().\n__LOOPER_RESULT__={"summary":"fixed add"}',
      isError: false,
      sessionId: SESSION,
      numTurns: null,
    });
  });

  it('keeps the session id of a resumed chat', () => {
    const { events } = replay(cursorParser(), 'cursor-resume.jsonl');

    expect(ofType(events, 'session')).toEqual([{ type: 'session', sessionId: SESSION }]);
    expect(events.at(-1)).toMatchObject({
      type: 'result',
      text: expect.stringContaining('Continued.'),
    });
  });

  it('classifies the stderr message of a run that ended without a result', () => {
    const { events } = replay(
      cursorParser(),
      'cursor-usage-limit.jsonl',
      'cursor-usage-limit.stderr.txt',
    );

    expect(ofType(events, 'result')).toEqual([]);
    expect(ofType(events, 'error')).toEqual([
      { type: 'error', kind: 'quota', message: expect.stringContaining('usage limit') },
    ]);
  });
});

describe('cursorParser on partial streams', () => {
  it('reads usage when a result reports it and fails an error result', () => {
    const parser = cursorParser();
    const events = parser.feed(
      JSON.stringify({
        type: 'result',
        subtype: 'error',
        is_error: true,
        result: 'Authentication required. Please run agent login or set CURSOR_API_KEY',
        usage: { inputTokens: 10, outputTokens: 2, cacheReadTokens: 3, cacheWriteTokens: 1 },
      }),
    );

    expect(events).toEqual([
      { type: 'usage', inputTokens: 11, outputTokens: 2, cachedTokens: 3, costUsd: null },
      { type: 'error', kind: 'auth', message: expect.stringContaining('Authentication required') },
      {
        type: 'result',
        text: expect.stringContaining('Authentication'),
        isError: true,
        sessionId: null,
        numTurns: null,
      },
    ]);
    expect(parser.end()).toEqual([]);
  });

  it('names a generic function tool call by its function name', () => {
    const parser = cursorParser();
    const line = JSON.stringify({
      type: 'tool_call',
      subtype: 'started',
      call_id: 'c1',
      tool_call: { function: { name: 'mcp_search', arguments: '{"q":"x"}' } },
    });

    expect(parser.feed(line)).toEqual([
      { type: 'tool_use', name: 'mcp_search', input: '{"q":"x"}' },
    ]);
    expect(parser.feed('not json')).toEqual([]);
  });
});
