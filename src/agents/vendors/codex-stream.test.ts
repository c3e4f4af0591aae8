import { describe, expect, it } from 'vitest';
import { codexParser } from './codex-stream.js';
import { ofType, replay } from './stream-fixtures.test-support.js';

function parse(fixture: string) {
  return replay(codexParser(), fixture).events;
}

describe('codexParser on recorded runs', () => {
  it('turns a successful run into session, text, tool, usage and result events', () => {
    const events = parse('codex-success.jsonl');

    expect(events[0]).toEqual({
      type: 'session',
      sessionId: '01a213ee-8830-75a1-acc1-74b3da7040fe',
    });
    expect(ofType(events, 'tool_use').map((e) => e.name)).toEqual([
      'shell',
      'shell',
      'apply_patch',
    ]);
    expect(ofType(events, 'tool_use')[0]?.input).toBe("/bin/bash -lc 'cat calc.js'");
    expect(ofType(events, 'tool_use')[2]?.input).toMatch(/^update \/tmp\/.*\/calc\.js$/);
    expect(ofType(events, 'tool_result').map((e) => e.isError)).toEqual([false, true, false]);
    expect(ofType(events, 'tool_result')[1]?.text).toContain('No such file or directory');
    expect(ofType(events, 'text').map((e) => e.text)).toEqual([
      'Reading calc.js.',
      'Fixed add().\n__LOOPER_RESULT__={"summary":"fixed add"}',
    ]);
    // input_tokens counts the cached tokens too; Looper's counts are disjoint.
    expect(ofType(events, 'usage')).toEqual([
      { type: 'usage', inputTokens: 39528, outputTokens: 227, cachedTokens: 28, costUsd: null },
    ]);
    expect(ofType(events, 'error')).toEqual([]);
    expect(events.at(-1)).toEqual({
      type: 'result',
      text: 'Fixed add().\n__LOOPER_RESULT__={"summary":"fixed add"}',
      isError: false,
      sessionId: '01a213ee-8830-75a1-acc1-74b3da7040fe',
      numTurns: null,
    });
  });

  it('reports the resumed thread as the session and its answer as the result', () => {
    const events = parse('codex-resume.jsonl');

    expect(ofType(events, 'session')).toEqual([
      { type: 'session', sessionId: '01a213ee-9b32-7841-a8be-a09d8b8c743c' },
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'result',
      text: 'Continued.\n__LOOPER_RESULT__={"summary":"fixed add"}',
      isError: false,
    });
  });

  it.each([
    ['codex-rate-limit.jsonl', 'rate_limit', '429 Too Many Requests'],
    ['codex-quota.jsonl', 'quota', 'Quota exceeded'],
    ['codex-auth.jsonl', 'auth', '401 Unauthorized'],
    ['codex-server-error.jsonl', 'api', 'high demand'],
  ])('classifies the failed turn in %s as %s', (fixture, kind, message) => {
    const events = parse(fixture);

    const errors = ofType(events, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.kind).toBe(kind);
    expect(errors[0]?.message).toContain(message);
    expect(errors[0]?.message).not.toMatch(/^Reconnecting/);
    expect(events.at(-1)).toMatchObject({ type: 'result', isError: true });
  });
});

describe('codexParser on partial streams', () => {
  it('ignores lines that are not JSON or not a known event, and warning items', () => {
    const parser = codexParser();

    expect(parser.feed('WARNING: something')).toEqual([]);
    expect(
      parser.feed('{"type":"item.completed","item":{"id":"i","type":"reasoning","text":"x"}}'),
    ).toEqual([]);
    expect(
      parser.feed(
        '{"type":"item.completed","item":{"id":"i","type":"error","message":"Model metadata not found"}}',
      ),
    ).toEqual([]);
    expect(parser.feed('{"type":"thread.started"}')).toEqual([]);
    expect(parser.feed('{broken')).toEqual([]);
    expect(parser.end()).toEqual([]);
  });

  it('reports an error line that no failed turn followed', () => {
    const parser = codexParser();

    parser.feed('{"type":"error","message":"Reconnecting... 1/5 (stream disconnected)"}');
    parser.feed('{"type":"error","message":"unexpected status 401 Unauthorized: bad key"}');

    expect(parser.end()).toEqual([
      { type: 'error', kind: 'auth', message: 'unexpected status 401 Unauthorized: bad key' },
    ]);
  });

  it('reports an MCP tool call and its failure', () => {
    const parser = codexParser();
    const item = {
      id: 'item_5',
      type: 'mcp_tool_call',
      server: 'docs',
      tool: 'search',
      arguments: { q: 'x' },
      error: { message: 'server gone' },
      status: 'failed',
    };

    expect(parser.feed(JSON.stringify({ type: 'item.completed', item }))).toEqual([
      { type: 'tool_use', name: 'mcp:docs/search', input: '{"q":"x"}' },
      { type: 'tool_result', isError: true, text: 'server gone' },
    ]);
  });
});
