// `looper daemon start|stop|restart|status|logs|install|uninstall`: manage the local looperd.
// Handlers loaded on use.
import type { Command } from 'commander';
import type { CommandHost } from './context.js';

export function registerDaemon(program: Command, host: CommandHost): void {
  const daemon = program
    .command('daemon')
    .description(
      'start, stop, restart or check the local looperd; read its log; run it as a service',
    )
    .addHelpText(
      'after',
      [
        '',
        'looperd logs to <data dir>/logs/looperd.log (structured) and writes its own output to',
        '<data dir>/logs/daemon.log. `daemon status` exits 1 when none is running.',
      ].join('\n'),
    );
  daemon
    .command('start')
    .description('start looperd in the background (does nothing if one already answers)')
    .action(async () => {
      const { daemonStart } = await import('./daemon-actions.js');
      host.setExit(await daemonStart(host));
    });
  daemon
    .command('stop')
    .description('ask looperd to shut down and wait until it has stopped')
    .action(async () => {
      const { daemonStop } = await import('./daemon-actions.js');
      host.setExit(await daemonStop(host));
    });
  daemon
    .command('restart')
    .description('stop looperd (waiting until it has let go of the data dir), then start it')
    .action(async () => {
      const { daemonRestart } = await import('./daemon-actions.js');
      host.setExit(await daemonRestart(host));
    });
  daemon
    .command('status')
    .description('say whether looperd is running, with its pid, URL and data dir')
    .action(async () => {
      const { daemonStatus } = await import('./daemon-actions.js');
      host.setExit(await daemonStatus(host));
    });
  daemon
    .command('logs')
    .description("print the end of looperd's log (readable lines; as stored with --json)")
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('-n, --lines <n>', 'how many lines to print first', '50')
    .option('--output', "read daemon.log (looperd's own stdout and stderr) instead")
    .action(async (options: { follow?: boolean; lines?: string; output?: boolean }) => {
      const { daemonLogs } = await import('./daemon-logs.js');
      host.setExit(await daemonLogs(host, options));
    });
  daemon
    .command('install')
    .description(
      'run looperd at login: a systemd user unit (Linux) or a launchd agent (macOS), started now',
    )
    .option('--print', 'show the unit file and change nothing')
    .action(async (options: { print?: boolean }) => {
      const { daemonInstall } = await import('./daemon-install.js');
      host.setExit(await daemonInstall(host, options));
    });
  daemon
    .command('uninstall')
    .description('stop the looperd service and remove its unit file')
    .option('--print', 'show what would be removed and change nothing')
    .action(async (options: { print?: boolean }) => {
      const { daemonUninstall } = await import('./daemon-install.js');
      host.setExit(await daemonUninstall(host, options));
    });
}
