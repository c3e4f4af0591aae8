// Splits `git diff` output into GitHub's per-file view (/pulls/{n}/files) and says which new-side
// lines a review comment may target: GitHub accepts only lines inside a hunk (added or context).

export interface EmulatedDiffFile {
  filename: string;
  previousFilename: string | null;
  status: 'added' | 'removed' | 'modified' | 'renamed';
  additions: number;
  deletions: number;
  /** The hunks as GitHub returns them in `patch` (from the first @@ on). */
  patch: string;
  /** New-side line numbers inside hunks (RIGHT side). */
  rightLines: Set<number>;
  /** The hunk text that contains each RIGHT line (for `diff_hunk`). */
  hunkOf: Map<number, string>;
}

function unquote(name: string): string {
  return name.startsWith('"') ? JSON.parse(name) : name;
}

function newFile(header: string): EmulatedDiffFile {
  const match = /^diff --git (?:"?a\/)(.+?)"? (?:"?b\/)(.+?)"?$/.exec(header);
  const name = match?.[2] ?? header;
  return {
    filename: unquote(name),
    previousFilename: null,
    status: 'modified',
    additions: 0,
    deletions: 0,
    patch: '',
    rightLines: new Set(),
    hunkOf: new Map(),
  };
}

export function splitDiff(diff: string): EmulatedDiffFile[] {
  const files: EmulatedDiffFile[] = [];
  let file: EmulatedDiffFile | null = null;
  let hunk: string[] = [];
  let hunkLines: number[] = [];
  let newLine = 0;
  const closeHunk = () => {
    if (!file || hunk.length === 0) return;
    const text = hunk.join('\n');
    for (const line of hunkLines) file.hunkOf.set(line, text);
    file.patch = file.patch ? `${file.patch}\n${text}` : text;
    hunk = [];
    hunkLines = [];
  };
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) {
      closeHunk();
      file = newFile(line);
      files.push(file);
      continue;
    }
    if (!file) continue;
    if (line.startsWith('@@')) {
      closeHunk();
      const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
      newLine = Number(m?.[1] ?? 0);
      hunk.push(line);
      continue;
    }
    if (hunk.length === 0) {
      if (line.startsWith('new file mode')) file.status = 'added';
      if (line.startsWith('deleted file mode')) file.status = 'removed';
      if (line.startsWith('rename from ')) {
        file.status = 'renamed';
        file.previousFilename = line.slice('rename from '.length);
      }
      continue;
    }
    if (line.startsWith('+')) {
      file.additions += 1;
      file.rightLines.add(newLine);
      hunkLines.push(newLine);
      newLine += 1;
    } else if (line.startsWith('-')) {
      file.deletions += 1;
    } else if (line.startsWith(' ')) {
      file.rightLines.add(newLine);
      hunkLines.push(newLine);
      newLine += 1;
    } else if (!line.startsWith('\\')) {
      continue;
    }
    hunk.push(line);
  }
  closeHunk();
  return files;
}
