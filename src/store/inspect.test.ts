import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectStore } from './inspect.js';
import { listMigrations } from './migrations/provider.js';
import { openStore } from './open-store.js';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));

describe('inspectStore', () => {
  it('reports a missing database without creating it', () => {
    const dataDir = tempDir();

    const found = inspectStore({ url: '', dataDir });

    expect(found).toMatchObject({ kind: 'sqlite', exists: false, applied: [] });
    expect(fs.existsSync(path.join(dataDir, 'looper.db'))).toBe(false);
  });

  it('reads applied migrations and projects of a database looperd opened', async () => {
    const dataDir = tempDir();
    const store = await openStore({ dataDir, clock: { now: () => 1 } });
    await store.projects.createProject({ name: 'acme/app', forge: 'github', repo: 'acme/app' });
    await store.close();

    const found = inspectStore({ url: '', dataDir });

    expect(found).toEqual({
      kind: 'sqlite',
      location: path.join(dataDir, 'looper.db'),
      exists: true,
      applied: Object.keys(listMigrations('sqlite')),
      pending: [],
      unknown: [],
      projects: [{ forge: 'github', repo: 'acme/app', path: null }],
    });
  });

  it('names migrations a newer Looper applied', async () => {
    const dataDir = tempDir();
    const store = await openStore({ dataDir, clock: { now: () => 1 } });
    await store.db
      .insertInto('schema_migrations' as never)
      .values({ name: '9999-future', timestamp: '2030-01-01T00:00:00.000Z' } as never)
      .execute();
    await store.close();

    expect(inspectStore({ url: '', dataDir })).toMatchObject({ unknown: ['9999-future'] });
  });

  it('does not open PostgreSQL and hides the password', () => {
    expect(inspectStore({ url: 'postgres://me:pw@db/looper', dataDir: tempDir() })).toEqual({
      kind: 'postgres',
      location: 'postgres://db/looper',
    });
  });
});
