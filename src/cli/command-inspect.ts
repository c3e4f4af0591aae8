// `looper inspect <id>`: one loop with its runs. Handler loaded on use.
import type { Command } from 'commander';
import type { CommandHost } from './context.js';

export function registerInspect(program: Command, host: CommandHost): void {
  program
    .command('inspect')
    .description('show a loop with its runs, rounds, reason, branch, PR and cost')
    .argument('<id>', 'a loop id (loop_…) or a run id (run_…, shows its loop)')
    .action(async (id: string) => {
      const { inspectAction } = await import('./loop-actions.js');
      host.setExit(await inspectAction(host, id));
    });
}
