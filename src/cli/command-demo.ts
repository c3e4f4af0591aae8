// `looper demo`: the end-to-end demo on a sample repository. Handler loaded on use.
import type { Command } from 'commander';
import type { CommandHost } from './context.js';

export function registerDemo(program: Command, host: CommandHost): void {
  program
    .command('demo')
    .description(
      'run a whole issue loop on a sample repository with a real bug (bundled demo agent by default)',
    )
    .option('--vendor <name>', 'use a real, logged-in agent CLI instead (e.g. claude-code)')
    .option('--keep', 'keep the sample repository and data dir afterwards')
    .action(async (options: { vendor?: string; keep?: boolean }) => {
      const { runDemo } = await import('./demo-action.js');
      host.setExit(await runDemo(host, { vendor: options.vendor, keep: options.keep === true }));
    });
}
