// A stable node id per data dir, so a restarted daemon recognises its own leases.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export function ensureNodeId(dataDir: string): string {
  const path = join(dataDir, 'node-id');
  if (existsSync(path)) {
    const id = readFileSync(path, 'utf8').trim();
    if (id !== '') return id;
  }
  const id = `node_${hostname()
    .replace(/[^a-zA-Z0-9-]/g, '')
    .slice(0, 24)}_${randomBytes(3).toString('hex')}`;
  writeFileSync(path, `${id}\n`);
  return id;
}
