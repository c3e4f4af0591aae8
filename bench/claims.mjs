// Benchmark: queue claims per second on SQLite with 10,000 queued entries and 8 concurrent claimers
// (worker threads, each with its own store connection), checking that no entry is claimed twice.
// Baseline in the same run: the same 8 threads doing plain single-row UPDATEs by id on the same
// database file (the cost floor of one committed write), so the result is a ratio.
// Usage: node bench/claims.mjs [entries] [claimers]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const root = fileURLToPath(new URL('..', import.meta.url));
const storeBundle = join(root, 'node_modules', '.cache', 'looper-bench', 'store.mjs');
const clock = { now: () => Date.now() };

if (isMainThread) await main();
else await work(workerData);

async function main() {
  const entries = Number(process.argv[2] ?? 10_000);
  const claimers = Number(process.argv[3] ?? 8);
  await bundleStore();
  const { openStore } = await import(storeBundle);
  const dataDir = mkdtempSync(join(tmpdir(), 'looper-bench-claims-'));
  try {
    const store = await openStore({ dataDir, clock });
    const ids = await seed(store, entries);
    await store.close();

    const baseline = await runWorkers(claimers, { mode: 'update', dataDir, ids });
    const claims = await runWorkers(claimers, { mode: 'claim', dataDir });

    const claimed = claims.results.flat();
    const double = claimed.length - new Set(claimed).size;
    const check = await openStore({ dataDir, clock });
    const counts = await check.queue.countQueue();
    await check.close();
    const ok = double === 0 && claimed.length === entries && counts.claimed === entries;
    const baseRate = entries / (baseline.ms / 1000);
    const claimRate = entries / (claims.ms / 1000);
    const line = (name, ms, rate) =>
      `${name.padEnd(34)} ${ms.toFixed(0).padStart(7)} ms  ${rate.toFixed(0).padStart(7)} /s`;
    process.stdout.write(
      [
        `SQLite (WAL), ${entries} queued entries, ${claimers} concurrent connections`,
        line('baseline: single-row UPDATE by id', baseline.ms, baseRate),
        line('claims (claim limit 1, lease)', claims.ms, claimRate),
        `ratio claims / baseline: ${(claimRate / baseRate).toFixed(2)}x`,
        `claimed ${claimed.length}, double claims ${double}, claimed in the store ${counts.claimed}`,
        ok ? 'OK' : 'FAILED',
        '',
      ].join('\n'),
    );
    if (!ok) process.exitCode = 1;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The store folder as one ESM file beside node_modules (so better-sqlite3 resolves). */
async function bundleStore() {
  const { build } = await import('esbuild');
  mkdirSync(join(storeBundle, '..'), { recursive: true });
  await build({
    entryPoints: [join(root, 'src', 'store', 'index.ts')],
    outfile: storeBundle,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['better-sqlite3'],
    logLevel: 'warning',
  });
}

/** One project, `count` loops and one queued entry per loop, in one transaction. */
async function seed(store, count) {
  const ids = [];
  await store.transaction(async (tx) => {
    const project = await tx.projects.createProject({ name: 'bench', forge: 'local', path: '/b' });
    for (let i = 0; i < count; i++) {
      const loop = await tx.loops.createLoop({
        projectId: project.id,
        kind: 'issue',
        number: i + 1,
        title: `Loop ${i + 1}`,
      });
      const entry = await tx.queue.enqueue({
        loopId: loop.id,
        queue: 'manual',
        dedupeKey: `loop:${loop.id}`,
      });
      ids.push(entry.id);
    }
  });
  return ids;
}

/** Starts the threads, releases them together, and times from the release to the last one done. */
async function runWorkers(count, data) {
  const workers = [];
  for (let i = 0; i < count; i++) {
    const slice = data.ids ? data.ids.filter((_, n) => n % count === i) : undefined;
    const worker = new Worker(fileURLToPath(import.meta.url), {
      workerData: { ...data, ids: slice, index: i, storeBundle },
    });
    const ready = new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    workers.push({ worker, ready });
  }
  await Promise.all(workers.map((w) => w.ready));
  const start = process.hrtime.bigint();
  const done = workers.map(
    ({ worker }) =>
      new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      }),
  );
  for (const { worker } of workers) worker.postMessage('go');
  const results = await Promise.all(done);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  await Promise.all(workers.map(({ worker }) => worker.terminate()));
  return { ms, results };
}

async function work(data) {
  const go = new Promise((resolve) => parentPort.once('message', resolve));
  if (data.mode === 'update') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(data.dataDir, 'looper.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    const update = db.prepare('update queue_entries set updated_at = ? where id = ?');
    parentPort.postMessage('ready');
    await go;
    for (const id of data.ids) update.run(Date.now(), id);
    db.close();
    parentPort.postMessage([]);
    return;
  }
  const { openStore } = await import(data.storeBundle);
  const store = await openStore({ dataDir: data.dataDir, clock });
  const owner = `claimer-${data.index}`;
  const claimed = [];
  parentPort.postMessage('ready');
  await go;
  for (;;) {
    const batch = await store.queue.claim({ owner, leaseMs: 60_000, now: Date.now(), limit: 1 });
    if (batch.length === 0) break;
    for (const entry of batch) claimed.push(entry.id);
  }
  await store.close();
  parentPort.postMessage(claimed);
}
