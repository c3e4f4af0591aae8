import { describe, expect, it } from 'vitest';
import {
  commentMarker,
  loopMarker,
  readCommentKey,
  readLoopMarker,
  stripCommentMarker,
  withCommentMarker,
} from './markers.js';

describe('comment markers', () => {
  it('round-trips a key through the posted body and strips it for display', () => {
    const body = withCommentMarker('loop_1:tracking', '## Looper\n- [x] planning');
    expect(body.startsWith('<!-- looper:key=loop_1%3Atracking -->\n')).toBe(true);
    expect(readCommentKey(body)).toBe('loop_1:tracking');
    expect(stripCommentMarker(body)).toBe('## Looper\n- [x] planning');
  });

  it('encodes keys that would otherwise close the HTML comment', () => {
    expect(commentMarker('a --> b')).toBe('<!-- looper:key=a%20--%3E%20b -->');
    expect(readCommentKey(withCommentMarker('a --> b', 'x'))).toBe('a --> b');
  });

  it('reads no key from text without a marker or with a malformed one', () => {
    expect(readCommentKey('plain comment')).toBeNull();
    expect(readCommentKey('<!-- looper:key=%E0%A4%A -->')).toBeNull();
    expect(readCommentKey(null)).toBeNull();
  });
});

describe('loop markers', () => {
  it('finds the loop id in a PR body', () => {
    const body = `Closes #3\n\nSpec\n\n${loopMarker('loop_01HX')}`;
    expect(readLoopMarker(body)).toBe('loop_01HX');
    expect(readLoopMarker('Closes #3')).toBeNull();
  });
});
