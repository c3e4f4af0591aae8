// Crash-test suite (issue 5, "Show it"), GitHub emulator: 50 issues labelled `looper:plan` by a
// trusted user (signed webhooks, in batches), 8 loops at a time, no write spacing, and looperd
// `kill -9`ed at seeded points (after k events on the SSE stream) and restarted until every loop has
// ended. Then, from the emulator's side: every loop ready with one PR, one tracking comment, one spec
// and one work commit on its branch, only `looper:done`; the queue empty and no agent left alive.
// Reproduce a failure with LOOPER_CRASH_SEED=<seed printed in the failure>.
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusView } from '../src/api/index.js';
import { looperLabels } from '../src/forge/index.js';
import { survivors } from './support/agent-scripts.js';
import { crashRound } from './support/crash-round.js';
import { type GitHubEmulator, startGitHubEmulator } from './support/github-emulator/index.js';
import { ensureLabel } from './support/github-emulator/mutations.js';
import {
  BOT,
  issueCommentsBy,
  REPO,
  repoFiles,
  SECRET,
  STATE_LABELS,
  stateLabelsOn,
  TOKEN,
} from './support/github-loop-world.js';
import { api, eventually } from './support/loop-events.js';
import {
  createLooperEnv,
  git,
  type LooperEnv,
  tempDir,
  waitForOutput,
} from './support/looper-harness.js';

const seed = Number(process.env.LOOPER_CRASH_SEED ?? 20261125);
const batches = [13, 13, 12, 12];
const total = batches.reduce((a, b) => a + b, 0);

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

/** A fast scripted `custom` agent: the planner writes the spec, the worker changes one file. */
const agentSource = `
import fs from 'node:fs';
import path from 'node:path';
const role = process.env.LOOPER_ROLE ?? '';
const prompt = process.env.LOOPER_PROMPT ?? '';
const emit = (line) => process.stdout.write(JSON.stringify(line) + '\\n');
const finish = (result) => {
  emit({ type: 'usage', inputTokens: 10, outputTokens: 2, cachedTokens: 0, costUsd: 0 });
  emit({ type: 'result', text: 'Done.\\n__LOOPER_RESULT__=' + JSON.stringify(result) });
};
if (role === 'planner') {
  const spec = /^Spec file: (.+)$/m.exec(prompt)?.[1]?.trim();
  fs.mkdirSync(path.dirname(spec), { recursive: true });
  fs.writeFileSync(spec, '# Fix add\\n\\n## Objective\\nadd() must add.\\n');
  finish({ summary: 'Spec.' });
} else if (role === 'worker') {
  fs.writeFileSync('src/math.js', 'export const add = (a, b) => a + b;\\n');
  finish({ summary: 'add() adds.' });
} else if (role === 'plan_reviewer' || role === 'reviewer') {
  finish({ verdict: 'approve', summary: 'Good.', comments: [] });
} else {
  process.exit(2);
}
`;

let env: LooperEnv | undefined;
let gh: GitHubEmulator | undefined;
afterEach(async () => {
  await env?.cleanup();
  await gh?.close();
  env = undefined;
  gh = undefined;
});

interface Tracked {
  id: string;
  number: number;
  stage: string;
}

