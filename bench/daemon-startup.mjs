// Benchmark: looperd start-up (spawn → /api/v1/healthz answers) and resident memory, against a bare
// node:http server started the same way in the same run, as ratios (machines are noisy).
// Usage: npm run build && node bench/daemon-startup.mjs [runs]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 10);
const looperd = fileURLToPath(new URL('../dist/looperd.js', import.meta.url));
const bare = `require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')`;

async function freePort() {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

function rssKb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

async function measure(args, path, env) {
  const port = await freePort();
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, PORT: String(port), LOOPER_SERVER_PORT: String(port) },
    stdio: 'ignore',
  });
  // Readiness poll of the server under test: this is what is being measured.
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      if (res.ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const kb = rssKb(child.pid);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return { ms, kb };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = [];
const daemon = [];
for (let i = 0; i < runs; i++) {
  base.push(await measure(['-e', bare], '/', {}));
  const home = mkdtempSync(join(tmpdir(), 'looper-bench-'));
  daemon.push(
    await measure([looperd], '/api/v1/healthz', { LOOPER_HOME: home, XDG_CONFIG_HOME: home }),
  );
  rmSync(home, { recursive: true, force: true });
}
const bms = median(base.map((r) => r.ms));
const dms = median(daemon.map((r) => r.ms));
const bkb = median(base.map((r) => r.kb));
const dkb = median(daemon.map((r) => r.kb));
console.log(
  `bare node:http   ready in ${bms.toFixed(0)} ms, RSS ${(bkb / 1024).toFixed(1)} MiB (median of ${runs})`,
);
console.log(
  `looperd          ready in ${dms.toFixed(0)} ms, RSS ${(dkb / 1024).toFixed(1)} MiB (fresh data dir: migrations run)`,
);
console.log(
  `ratio looperd/bare: start ${(dms / bms).toFixed(2)}x, memory ${(dkb / bkb).toFixed(2)}x`,
);
