import { describe, expect, it } from 'vitest';
import {
  anchorComments,
  bodyWithUnplaced,
  commentableLines,
  parseUnifiedDiff,
} from './diff-anchor.js';

// Two hunks of src/a.ts: new-side lines 1-5 and 20-24 (line 22 added, line 3 added).
const patchA = [
  '@@ -1,4 +1,5 @@',
  ' one',
  ' two',
  '+three',
  ' four',
  ' five',
  '@@ -18,5 +19,6 @@ function f() {',
  ' ctx',
  ' ctx',
  '-old',
  '+new',
  '+newer',
  ' ctx',
  '\\ No newline at end of file',
].join('\n');

const diff = [
  'diff --git a/src/a.ts b/src/a.ts',
  'index 1111111..2222222 100644',
  '--- a/src/a.ts',
  '+++ b/src/a.ts',
  patchA,
  'diff --git a/gone.txt b/gone.txt',
  'deleted file mode 100644',
  '--- a/gone.txt',
  '+++ /dev/null',
  '@@ -1,2 +0,0 @@',
  '-x',
  '-y',
  'diff --git a/new file.md b/new file.md',
  'new file mode 100644',
  '--- /dev/null',
  '+++ b/new file.md',
  '@@ -0,0 +1,2 @@',
  '+# Title',
  '+text',
  '',
].join('\n');

describe('commentableLines', () => {
  it('lists the new-side lines of every hunk, skipping removed lines and markers', () => {
    expect(commentableLines(patchA)).toEqual([1, 2, 3, 4, 5, 19, 20, 21, 22, 23]);
  });

  it('is empty for a patch that only removes lines', () => {
    expect(commentableLines('@@ -1,2 +0,0 @@\n-x\n-y')).toEqual([]);
  });
});

describe('parseUnifiedDiff', () => {
  it('splits a whole diff per new path and drops deleted files', () => {
    const files = parseUnifiedDiff(diff);
    expect([...files.keys()]).toEqual(['src/a.ts', 'new file.md']);
    expect(files.get('src/a.ts')).toEqual([1, 2, 3, 4, 5, 19, 20, 21, 22, 23]);
    expect(files.get('new file.md')).toEqual([1, 2]);
  });
});

describe('anchorComments', () => {
  const lines = parseUnifiedDiff(diff);

  it('keeps a comment on a line inside a hunk as it is', () => {
    const result = anchorComments([{ path: 'src/a.ts', line: 21, body: 'why new?' }], lines);
    expect(result).toEqual({
      inline: [{ path: 'src/a.ts', line: 21, body: 'why new?', movedFrom: null }],
      unplaced: [],
    });
  });

  it('moves a comment between hunks to the nearest hunk line and says where it was meant', () => {
    const result = anchorComments([{ path: 'src/a.ts', line: 16, body: 'off' }], lines);
    expect(result.inline).toHaveLength(1);
    expect(result.inline[0]).toMatchObject({ path: 'src/a.ts', line: 19, movedFrom: 16 });
    expect(result.inline[0]?.body).toContain('line 16');
  });

  it('prefers the earlier line when two hunk lines are equally near', () => {
    // 12 is 7 from line 5 and 7 from line 19.
    const result = anchorComments([{ path: 'src/a.ts', line: 12, body: 'tie' }], lines);
    expect(result.inline[0]?.line).toBe(5);
  });

  it('moves a comment past the end of the file back to the last hunk line', () => {
    const result = anchorComments([{ path: 'new file.md', line: 90, body: 'eof' }], lines);
    expect(result.inline[0]).toMatchObject({ line: 2, movedFrom: 90 });
  });

  it('leaves comments on files outside the diff (or deleted) for the review body', () => {
    const outside = { path: 'README.md', line: 3, body: 'typo' };
    const deleted = { path: 'gone.txt', line: 1, body: 'why delete?' };
    const result = anchorComments([outside, deleted], lines);
    expect(result).toEqual({ inline: [], unplaced: [outside, deleted] });
  });
});

describe('bodyWithUnplaced', () => {
  it('returns the body unchanged when every comment was placed', () => {
    expect(bodyWithUnplaced('Looks fine.', [])).toBe('Looks fine.');
  });

  it('appends each unplaced comment with its file and line', () => {
    const body = bodyWithUnplaced('Summary', [{ path: 'README.md', line: 3, body: 'typo\nhere' }]);
    expect(body).toContain('Summary');
    expect(body).toContain('- `README.md:3`: typo\n  here');
  });
});
