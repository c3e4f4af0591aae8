// Anchors review comments to lines GitHub accepts: a line inside a hunk of the PR diff (new side).
// A comment elsewhere in a changed file moves to the nearest hunk line; one on a file outside the
// diff goes into the review body. GitHub rejects a whole review for one unanchored comment.
import type { ReviewLineComment } from '../forge.js';

/** path → sorted new-side line numbers a comment may target (added and context lines). */
export type CommentableLines = ReadonlyMap<string, readonly number[]>;

export interface AnchoredComment {
  path: string;
  line: number;
  body: string;
  /** The line the reviewer meant, when it had to move. */
  movedFrom: number | null;
}

export interface AnchorResult {
  inline: AnchoredComment[];
  /** Comments on files outside the diff (or with no new-side lines): for the review body. */
  unplaced: ReviewLineComment[];
}

const hunkHeader = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** New-side lines inside the hunks of one file's patch (GitHub's `patch` field). */
export function commentableLines(patch: string): number[] {
  const lines: number[] = [];
  let next: number | null = null;
  for (const line of patch.split('\n')) {
    const header = hunkHeader.exec(line);
    if (header) {
      next = Number(header[1]);
      continue;
    }
    if (next === null) continue;
    // Added and context lines are on the new side; '-' and '\ No newline' lines are not.
    if (line.startsWith('+') || line.startsWith(' ')) {
      lines.push(next);
      next += 1;
    }
  }
  return [...new Set(lines)].sort((a, b) => a - b);
}

function unquotePath(raw: string): string {
  const path = raw.startsWith('"') && raw.endsWith('"') ? JSON.parse(raw) : raw;
  return String(path).replace(/^b\//, '');
}

/** Splits a whole unified diff (`application/vnd.github.diff`) into commentable lines per file. */
export function parseUnifiedDiff(diff: string): Map<string, number[]> {
  const files = new Map<string, number[]>();
  let path: string | null = null;
  let patch: string[] = [];
  const flush = () => {
    if (path !== null) files.set(path, commentableLines(patch.join('\n')));
    path = null;
    patch = [];
  };
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) {
      flush();
      continue;
    }
    if (line.startsWith('+++ ') && patch.length === 0) {
      const target = line.slice(4).replace(/\t.*$/, '');
      path = target === '/dev/null' ? null : unquotePath(target);
      continue;
    }
    if (path !== null) patch.push(line);
  }
  flush();
  return files;
}

function nearest(lines: readonly number[], target: number): number | null {
  let best: number | null = null;
  for (const line of lines) {
    if (best === null || Math.abs(line - target) < Math.abs(best - target)) best = line;
  }
  return best;
}

export function anchorComments(
  comments: readonly ReviewLineComment[],
  lines: CommentableLines,
): AnchorResult {
  const inline: AnchoredComment[] = [];
  const unplaced: ReviewLineComment[] = [];
  for (const comment of comments) {
    const fileLines = lines.get(comment.path) ?? [];
    const line = fileLines.includes(comment.line) ? comment.line : nearest(fileLines, comment.line);
    if (line === null) {
      unplaced.push(comment);
      continue;
    }
    const moved = line !== comment.line;
    const body = moved
      ? `${comment.body}\n\n_(Looper: this was about line ${comment.line}, outside the diff.)_`
      : comment.body;
    inline.push({ path: comment.path, line, body, movedFrom: moved ? comment.line : null });
  }
  return { inline, unplaced };
}

/** The review body with the comments that could not be placed inline appended. */
export function bodyWithUnplaced(body: string, unplaced: readonly ReviewLineComment[]): string {
  if (unplaced.length === 0) return body;
  const items = unplaced.map((c) => `- \`${c.path}:${c.line}\`: ${c.body.replace(/\n/g, '\n  ')}`);
  return [body, '', '**Comments on lines outside this diff**', '', ...items].join('\n');
}
