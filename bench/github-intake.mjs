// Benchmark: GitHub intake against the REST emulator. (1) Counted requests per idle watched repo:
// looperd's conditional polls (If-None-Match → free 304s) vs the same GETs made plainly, as a ratio.
// (2) Signed `issues.labeled` webhook sent → agent process started, p50/p99, vs spawning the same
// agent script directly (and a /api/v1/healthz round trip), measured in the same run: deliveries
// that find the write bucket full (a pause of write-burst × write-spacing-ms before each, as when
// webhooks arrive now and then) and deliveries sent back to back (sustained writes stay at 1/s).
// Usage: node scripts/build.mjs && node --import tsx bench/github-intake.mjs [repos] [polls] [hooks]
// (~2 min); BENCH_WRITE_BURST=1 sets [github] write-burst (1 = every write 1 s apart, as before).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { looperLabels } from '../src/forge/index.ts';
import { startGitHubEmulator } from '../test/support/github-emulator/index.ts';
import { ensureLabel } from '../test/support/github-emulator/mutations.ts';
import { createLooperEnv, tempDir, waitForOutput } from '../test/support/looper-harness.ts';

const REPOS = Number(process.argv[2] ?? 5);
const POLLS = Number(process.argv[3] ?? 10);
const HOOKS = Number(process.argv[4] ?? 20);
const TOKEN = 'ghp_benchGitHubToken0123456789abcdef';
const SECRET = 'bench-webhook-secret';
const BOT = 'looper-bot';
const DEFAULT_POLL_SECS = 30;
const EVENTS_ROUTE = 'GET /repos/{owner}/{repo}/issues/events';
// The default [github] write-burst × write-spacing-ms: after this pause the write bucket is full.
const REFILL_MS = 3 * 1000;
const WRITE_BURST = process.env.BENCH_WRITE_BURST;

// The agent: records when it started (wall clock, like the bench), then idles so the loop goes no
// further; it leaves as soon as its parent (looperd or this bench) is gone.
const agentSource = `const t = Date.now();
import fs from 'node:fs';
import path from 'node:path';
const dir = process.env.BENCH_STARTS;
fs.writeFileSync(path.join(dir, (process.env.LOOPER_RUN_ID || 'direct') + '-' + process.pid), String(t));
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) process.exit(0); }, 200);
setTimeout(() => process.exit(1), 120_000);
`;

/** Resolves once `check()` is truthy, checking every 10 ms; throws after `ms`. */
async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const fmt = (ms) => `${ms.toFixed(1)} ms`;

async function startDaemon(gh, repos, pollSecs, dir, starts) {
  const agent = path.join(dir, 'agent.mjs');
  fs.writeFileSync(agent, agentSource);
  const projects = repos.flatMap((repo) => [
    '[[projects]]',
    `repo = "${repo}"`,
    `clone-url = "${gh.cloneUrl(repo)}"`,
    `max-concurrent = ${2 * HOOKS + 5}`,
  ]);
  const env = await createLooperEnv({
    env: {
      LOOPER_AGENT_VENDOR: 'custom',
      LOOPER_VENDORS_CUSTOM_COMMAND: process.execPath,
      LOOPER_VENDORS_CUSTOM_ARGS: JSON.stringify([agent]),
      LOOPER_AGENT_ENV_BENCH_STARTS: starts,
    },
    configToml: [
      '[daemon]',
      `poll-interval-secs = ${pollSecs}`,
      `max-concurrent-loops = ${2 * HOOKS + 5}`,
      'shutdown-grace-secs = 1',
      '[loop]',
      'max-new-prs-per-hour = 0',
      '[github]',
      `api-url = "${gh.url}"`,
      `token = "${TOKEN}"`,
      `webhook-secret = "${SECRET}"`,
      `bot-login = "${BOT}"`,
      ...(WRITE_BURST ? [`write-burst = ${Number(WRITE_BURST)}`] : []),
      ...projects,
      '',
    ].join('\n'),
  });
  const daemon = env.spawnDaemon();
  await waitForOutput(daemon, /listening on/);
  const stop = async () => {
    await env.cleanup();
    fs.rmSync(env.home, { recursive: true, force: true });
  };
  return { env, agent, stop };
}

