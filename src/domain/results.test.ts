import { describe, expect, it } from 'vitest';
import { parseRoleResult } from './results.js';

describe('parseRoleResult', () => {
  it('reads the last result line of a reviewer', () => {
    const text =
      'thinking...\n__LOOPER_RESULT__={"verdict":"approve","summary":"old"}\nmore\n__LOOPER_RESULT__={"verdict":"request_changes","summary":"s","comments":[{"path":"a.ts","line":3,"body":"b"}]}';
    const parsed = parseRoleResult('reviewer', text);
    expect(parsed).toEqual({
      ok: true,
      value: {
        verdict: 'request_changes',
        summary: 's',
        comments: [{ path: 'a.ts', line: 3, body: 'b' }],
      },
    });
  });

  it('defaults missing comments to an empty list', () => {
    const parsed = parseRoleResult(
      'plan_reviewer',
      '__LOOPER_RESULT__={"verdict":"revise","summary":"s"}',
    );
    expect(parsed.ok && parsed.value.comments).toEqual([]);
  });

  it('accepts a result wrapped in backticks', () => {
    expect(parseRoleResult('worker', '`__LOOPER_RESULT__={"summary":"x"}`').ok).toBe(true);
  });

  it('reports a missing line, bad JSON and a wrong shape', () => {
    expect(parseRoleResult('worker', 'no result here')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no __LOOPER_RESULT__'),
    });
    expect(parseRoleResult('worker', '__LOOPER_RESULT__={oops')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not valid JSON'),
    });
    expect(
      parseRoleResult('reviewer', '__LOOPER_RESULT__={"verdict":"maybe","summary":"s"}'),
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining('verdict'),
    });
  });
});
