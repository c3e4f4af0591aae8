// `looper doctor`: what Looper needs, checked without a daemon. Handler loaded on use.
import type { Command } from 'commander';
import type { CommandHost } from './context.js';

export function registerDoctor(program: Command, host: CommandHost): void {
  program
    .command('doctor')
    .description('check git, the config, the database, the daemon, GitHub and the agent CLIs')
    .addHelpText(
      'after',
      [
        '',
        'One line per check: ok|warn|fail, the check, the detail. Exit 0 unless something the',
        'config needs failed. GitHub is checked when a GitHub project is configured (the token is',
        'never shown: only where it came from).',
      ].join('\n'),
    )
    .action(async () => {
      const { doctorAction } = await import('./doctor-action.js');
      host.setExit(await doctorAction(host));
    });
}
