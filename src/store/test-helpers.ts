// Test support for the store's own tests: a temp data dir, a hand-driven clock, a fresh store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Clock } from '../domain/index.js';
import { openStore, type Store } from './open-store.js';

export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function manualClock(start = 1_700_000_000_000): ManualClock {
  let time = start;
  return {
    now: () => time,
    advance(ms) {
      time += ms;
    },
  };
}

export interface TestStore {
  store: Store;
  clock: ManualClock;
  dataDir: string;
  cleanup(): Promise<void>;
}

export async function openTestStore(): Promise<TestStore> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
  const clock = manualClock();
  const store = await openStore({ dataDir, clock });
  return {
    store,
    clock,
    dataDir,
    async cleanup() {
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