describe('crash-test suite (GitHub emulator)', () => {
  it(`ends every loop ready exactly once across seeded kill -9s (seed ${seed})`, async () => {
    const random = prng(seed);
    const emulator = await startGitHubEmulator({ tokens: { [TOKEN]: BOT }, rateLimit: 1_000_000 });
    gh = emulator;
    const repo = await emulator.createRepo(REPO, {
      files: repoFiles,
      collaborators: { alice: 'write', [BOT]: 'write' },
    });
    for (const l of looperLabels) ensureLabel(emulator.state, repo, l.name, l.color, l.description);
    const dir = tempDir('looper-crash-gh-');
    const agent = path.join(dir, 'agent.mjs');
    fs.writeFileSync(agent, agentSource);
    env = await createLooperEnv({
      env: {
        LOOPER_AGENT_VENDOR: 'custom',
        LOOPER_VENDORS_CUSTOM_COMMAND: process.execPath,
        LOOPER_VENDORS_CUSTOM_ARGS: JSON.stringify([agent]),
      },
      configToml: [
        '[daemon]',
        'max-concurrent-loops = 8',
        'poll-interval-secs = 3600',
        'shutdown-grace-secs = 1',
        '[scheduler.retry]',
        'base-delay-secs = 0.1',
        '[loop]',
        'max-new-prs-per-hour = 0',
        '[github]',
        `api-url = "${emulator.url}"`,
        `token = "${TOKEN}"`,
        `webhook-secret = "${SECRET}"`,
        `bot-login = "${BOT}"`,
        'write-spacing-ms = 0',
        '[[projects]]',
        `repo = "${REPO}"`,
        `clone-url = "${emulator.cloneUrl(REPO)}"`,
        'checks = ["true"]',
        'max-concurrent = 8',
        '',
      ].join('\n'),
    });
    const looper = env;
    const loops = new Map<string, Tracked>();
    const kills: number[] = [];
    let after = 0;
    const pending = [...batches];

    /** Alice labels a new issue `looper:plan` and GitHub delivers the signed webhook. */
    const admitIssue = async (title: string) => {
      const issue = emulator.createIssue(REPO, { title, body: 'add() subtracts.' });
      emulator.addLabel(REPO, issue.number, 'looper:plan', 'alice');
      const payload = await emulator.webhookPayload({
        repo: REPO,
        event: 'issues',
        action: 'labeled',
        number: issue.number,
        label: 'looper:plan',
        sender: 'alice',
      });
      const result = await emulator.sendWebhook({
        url: `${looper.url}/webhooks/github`,
        secret: SECRET,
        event: 'issues',
        payload,
      });
      const body = JSON.parse(result.body) as { data: { accepted: boolean; loopId?: string } };
      expect(result.status, result.body).toBe(202);
      expect(body.data.accepted, result.body).toBe(true);
      const id = body.data.loopId ?? '';
      loops.set(id, { id, number: issue.number, stage: 'queued' });
    };

    let last: ReturnType<LooperEnv['spawnDaemon']> | undefined;
    for (let round = 0; round < 40; round++) {
      const daemon = looper.spawnDaemon();
      await waitForOutput(daemon, /listening on/);
      const batch = pending.shift() ?? 0;
      for (let i = 0; i < batch; i++) await admitIssue(`Task ${loops.size + 1}`);
      // The first 10 rounds (and every round that still adds loops) end in a kill -9 after k more
      // events, k from the seed; the round after that runs to the end.
      const kill = pending.length > 0 || round < 10 ? 20 + Math.floor(random() * 150) : null;
      const morePending = () => pending.length > 0;
      const outcome = await crashRound({ looper, daemon, after, kill, loops, morePending });
      after = outcome.after;
      if (outcome.killed) {
        kills.push(after);
        continue;
      }
      last = daemon;
      break;
    }

    const context = `seed ${seed}, killed after events ${kills.join(', ')}`;
    expect(loops.size, context).toBe(total);
    expect(kills.length, context).toBeGreaterThanOrEqual(4);
    expect(last, context).toBeDefined();
    // The terminal stage is announced before its last effects (state label, tracking comment):
    // wait until GitHub shows them for every issue, then read the daemon's queue.
    const numbers = [...loops.values()].map((l) => l.number);
    await eventually(
      () =>
        numbers.filter(
          (n) =>
            stateLabelsOn(emulator, n).join() !== 'looper:done' ||
            !issueCommentsBy(emulator, n, BOT).some((c) => c.body.includes('stage: `ready`')),
        ),
      (left) => left.length === 0,
      60_000,
    );
    const status = await api<StatusView>(looper, '/status');
    expect(status.queue, context).toEqual({ queued: 0, claimed: 0 });
    expect(status.runs.running, context).toBe(0);
    if (last) {
      const stopped = once(last, 'exit');
      last.kill('SIGTERM');
      await stopped;
    }

    const db = new Database(path.join(looper.home, 'looper.db'), { readonly: true });
    let rows: { id: string; stage: string; branch: string; number: number; title: string }[];
    try {
      rows = db.prepare('select id, stage, branch, number, title from loops').all() as typeof rows;
    } finally {
      db.close();
    }
    expect(rows.length, context).toBe(total);
    expect(
      rows.filter((r) => r.stage !== 'ready').map((r) => [r.id, r.stage]),
      context,
    ).toEqual([]);
    const pulls = [...emulator.repo(REPO).pulls.values()];
    expect(pulls.length, context).toBe(total);
    const bare = emulator.cloneUrl(REPO);
    for (const row of rows) {
      const where = `${row.id} #${row.number} (${context})`;
      expect(loops.get(row.id)?.number, where).toBe(row.number);
      const log = git(
        bare,
        'log',
        '--reverse',
        '--format=%s%x1f%(trailers:key=Looper-Effect,valueonly,separator=%x1d)%x1e',
        `main..${row.branch}`,
      )
        .split('\x1e')
        .map((record) => record.trim())
        .filter((record) => record !== '')
        .map((record) => record.split('\x1f'));
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
      const own = pulls.filter((p) => p.head === row.branch);
      expect(own.length, where).toBe(1);
      expect(own[0]?.draft, where).toBe(false);
      expect(issueCommentsBy(emulator, row.number, BOT).length, where).toBe(1);
      const labels = emulator.issue(REPO, row.number).labels;
      expect(
        labels.filter((l) => l.startsWith('looper:') && STATE_LABELS.includes(l)),
        where,
      ).toEqual(['looper:done']);
    }
    expect(emulator.violations, context).toEqual([]);
    // No agent of any run is left alive (they run the script in `dir`).
    expect(survivors([], dir)).toEqual([]);
  }, 600_000); // ~2 min alone; longer when the whole suite shares two cores
});
