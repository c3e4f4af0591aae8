import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from './open-store.js';

describe('intake repo', () => {
  it('records a delivery once and says so for a duplicate', async () => {
    const store = await openStore({
      dataDir: mkdtempSync(join(tmpdir(), 'looper-intake-')),
      clock: { now: () => 1000 },
    });
    expect(await store.intake.recordDelivery('d-1', 'issues', 'labeled')).toBe(true);
    expect(await store.intake.recordDelivery('d-1', 'issues', 'labeled')).toBe(false);
    expect(await store.intake.recordDelivery('d-2', 'issues', null)).toBe(true);
    await store.close();
  });

  it('keeps one cached response per key, replaced on update', async () => {
    const store = await openStore({
      dataDir: mkdtempSync(join(tmpdir(), 'looper-intake-')),
      clock: { now: () => 2000 },
    });
    expect(await store.intake.getCached('issues:o/r')).toBeNull();
    await store.intake.putCached('issues:o/r', '"a"', '[1]');
    await store.intake.putCached('issues:o/r', '"b"', '[1,2]');
    expect(await store.intake.getCached('issues:o/r')).toEqual({
      etag: '"b"',
      body: '[1,2]',
      updatedAt: 2000,
    });
    await store.close();
  });
});
