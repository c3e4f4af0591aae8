import { describe, expect, it } from 'vitest';
import { geminiErrorKind, geminiParser } from './gemini-stream.js';
import { ofType, replay } from './stream-fixtures.test-support.js';

const SESSION = 'd5b3d47d-07d8-4457-a178-fca4e23b9047';

describe('geminiParser on recorded runs', () => {
  it('turns a successful run into session, text, tool, usage and result events', () => {
    const { events, giveUp } = replay(geminiParser(), 'gemini-success.jsonl');

    expect(events[0]).toEqual({ type: 'session', sessionId: SESSION });
    expect(ofType(events, 'tool_use').map((e) => e.name)).toEqual([
      'read_file',
      'replace',
      'read_file',
    ]);
    expect(ofType(events, 'tool_use')[1]?.input).toContain('"new_string":"a + b"');
    expect(ofType(events, 'tool_result').map((e) => e.isError)).toEqual([false, false, true]);
    expect(ofType(events, 'tool_result')[2]?.text).toContain('File not found: /tmp/');
    expect(ofType(events, 'text').map((e) => e.text)).toEqual([
      'Reading calc.js.',
      'Fixed add().\n__LOOPER_RESULT__={"summary":"fixed add"}',
    ]);
    expect(ofType(events, 'usage')).toEqual([
      { type: 'usage', inputTokens: 49387, outputTokens: 101, cachedTokens: 28, costUsd: null },
    ]);
    expect(ofType(events, 'error')).toEqual([]);
    expect(giveUp).toBeNull();
    expect(events.at(-1)).toEqual({
      type: 'result',
      text: 'Fixed add().\n__LOOPER_RESULT__={"summary":"fixed add"}',
      isError: false,
      sessionId: SESSION,
      numTurns: null,
    });
  });

  it('keeps the session id of a resumed session', () => {
    const { events } = replay(geminiParser(), 'gemini-resume.jsonl');

    expect(ofType(events, 'session')).toEqual([{ type: 'session', sessionId: SESSION }]);
    expect(events.at(-1)).toMatchObject({
      type: 'result',
      isError: false,
      text: expect.stringContaining('Continued.'),
    });
  });

  it.each([
    ['gemini-max-turns.jsonl', 'max_turns', 'Reached max session turns'],
    ['gemini-quota.jsonl', 'quota', 'exhausted your daily quota'],
    ['gemini-auth.jsonl', 'auth', 'API key not valid'],
  ])('classifies the error result in %s as %s', (fixture, kind, message) => {
    const { events } = replay(geminiParser(), fixture);

    const errors = ofType(events, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.kind).toBe(kind);
    expect(errors[0]?.message).toContain(message);
    expect(events.at(-1)).toMatchObject({ type: 'result', isError: true });
  });

  it('gives up after three retried 429 attempts on stderr, where the CLI would go on for minutes', () => {
    const { events, giveUp } = replay(
      geminiParser(),
      'gemini-rate-limit.jsonl',
      'gemini-rate-limit.stderr.txt',
    );

    expect(giveUp?.kind).toBe('rate_limit');
    expect(giveUp?.message).toContain('Retrying with backoff');
    expect(ofType(events, 'session')).toHaveLength(1);
    expect(ofType(events, 'result')).toEqual([]);
  });

  it('counts a retried per-minute quota message as a rate limit, not a spent quota', () => {
    const parser = geminiParser();
    const line =
      'Attempt 1 failed: You exceeded your current quota, please check your plan and billing details.';

    parser.feedStderr?.(line);
    parser.feedStderr?.(line.replace('1', '2'));
    expect(parser.giveUp?.()).toBeNull();
    parser.feedStderr?.(line.replace('1', '3'));

    expect(parser.giveUp?.()?.kind).toBe('rate_limit');
  });
});

describe('geminiParser on partial streams', () => {
  it('joins assistant deltas into one text until a tool call', () => {
    const parser = geminiParser();
    const delta = (content: string) =>
      JSON.stringify({ type: 'message', role: 'assistant', content, delta: true });

    expect(parser.feed(delta('Fixed '))).toEqual([]);
    expect(parser.feed(delta('it.'))).toEqual([]);
    expect(parser.feed('{"type":"tool_use","tool_name":"glob","parameters":{}}')).toEqual([
      { type: 'text', text: 'Fixed it.' },
      { type: 'tool_use', name: 'glob', input: '{}' },
    ]);
    parser.feed(delta('Done.'));
    expect(parser.end()).toEqual([{ type: 'text', text: 'Done.' }]);
  });

  it('ignores user messages, warnings and lines that are not JSON', () => {
    const parser = geminiParser();

    expect(parser.feed('{"type":"message","role":"user","content":"hi"}')).toEqual([]);
    expect(parser.feed('{"type":"error","severity":"warning","message":"Loop detected"}')).toEqual(
      [],
    );
    expect(parser.feed('YOLO mode is enabled.')).toEqual([]);
    expect(parser.feedStderr?.('Ripgrep is not available.')).toEqual([]);
    expect(parser.giveUp?.()).toBeNull();
  });
});

describe('geminiErrorKind', () => {
  it.each([
    ['[API Error: You have exhausted your daily quota on this model.]', 'quota'],
    ['[API Error: Resource has been exhausted (e.g. check quota).]', 'rate_limit'],
    ['[API Error: You exceeded your current quota.\nSuggested retry after 1s.]', 'rate_limit'],
    ['[API Error: {"error":{"code":401,"status":"UNAUTHENTICATED"}}]', 'auth'],
    ['[API Error: Internal error encountered.]', 'api'],
  ])('classifies %j as %s', (message, kind) => {
    expect(geminiErrorKind(message)).toBe(kind);
  });
});
