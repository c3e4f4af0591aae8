// `looper demo`: creates a sample repository with a real bug, starts a private daemon in this process
// (temp data dir, SQLite, local forge, free port), runs the whole issue loop on it with the bundled
// DEMO AGENT (or a real vendor CLI), prints each stage as it happens and the final diff.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoopView } from '../api/index.js';
import { isVendorName, LooperError } from '../domain/index.js';
import { ApiClient } from './client.js';
import type { CommandContext } from './context.js';
import { followLoop } from './follow.js';
import { describeEvent, formatCost, formatElapsed } from './format.js';
import { exitCodes } from './output.js';

export interface DemoOptions {
  vendor?: string;
  keep: boolean;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function runDemo(ctx: CommandContext, options: DemoOptions): Promise<number> {
  const vendor = options.vendor ?? 'custom';
  if (!isVendorName(vendor)) throw new LooperError('bad_request', `unknown vendor ${vendor}`);
  const [{ loadConfig }, { startDaemon }, { createSampleRepo, sampleIssue }] = await Promise.all([
    import('../config/index.js'),
    import('../daemon/index.js'),
    import('../demo/index.js'),
  ]);
  const root = mkdtempSync(join(tmpdir(), 'looper-demo-'));
  const repo = createSampleRepo(join(root, 'cart-demo'));
  const dataDir = join(root, 'data');
  const xdg = join(root, 'xdg');
  mkdirSync(xdg, { recursive: true });
  // A private, hermetic installation: the user's own config and data dir are not touched.
  const env = {
    ...ctx.io.env,
    LOOPER_HOME: dataDir,
    XDG_CONFIG_HOME: xdg,
    LOOPER_CONFIG: undefined,
  };
  const demoAgent = fileURLToPath(new URL('./demo-agent.js', ctx.io.daemonEntry));
  const loaded = loadConfig({
    env,
    overrides: {
      server: { port: 0 },
      agent: { vendor },
      vendors: { custom: { command: ctx.io.execPath, args: [demoAgent] } },
    },
  });
  const out = ctx.out;
  out.info(
    `looper demo: sample repository ${repo} (a cart library with two bugs; \`npm test\` fails)`,
  );
  out.info(
    vendor === 'custom'
      ? 'looper demo: agent = the bundled DEMO AGENT (deterministic, no AI)'
      : `looper demo: agent = ${vendor}`,
  );
  const daemon = await startDaemon({ loaded, env, onShutdownRequest: () => undefined });
  out.info(`looper demo: private looperd on ${daemon.url}, SQLite in ${dataDir}`);
  try {
    const client = new ApiClient({ baseUrl: daemon.url, token: async () => daemon.token });
    const created = await client.createLoop({
      repo,
      title: sampleIssue.title,
      body: sampleIssue.body,
      vendor,
    });
    const started = ctx.io.clock.now();
    out.info(`looper demo: issue #${created.number} "${created.title}" → loop ${created.id}`);
    const final = await followLoop({
      client,
      loopId: created.id,
      onEvent: (event) => {
        const line = describeEvent(event);
        if (line !== undefined) out.info(`${formatElapsed(ctx.io.clock.now() - started)} ${line}`);
      },
    });
    report(ctx, final, repo);
    return final.stage === 'ready' ? exitCodes.success : exitCodes.failure;
  } finally {
    await daemon.stop(5_000);
    if (options.keep) out.info(`looper demo: kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

function report(ctx: CommandContext, loop: LoopView, repo: string): void {
  const branch = loop.branch ?? 'HEAD';
  const diff = git(repo, 'diff', `main...${branch}`, '--', 'src');
  const log = git(repo, 'log', '--format=%h %an: %s', `main..${branch}`);
  ctx.out.result({ ...loop, diff }, () =>
    [
      '',
      `Loop ${loop.id} ended ${loop.stage}${loop.reason ? `: ${loop.reason}` : ''}`,
      `Branch ${branch} (${loop.runs?.length ?? 0} agent runs, ${(loop.runs ?? []).filter((r) => r.role === 'fixer').length} fixer round(s), ${formatCost(loop.cost_usd)})`,
      '',
      'Commits by Looper:',
      log.trimEnd(),
      '',
      'The fix (git diff main...branch -- src):',
      diff.trimEnd(),
    ].join('\n'),
  );
}
