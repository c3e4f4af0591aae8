// `looper dashboard`: where the daemon's web dashboard is (starting looperd if none runs); `--open`
// opens it in the browser with the API token in the URL fragment, for this tab only.
import type { Command } from 'commander';
import type { CommandHost } from './context.js';

export function registerDashboard(program: Command, host: CommandHost): void {
  program
    .command('dashboard')
    .description('print the web dashboard URL (starts looperd if none is running)')
    .option('--open', 'open it in the default browser, passing the API token to that tab')
    .addHelpText(
      'after',
      [
        '',
        'The dashboard lists loops live, with their runs, events and logs. Reading needs no token',
        'on 127.0.0.1; pause/resume/cancel/retry/approve do: --open hands the token to the browser',
        'in the URL fragment (never sent to a server, dropped from the address bar at once), or',
        'paste it from <data dir>/token into the page.',
      ].join('\n'),
    )
    .action(async (options: { open?: boolean }) => {
      const { dashboardAction } = await import('./dashboard-action.js');
      host.setExit(await dashboardAction(host, { open: options.open === true }));
    });
}
