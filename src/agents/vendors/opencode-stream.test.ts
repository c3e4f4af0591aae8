import { describe, expect, it } from 'vitest';
import { opencodeParser } from './opencode-stream.js';
import { ofType, replay } from './stream-fixtures.test-support.js';

describe('opencodeParser on recorded runs', () => {
  it('turns a successful run into session, text, tool, usage and result events', () => {
    const { events, giveUp } = replay(opencodeParser(), 'opencode-success.jsonl');

    expect(events[0]).toEqual({ type: 'session', sessionId: 'ses_dec112495ffe7ntG74um8jkT0s' });
    expect(ofType(events, 'session')).toHaveLength(1);
    expect(ofType(events, 'tool_use').map((e) => e.name)).toEqual(['read', 'edit', 'bash']);
    expect(ofType(events, 'tool_use')[1]?.input).toContain('"newString":"a + b"');
    // bash exited 1: the tool ran, but the command failed.
    expect(ofType(events, 'tool_result').map((e) => e.isError)).toEqual([false, false, true]);
    expect(ofType(events, 'text').map((e) => e.text)).toEqual([
      'Reading calc.js.',
      'Fixed add().\n__LOOPER_RESULT__={"summary":"fixed add"}',
    ]);
    // One usage event per step; a cost of 0 (no price for a custom model) is unknown, not free.
    const usage = ofType(events, 'usage');
    expect(usage).toHaveLength(4);
    expect(usage.reduce((n, u) => n + u.inputTokens, 0)).toBe(31265);
    expect(usage.reduce((n, u) => n + u.outputTokens, 0)).toBe(143);
    expect(usage.reduce((n, u) => n + u.cachedTokens, 0)).toBe(28);
    expect(usage.every((u) => u.costUsd === null)).toBe(true);
    expect(ofType(events, 'error')).toEqual([]);
    expect(giveUp).toBeNull();
    // No final result line: the result is the text of the last step.
    expect(events.at(-1)).toEqual({
      type: 'result',
      text: 'Fixed add().\n__LOOPER_RESULT__={"summary":"fixed add"}',
      isError: false,
      sessionId: 'ses_dec112495ffe7ntG74um8jkT0s',
      numTurns: null,
    });
  });

  it('continues the given session on resume', () => {
    const { events } = replay(opencodeParser(), 'opencode-resume.jsonl');

    expect(ofType(events, 'session')).toEqual([
      { type: 'session', sessionId: 'ses_dec10f8ddffeehoSdrXvhy2en9' },
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'result',
      isError: false,
      text: expect.stringContaining('Continued.'),
    });
  });

  it('takes the forced text answer after the last step as the result when steps run out', () => {
    const { events } = replay(opencodeParser(), 'opencode-max-turns.jsonl');

    expect(ofType(events, 'tool_use')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({
      type: 'result',
      isError: false,
      text: 'Out of steps: echo ran twice, nothing fixed yet.',
    });
  });

  it('fails a run that stopped on a rejected permission although it exited 0', () => {
    const { events } = replay(opencodeParser(), 'opencode-permission-rejected.jsonl');

    expect(ofType(events, 'tool_result')).toEqual([
      {
        type: 'tool_result',
        isError: true,
        text: 'The user rejected permission to use this specific tool call.',
      },
    ]);
    expect(ofType(events, 'error')).toEqual([
      {
        type: 'error',
        kind: 'unknown',
        message: expect.stringContaining('rejected permission: read {"filePath":"/etc/hostname"}'),
      },
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'result', isError: true, text: '' });
  });

  it('classifies an API error event (401) as auth', () => {
    const { events } = replay(opencodeParser(), 'opencode-auth.jsonl');

    expect(ofType(events, 'error')).toEqual([
      { type: 'error', kind: 'auth', message: 'Incorrect API key provided: sk-test.' },
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'result', isError: true });
  });

  it('gives up on a spent quota at its first retried attempt', () => {
    const { events, giveUp } = replay(opencodeParser(), null, 'opencode-quota.stderr.txt');

    expect(giveUp).toEqual({
      kind: 'quota',
      message: 'You exceeded your current quota, please check your plan and billing details.',
    });
    expect(ofType(events, 'result')).toEqual([]);
  });

  it('gives up on rate limits after three retried attempts, not before', () => {
    const parser = opencodeParser();
    const line =
      'timestamp=2026-11-25T18:20:58.163Z level=ERROR run=52f2109b message="stream error" providerID=scripted modelID=model session.id=ses_x small=false agent=build mode=primary error.error="AI_APICallError: Rate limit reached for requests"';

    parser.feedStderr?.(line);
    parser.feedStderr?.(line);
    expect(parser.giveUp?.()).toBeNull();
    parser.feedStderr?.(line);

    expect(parser.giveUp?.()).toEqual({
      kind: 'rate_limit',
      message: 'Rate limit reached for requests',
    });
    expect(replay(opencodeParser(), null, 'opencode-rate-limit.stderr.txt').giveUp?.kind).toBe(
      'rate_limit',
    );
  });

  it('does not count a failed title request or a model answer in between', () => {
    const parser = opencodeParser();
    const error = (small: boolean) =>
      `level=ERROR message="stream error" small=${small} agent=build error.error="AI_APICallError: Rate limit reached"`;

    parser.feedStderr?.(error(true));
    parser.feedStderr?.(error(true));
    parser.feedStderr?.(error(false));
    parser.feedStderr?.(error(false));
    parser.feed('{"type":"step_start","sessionID":"ses_1","part":{}}');
    parser.feedStderr?.(error(false));

    expect(parser.giveUp?.()).toBeNull();
  });
});
