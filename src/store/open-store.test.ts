import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { LooperError } from '../domain/index.js';
import { listMigrations } from './migrations/provider.js';
import { openStore, resolveSqlitePath } from './open-store.js';
import { manualClock } from './test-helpers.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('openStore', () => {
  it('creates <dataDir>/looper.db with its directories, in WAL mode, and runs the migrations', async () => {
    const dataDir = path.join(tempDir(), 'nested', 'data');
    const store = await openStore({ dataDir, clock: manualClock() });
    try {
      expect(store.location).toBe(path.join(dataDir, 'looper.db'));
      expect(fs.existsSync(store.location)).toBe(true);
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
      expect(mode.rows[0]?.journal_mode).toBe('wal');
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(store.db);
      expect(fk.rows[0]?.foreign_keys).toBe(1);
      const timeout = await sql<{ timeout: number }>`pragma busy_timeout`.execute(store.db);
      expect(timeout.rows[0]?.timeout).toBe(5000);
      const applied = await sql<{ name: string }>`select name from schema_migrations`.execute(
        store.db,
      );
      expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(listMigrations('sqlite')));
      const tables = await store.db.introspection.getTables();
      const names = tables.map((t) => t.name);
      for (const table of [
        'projects',
        'loops',
        'runs',
        'queue_entries',
        'events',
        'nodes',
        'worktrees',
        'webhook_deliveries',
        'forge_cache',
        'effects',
        'forge_issues',
        'forge_prs',
        'forge_comments',
        'forge_reviews',
        'forge_statuses',
      ]) {
        expect(names).toContain(table);
      }
    } finally {
      await store.close();
    }
  });

  it('reopens an existing database without re-running migrations and keeps its data', async () => {
    const dataDir = tempDir();
    const first = await openStore({ dataDir, clock: manualClock() });
    await first.projects.createProject({ name: 'demo', forge: 'local', path: '/tmp/demo' });
    await first.close();

    const second = await openStore({ dataDir, clock: manualClock() });
    try {
      const applied = await sql<{ name: string }>`select name from schema_migrations`.execute(
        second.db,
      );
      expect(applied.rows).toHaveLength(Object.keys(listMigrations('sqlite')).length);
      expect(await second.projects.findProjectByPath('/tmp/demo')).not.toBeNull();
    } finally {
      await second.close();
    }
  });

  it('accepts sqlite://<path>, relative to the data dir', async () => {
    const dataDir = tempDir();
    const store = await openStore({ url: 'sqlite://db/custom.db', dataDir, clock: manualClock() });
    await store.close();
    expect(fs.existsSync(path.join(dataDir, 'db', 'custom.db'))).toBe(true);
    expect(resolveSqlitePath('sqlite:///abs/x.db', dataDir)).toBe('/abs/x.db');
  });

  it('refuses postgres:// for now with config_invalid', async () => {
    const attempt = openStore({
      url: 'postgres://u@localhost/looper',
      dataDir: tempDir(),
      clock: manualClock(),
    });
    await expect(attempt).rejects.toBeInstanceOf(LooperError);
    await expect(attempt).rejects.toMatchObject({ code: 'config_invalid' });
  });

  it('refuses an unknown storage url scheme', async () => {
    const attempt = openStore({ url: 'mysql://x', dataDir: tempDir(), clock: manualClock() });
    await expect(attempt).rejects.toMatchObject({ code: 'config_invalid' });
  });

  it('rolls back a transaction that throws', async () => {
    const store = await openStore({ dataDir: tempDir(), clock: manualClock() });
    try {
      const failing = store.transaction(async (tx) => {
        await tx.projects.createProject({ name: 'gone', forge: 'local', path: '/tmp/gone' });
        throw new Error('boom');
      });
      await expect(failing).rejects.toThrow('boom');
      expect(await store.projects.findProjectByPath('/tmp/gone')).toBeNull();
    } finally {
      await store.close();
    }
  });
});
