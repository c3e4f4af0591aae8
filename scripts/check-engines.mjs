// Fails fast when the toolchain or a pinned dependency line would break on this Node (see STYLE.md).
import { readFileSync } from 'node:fs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  console.error(`looper needs Node.js 20 or later; this is ${process.version}`);
  process.exit(1);
}
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const sqlite = pkg.dependencies['better-sqlite3'] ?? '';
if (major < 22 && !/^[~^]?12\./.test(sqlite)) {
  console.error(`better-sqlite3 ${sqlite} needs Node 22; pin 12.x on Node ${major}`);
  process.exit(1);
}
console.log(`engines ok: node ${process.version}, better-sqlite3 ${sqlite}`);
