import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock } from './lock-file.js';

function lockPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'looper-lock-')), 'looperd.lock');
}

describe('acquireLock', () => {
  it('refuses a second holder while the first is alive, and frees on release', () => {
    const path = lockPath();
    const first = acquireLock(path);
    expect(readFileSync(path, 'utf8').trim()).toBe(String(process.pid));
    expect(() => acquireLock(path, process.pid + 1)).toThrow(/another looperd \(pid \d+\)/);
    first.release();
    expect(() => acquireLock(path, process.pid + 1).release()).not.toThrow();
  });

  it('takes over a stale lock whose process is gone', async () => {
    const path = lockPath();
    const child = spawn('true');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await exited;
    writeFileSync(path, `${child.pid}\n`);
    const lock = acquireLock(path);
    expect(readFileSync(path, 'utf8').trim()).toBe(String(process.pid));
    lock.release();
  });
});
