import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forwardCheck } from './doctor-forward.js';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A `gh` on a PATH of its own that exits `code` after printing `stderr`. */
function fakeGh(code: number, stderr = ''): string {
  const bin = path.join(dir, `bin-${code}`);
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'gh'), `#!/bin/sh\necho '${stderr}' >&2\nexit ${code}\n`, {
    mode: 0o755,
  });
  return bin;
}

describe('the gh webhook forward doctor check', () => {
  it('fails when a forwarded repository needs gh and it is not on PATH', async () => {
    const check = await forwardCheck({ forwarded: ['acme/app'], env: { PATH: dir }, cwd: dir });

    expect(check.status).toBe('fail');
    expect(check.detail).toContain('gh (the GitHub CLI) is not on PATH; forwarding acme/app');
    expect(check.detail).toContain('gh extension install cli/gh-webhook');
  });

  it('fails when gh lacks the webhook extension, passes when it has it', async () => {
    const bare = fakeGh(1, 'unknown command "webhook" for "gh"');
    const missing = await forwardCheck({ forwarded: ['acme/app'], env: { PATH: bare }, cwd: dir });
    expect(missing).toMatchObject({ status: 'fail', data: { extension: false } });
    expect(missing.detail).toContain('unknown command "webhook"');

    const ok = await forwardCheck({
      forwarded: ['acme/app'],
      env: { PATH: fakeGh(0) },
      cwd: dir,
    });
    expect(ok).toMatchObject({ status: 'ok', data: { found: true, extension: true } });
  });

  it('only reports gh when nothing is forwarded', async () => {
    const check = await forwardCheck({ forwarded: [], env: { PATH: dir }, cwd: dir });

    expect(check).toMatchObject({ status: 'ok', data: { found: false } });
    expect(check.detail).toContain('not used');
  });
});
