// Crash-test suite (issue 5, "Show it"), local forge: 56 loops over 4 repositories, 8 at a time, and
// looperd `kill -9`ed at seeded points (after k events on the SSE stream) and restarted until every
// loop has ended. Then: every loop is ready with exactly one spec commit and one work commit on its
// branch, one PR, one tracking comment, no run left running, no agent left alive, the queue empty.
// Reproduce a failure with LOOPER_CRASH_SEED=<seed printed in the failure>.
import { once } from 'node:events';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoopView } from '../src/api/index.js';
import { survivors } from './support/agent-scripts.js';
import { crashRound } from './support/crash-round.js';
import { apiCall } from './support/loop-events.js';
import {
  createLooperEnv,
  git,
  type LooperEnv,
  makeRepo,
  tempDir,
  waitForOutput,
} from './support/looper-harness.js';
import { testAgentEnv } from './support/test-agent.js';

const seed = Number(process.env.LOOPER_CRASH_SEED ?? 20261125);
const repoCount = 4;
const batches = [14, 14, 14, 14];

/** mulberry32: a small seeded PRNG, so the kill points are the same on every run of a seed. */
function prng(start: number): () => number {
  let a = start >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let env: LooperEnv | undefined;
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
});

interface Tracked {
  id: string;
  repo: string;
  stage: string;
}

describe('crash-test suite (local forge)', () => {
  it(`ends every loop ready exactly once across seeded kill -9s (seed ${seed})`, async () => {
    const random = prng(seed);
    const dir = tempDir('looper-crash-suite-');
    const repos = Array.from({ length: repoCount }, (_, i) =>
      makeRepo({ 'README.md': `# sample ${i}\n` }),
    );
    env = await createLooperEnv({
      env: {
        ...testAgentEnv({ dir, delayMs: 20 }),
        LOOPER_DAEMON_MAX_CONCURRENT_LOOPS: '8',
        LOOPER_LOOP_MAX_NEW_PRS_PER_HOUR: '0',
        LOOPER_SCHEDULER_RETRY_BASE_DELAY_SECS: '0.1',
      },
    });
    const looper = env;
    const loops = new Map<string, Tracked>();
    const kills: number[] = [];
    let after = 0;
    const pending = [...batches];

    for (let round = 0; round < 40; round++) {
      const daemon = looper.spawnDaemon();
      await waitForOutput(daemon, /listening on/);
      const batch = pending.shift() ?? 0;
      for (let i = 0; i < batch; i++) {
        const repo = repos[loops.size % repoCount] as string;
        const created = await apiCall<LoopView>(looper, 'POST', '/loops', {
          repo,
          title: `Task ${loops.size + 1}`,
          checks: ['true'],
        });
        expect(created.ok, JSON.stringify(created.error)).toBe(true);
        loops.set(created.data.id, { id: created.data.id, repo, stage: 'queued' });
      }
      // The first 14 rounds (and every round that still adds loops) end in a kill -9 after k more
      // events, k from the seed; the round after that runs to the end.
      const kill = pending.length > 0 || round < 14 ? 20 + Math.floor(random() * 200) : null;
      const morePending = () => pending.length > 0;
      const outcome = await crashRound({ looper, daemon, after, kill, loops, morePending });
      after = outcome.after;
      if (outcome.killed) {
        kills.push(after);
        continue;
      }
      const stopped = once(daemon, 'exit');
      daemon.kill('SIGTERM');
      await stopped;
      break;
    }

    const context = `seed ${seed}, killed after events ${kills.join(', ')}`;
    expect(loops.size, context).toBe(56);
    expect(kills.length, context).toBeGreaterThanOrEqual(4);
    const db = new Database(path.join(looper.home, 'looper.db'), { readonly: true });
    try {
      const rows = db.prepare('select id, stage, branch, number, title from loops').all() as {
        id: string;
        stage: string;
        branch: string;
        number: number;
        title: string;
      }[];
      expect(
        rows.filter((r) => r.stage !== 'ready').map((r) => [r.id, r.stage]),
        context,
      ).toEqual([]);
      for (const row of rows) {
        const repo = loops.get(row.id)?.repo as string;
        const log = git(
          repo,
          'log',
          '--reverse',
          '--format=%s%x1f%(trailers:key=Looper-Effect,valueonly,separator=%x1d)%x1e',
          `main..${row.branch}`,
        )
          .split('\x1e')
          .map((record) => record.trim())
          .filter((record) => record !== '')
          .map((record) => record.split('\x1f'));
        const where = `${row.id} (${context})`;
        expect(
          log.map(([subject]) => subject),
          where,
        ).toEqual([`Add spec for #${row.number}: ${row.title}`, `${row.title} (#${row.number})`]);
        const trailers = log.map(([, trailer]) => trailer?.trim() ?? '');
        expect(new Set(trailers).size, where).toBe(2);
        expect(
          trailers.every((t) => t.startsWith(`${row.id}:`)),
          where,
        ).toBe(true);
      }
      const prs = db
        .prepare(
          'select project_id, head_branch, count(*) as n from forge_prs group by project_id, head_branch',
        )
        .all() as { n: number }[];
      expect(prs.length, context).toBe(56);
      expect(
        prs.every((p) => p.n === 1),
        context,
      ).toBe(true);
      const comments = db
        .prepare(
          "select project_id, number, count(*) as n from forge_comments where key = 'looper:tracking' group by project_id, number",
        )
        .all() as { n: number }[];
      expect(comments.length, context).toBe(56);
      expect(
        comments.every((c) => c.n === 1),
        context,
      ).toBe(true);
      const live = db
        .prepare("select count(*) as n from queue_entries where status in ('queued', 'claimed')")
        .get() as { n: number };
      expect(live.n, context).toBe(0);
      const running = db
        .prepare("select count(*) as n from runs where status = 'running'")
        .get() as {
        n: number;
      };
      expect(running.n, context).toBe(0);
    } finally {
      db.close();
    }
    // No agent of any run is left alive (they run the script in `dir`).
    expect(survivors([], dir)).toEqual([]);
  }, 600_000); // ~30 s alone; minutes when the whole suite shares two cores
});
