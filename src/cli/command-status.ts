// `looper status`: the daemon's status (starting one if none runs). Handler loaded on use.
import type { Command } from 'commander';
import type { CommandHost } from './context.js';

export function registerStatus(program: Command, host: CommandHost): void {
  program
    .command('status')
    .description('show the daemon status (starts looperd if none is running)')
    .action(async () => {
      const { statusAction } = await import('./status-action.js');
      host.setExit(await statusAction(host));
    });
}
