// Bundles the two bins with esbuild so the CLI starts fast (no module graph walk at run time).
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const banner = {
  js: [
    '#!/usr/bin/env node',
    "import { createRequire as __looperCreateRequire } from 'node:module';",
    'const require = __looperCreateRequire(import.meta.url);',
  ].join('\n'),
};

await build({
  entryPoints: {
    looper: 'src/cli/main.ts',
    looperd: 'src/daemon/main.ts',
    'demo-agent': 'src/demo/demo-agent.ts',
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  banner,
  chunkNames: 'chunks/[name]-[hash]',
  external: ['better-sqlite3'],
  logLevel: 'warning',
  define: { __LOOPER_VERSION__: JSON.stringify(pkg.version) },
});

// The dashboard's browser script, served by looperd at /dashboard/app.js.
await build({
  entryPoints: ['src/dashboard/client/main.ts'],
  outfile: 'dist/dashboard.js',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  logLevel: 'warning',
});
