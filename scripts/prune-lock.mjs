// Keeps `npm ci` working when an optional platform package a dependency lists is not on the
// registry (opencode-ai lists builds for every OS; this registry has only linux-x64 ones): npm
// install leaves them out of the lock but keeps the edges, and `npm ci` then refuses the lock.
// Run after `npm install`: node scripts/prune-lock.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const present = new Set(Object.keys(lock.packages).map((key) => key.split('node_modules/').pop()));
let pruned = 0;
for (const entry of Object.values(lock.packages)) {
  for (const name of Object.keys(entry.optionalDependencies ?? {})) {
    if (present.has(name)) continue;
    delete entry.optionalDependencies[name];
    pruned++;
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`pruned ${pruned} optional dependencies missing from the lock`);
