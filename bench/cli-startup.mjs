// Benchmark: `looper --version` against `node -e 0` in the same run, as a ratio (machines are noisy).
// Usage: npm run build && node bench/cli-startup.mjs [runs]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 30);
const cli = fileURLToPath(new URL('../dist/looper.js', import.meta.url));

function timeOnce(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// Interleave the two commands so drift in machine load hits both alike.
const base = [];
const looper = [];
timeOnce(['-e', '0']);
timeOnce([cli, '--version']);
for (let i = 0; i < runs; i++) {
  base.push(timeOnce(['-e', '0']));
  looper.push(timeOnce([cli, '--version']));
}
const b = median(base);
const l = median(looper);
console.log(`node -e 0:         median ${b.toFixed(1)} ms over ${runs} runs`);
console.log(`looper --version:  median ${l.toFixed(1)} ms over ${runs} runs`);
console.log(`ratio looper/node: ${(l / b).toFixed(2)}x (overhead ${(l - b).toFixed(1)} ms)`);
