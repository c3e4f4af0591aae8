// The secret GitHub signs webhook deliveries with: `github.webhook-secret` when set, else the one
// `looper webhook enable` generates into <data-dir>/webhook-secret (mode 0600), read at start.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WebhookSecret {
  /** The secret deliveries are verified with; '' when none is set up (deliveries get 403). */
  current(): string;
  source(): 'config' | 'file' | 'none';
  readonly file: string;
  /** The secret, generating the file first when neither the config nor the file has one. */
  ensure(): string;
}

function readSecretFile(file: string): string {
  if (!existsSync(file)) return '';
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}

export function createWebhookSecret(dataDir: string, configured: string): WebhookSecret {
  const file = join(dataDir, 'webhook-secret');
  const fromConfig = configured.trim();
  let fromFile = fromConfig === '' ? readSecretFile(file) : '';
  return {
    file,
    current: () => (fromConfig !== '' ? fromConfig : fromFile),
    source: () => (fromConfig !== '' ? 'config' : fromFile !== '' ? 'file' : 'none'),
    ensure() {
      if (fromConfig !== '') return fromConfig;
      if (fromFile !== '') return fromFile;
      const secret = randomBytes(32).toString('hex');
      try {
        // 'wx': another daemon (or a person) may have written one meanwhile; theirs wins.
        writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
        fromFile = secret;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        fromFile = readSecretFile(file);
      }
      return fromFile;
    },
  };
}
