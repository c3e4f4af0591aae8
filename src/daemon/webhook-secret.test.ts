import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWebhookSecret } from './webhook-secret.js';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));

describe('createWebhookSecret', () => {
  it('prefers github.webhook-secret and never writes a file then', () => {
    const dir = tempDir();
    const secret = createWebhookSecret(dir, 'from-config');

    expect(secret.ensure()).toBe('from-config');
    expect(secret.source()).toBe('config');
    expect(fs.existsSync(path.join(dir, 'webhook-secret'))).toBe(false);
  });

  it('generates the file with mode 0600 once, and reads it back at the next start', () => {
    const dir = tempDir();
    const first = createWebhookSecret(dir, '');
    expect(first.source()).toBe('none');
    expect(first.current()).toBe('');

    const generated = first.ensure();

    expect(generated).toMatch(/^[0-9a-f]{64}$/);
    expect(first.current()).toBe(generated);
    expect(first.ensure()).toBe(generated);
    expect(fs.statSync(first.file).mode & 0o777).toBe(0o600);
    const next = createWebhookSecret(dir, '');
    expect(next.source()).toBe('file');
    expect(next.current()).toBe(generated);
  });

  it('keeps a secret file written meanwhile by someone else', () => {
    const dir = tempDir();
    const secret = createWebhookSecret(dir, '');
    fs.writeFileSync(path.join(dir, 'webhook-secret'), 'theirs\n');

    expect(secret.ensure()).toBe('theirs');
  });
});
