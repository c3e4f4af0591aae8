// `looper daemon start|stop|status`: manage the local looperd. Handlers loaded on use.
import type { Command } from 'commander';
import type { CommandHost } from './context.js';

export function registerDaemon(program: Command, host: CommandHost): void {
  const daemon = program
    .command('daemon')
    .description('start, stop or check the local looperd')
    .addHelpText(
      'after',
      '\nlooperd logs to <data dir>/logs/daemon.log. `daemon status` exits 1 when none is running.',
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
    .command('status')
    .description('say whether looperd is running, with its pid, URL and data dir')
    .action(async () => {
      const { daemonStatus } = await import('./daemon-actions.js');
      host.setExit(await daemonStatus(host));
    });
}
