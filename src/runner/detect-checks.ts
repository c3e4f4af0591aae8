// Detects a repository's check commands when the project names none (SPEC §3 "checking").
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const npmDefaultTest = 'echo "Error: no test specified" && exit 1';

function packageTestScript(repo: string): string | null {
  const file = join(repo, 'package.json');
  if (!existsSync(file)) return null;
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { scripts?: Record<string, unknown> };
    const test = pkg.scripts?.test;
    return typeof test === 'string' && test.trim() !== '' && test.trim() !== npmDefaultTest
      ? test
      : null;
  } catch {
    return null;
  }
}

function makefileHasTest(repo: string): boolean {
  const file = join(repo, 'Makefile');
  return existsSync(file) && /^test\s*:/m.test(readFileSync(file, 'utf8'));
}

/** The checks a demanding user would run by hand in this repository, or none. */
export function detectChecks(repo: string): string[] {
  if (packageTestScript(repo) !== null) return ['npm test'];
  if (makefileHasTest(repo)) return ['make test'];
  if (existsSync(join(repo, 'Cargo.toml'))) return ['cargo test'];
  if (existsSync(join(repo, 'go.mod'))) return ['go test ./...'];
  if (existsSync(join(repo, 'pyproject.toml')) || existsSync(join(repo, 'pytest.ini')))
    return ['python3 -m pytest'];
  return [];
}
