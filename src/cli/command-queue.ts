// `looper queue list|clear` and `looper failures`: the work waiting to be claimed, and the loops that
// stopped for a person. Handlers are loaded on use.
import { type Command, Option } from 'commander';
import type { CommandHost } from './context.js';

const queueOption = () =>
  new Option('--queue <queue>', 'only this queue').choices(['manual', 'planned', 'auto']);

export function registerQueue(program: Command, host: CommandHost): void {
  const queue = program
    .command('queue')
    .description('list the work waiting for a free slot, or clear it')
    .addHelpText(
      'after',
      [
        '',
        'Entries are claimed manual > planned > auto, then first in, first out. A claimed entry is',
        'a running loop: stop it with `looper run cancel <loop>`.',
        '',
        'Examples:',
        '  looper queue list',
        '  looper queue list --queue auto --json',
        '  looper queue clear --queue auto --yes',
      ].join('\n'),
    );

  queue
    .command('list')
    .description(
      'list queue entries in claim order: loop, queue, state (queued, or claimed by a node), stage',
    )
    .addOption(queueOption())
    .action(async (options: { queue?: 'manual' | 'planned' | 'auto' }) => {
      const { queueListAction } = await import('./queue-actions.js');
      host.setExit(await queueListAction(host, options));
    });

  queue
    .command('clear')
    .description(
      'remove every waiting entry and cancel its loop; asks first on a terminal unless --yes',
    )
    .addOption(queueOption())
    .option('-y, --yes', 'do not ask (needed when stdin is not a terminal)')
    .addHelpText(
      'after',
      [
        '',
        'Each removed entry\'s loop ends cancelled ("removed from the queue by <you>") and stays so',
        'after a restart. Claimed entries (running loops) are left alone. Without --yes and without',
        'a terminal to ask on, exits 2; answering no exits 1 and removes nothing.',
        '',
        'Examples:',
        '  looper queue clear',
        '  looper queue clear --queue auto --yes --json',
      ].join('\n'),
    )
    .action(async (options: { queue?: 'manual' | 'planned' | 'auto'; yes?: boolean }) => {
      const { queueClearAction } = await import('./queue-actions.js');
      host.setExit(await queueClearAction(host, { ...options, yes: options.yes === true }));
    });
}

export function registerFailures(program: Command, host: CommandHost): void {
  program
    .command('failures')
    .description('loops that ended needs_human or failed, newest first, with why and what next')
    .option('--limit <n>', 'show at most this many (1-500)', '20')
    .addHelpText(
      'after',
      [
        '',
        'Each shows its project and issue, the stage it stopped at, the reason, the failure class',
        'of its last failed step, and the commands to look closer or go on. Exit 0 even when there',
        'are failures (a script tests `looper --json failures | jq length`).',
        '',
        'Examples:',
        '  looper failures',
        '  looper failures --limit 5 --json',
      ].join('\n'),
    )
    .action(async (options: { limit: string }) => {
      const { failuresAction } = await import('./failures-action.js');
      host.setExit(await failuresAction(host, options));
    });
}
