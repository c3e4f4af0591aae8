import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectChecks } from './detect-checks.js';

function repoWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'looper-detect-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe('detectChecks', () => {
  it('uses npm test when package.json has a real test script', () => {
    expect(
      detectChecks(repoWith({ 'package.json': '{"scripts":{"test":"node --test"}}' })),
    ).toEqual(['npm test']);
  });

  it('ignores the npm init placeholder test script', () => {
    const pkg = JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } });
    expect(detectChecks(repoWith({ 'package.json': pkg }))).toEqual([]);
  });

  it('finds make test, cargo and go', () => {
    expect(detectChecks(repoWith({ Makefile: 'test:\n\techo ok\n' }))).toEqual(['make test']);
    expect(detectChecks(repoWith({ 'Cargo.toml': '[package]\n' }))).toEqual(['cargo test']);
    expect(detectChecks(repoWith({ 'go.mod': 'module x\n' }))).toEqual(['go test ./...']);
  });

  it('returns nothing for a repository without known checks', () => {
    expect(detectChecks(repoWith({ 'README.md': '# x' }))).toEqual([]);
  });
});
