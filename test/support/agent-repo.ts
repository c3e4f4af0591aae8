// Shared by the real-CLI agent tests: a temp dir, git, and a repository with one bug (add subtracts).
import fs from 'node:fs';
import path from 'node:path';
import { git, tempDir } from './looper-harness.js';

export { git, tempDir };

/** A repository with one bug: add() subtracts. */
export function buggyRepo(): string {
  const repo = tempDir('looper-');
  git(repo, 'init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(repo, 'calc.js'), 'export const add = (a, b) => a - b;\n');
  git(repo, 'add', '.');
  git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'init');
  return repo;
}