const gh = await startGitHubEmulator({ tokens: { [TOKEN]: BOT } });
const dir = tempDir('looper-bench-gh-');
const starts = path.join(dir, 'starts');
fs.mkdirSync(starts);
const cleanups = [];
try {
  const repos = Array.from({ length: REPOS }, (_, i) => `acme/app${i}`);
  for (const name of repos) {
    const repo = await gh.createRepo(name, { collaborators: { alice: 'write', [BOT]: 'write' } });
    // Looper's labels exist already (an idle repo Looper has watched before).
    for (const l of looperLabels) ensureLabel(gh.state, repo, l.name, l.color, l.description);
    for (let i = 0; i < 2 * HOOKS; i++)
      gh.createIssue(name, { title: `Issue ${i}`, body: 'Idle.' });
  }

  // 1. Idle repos, poll every second. Warm: every repo's feeds have answered 304 once.
  const polling = await startDaemon(gh, repos, 1, dir, starts);
  cleanups.push(polling.stop);
  await until(
    () =>
      repos.every((r) =>
        gh.requests.some((q) => q.status === 304 && q.path === `/repos/${r}/issues/events`),
      ),
    30_000,
    'warm ETags',
  );
  gh.resetCounts();
  const pollsOf = (r) =>
    gh.requests.filter((q) => q.route === EVENTS_ROUTE && q.path === `/repos/${r}/issues/events`)
      .length;
  await until(() => repos.every((r) => pollsOf(r) >= POLLS), POLLS * 5_000, `${POLLS} polls`);
  const window = gh.requests.slice();
  const measured = { ...gh.counts, byRoute: { ...gh.counts.byRoute } };
  await polling.stop();
  cleanups.pop();
  const polls = Math.min(...repos.map(pollsOf));

  // Baseline: the same GETs, without If-None-Match (each is a counted 200).
  gh.resetCounts();
  for (const q of window.filter((q) => q.method === 'GET')) {
    await fetch(`${gh.url}${q.path}`, { headers: { authorization: `token ${TOKEN}` } }).then((r) =>
      r.arrayBuffer(),
    );
  }
  const plain = gh.counts.counted;
  const perPoll = measured.counted / (REPOS * polls);
  const plainPerPoll = plain / (REPOS * polls);
  const perHour = (x) => (x * 3600) / DEFAULT_POLL_SECS;
  console.log(
    `idle polling: ${REPOS} repos × ${polls} polls, ${window.length} requests, ` +
      `${measured.notModified} answered 304, ${measured.counted} counted ${JSON.stringify(measured.byRoute)}`,
  );
  console.log(
    `  looperd (If-None-Match): ${perPoll.toFixed(2)} counted /repo/poll → ` +
      `${perHour(perPoll).toFixed(1)} /repo/hour at ${DEFAULT_POLL_SECS} s`,
  );
  console.log(
    `  baseline plain GETs:     ${plainPerPoll.toFixed(2)} counted /repo/poll → ` +
      `${perHour(plainPerPoll).toFixed(1)} /repo/hour at ${DEFAULT_POLL_SECS} s`,
  );
  console.log(`  ratio looperd/plain: ${(measured.counted / plain).toFixed(3)}x`);

  // 2. Webhook → agent started, one delivery at a time, each to a different issue of one repo.
  const repo = repos[0];
  const hooks = await startDaemon(gh, [repo], 3600, dir, starts);
  cleanups.push(hooks.stop);
  /** Sends one delivery per issue in `numbers`, waiting `pauseMs` before each. */
  const measureHooks = async (numbers, pauseMs) => {
    const latencies = [];
    const announced = []; // webhook sent → the daemon's `run.started` event (its `at`)
    for (const n of numbers) {
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      gh.addLabel(repo, n, 'looper:plan', 'alice');
      const payload = await gh.webhookPayload({
        repo,
        event: 'issues',
        action: 'labeled',
        number: n,
        label: 'looper:plan',
        sender: 'alice',
      });
      const before = new Set(fs.readdirSync(starts));
      const sent = Date.now();
      const result = await gh.sendWebhook({
        url: `${hooks.env.url}/webhooks/github`,
        secret: SECRET,
        event: 'issues',
        payload,
      });
      const answer = JSON.parse(result.body).data;
      if (result.status !== 202 || !answer.accepted)
        throw new Error(`webhook for #${n} not accepted: ${result.status} ${result.body}`);
      const file = await until(
        () => fs.readdirSync(starts).find((f) => !before.has(f)),
        30_000,
        `agent for #${n}`,
      );
      latencies.push(Number(fs.readFileSync(path.join(starts, file), 'utf8')) - sent);
      const events = await fetch(`${hooks.env.url}/api/v1/events?loop=${answer.loopId}`, {
        headers: { authorization: `Bearer ${hooks.env.token()}` },
      }).then((r) => r.json());
      const started = events.data.find((e) => e.type === 'run.started');
      if (started) announced.push(new Date(started.at).getTime() - sent);
    }
    return { latencies, announced };
  };
  const spaced = await measureHooks(
    Array.from({ length: HOOKS }, (_, i) => i + 1),
    REFILL_MS,
  );
  const burst = await measureHooks(
    Array.from({ length: HOOKS }, (_, i) => HOOKS + i + 1),
    0,
  );
  const health = [];
  for (let i = 0; i < HOOKS; i++) {
    const t = performance.now();
    await fetch(`${hooks.env.url}/api/v1/healthz`).then((r) => r.arrayBuffer());
    health.push(performance.now() - t);
  }
  await hooks.stop();
  cleanups.pop();

  // Baseline: the same agent script spawned directly by this process.
  const direct = [];
  for (let i = 0; i < HOOKS; i++) {
    const before = new Set(fs.readdirSync(starts));
    const sent = Date.now();
    const child = spawn(process.execPath, [hooks.agent], {
      env: { ...process.env, BENCH_STARTS: starts },
      stdio: 'ignore',
    });
    const file = await until(
      () => fs.readdirSync(starts).find((f) => !before.has(f)),
      10_000,
      'direct agent',
    );
    direct.push(Number(fs.readFileSync(path.join(starts, file), 'utf8')) - sent);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  const [d50, d99] = [pct(direct, 50), pct(direct, 99)];
  const [h50, h99] = [pct(health, 50), pct(health, 99)];
  console.log(`webhook → agent started (${HOOKS} issues.labeled each, one at a time):`);
  for (const [name, { latencies, announced }] of [
    [`${REFILL_MS} ms apart`, spaced],
    ['back to back', burst],
  ]) {
    const [l50, l99] = [pct(latencies, 50), pct(latencies, 99)];
    console.log(`  looperd, ${name}: p50 ${fmt(l50)}, p99 ${fmt(l99)}`);
    if (announced.length > 0)
      console.log(
        `    (of which sent → run.started event: p50 ${fmt(pct(announced, 50))}, n=${announced.length})`,
      );
    console.log(
      `    ratio looperd/direct spawn: p50 ${(l50 / d50).toFixed(2)}x (+${fmt(l50 - d50)}), ` +
        `p99 ${(l99 / d99).toFixed(2)}x; looperd/healthz p50 ${(l50 / h50).toFixed(0)}x`,
    );
  }
  console.log(`  baseline direct spawn: p50 ${fmt(d50)}, p99 ${fmt(d99)}`);
  console.log(`  healthz round trip:    p50 ${fmt(h50)}, p99 ${fmt(h99)}`);
  if (gh.violations.length > 0) throw new Error(`emulator violations:\n${gh.violations}`);
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await gh.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
