// `looper loop pause|resume|approve <id>` and `looper run retry <id> [--mode]`: a person's control
// actions on a loop. Handlers are loaded on use.
import { type Command, Option } from 'commander';
import type { CommandHost } from './context.js';

const idArgument = ['<id>', 'a loop id (loop_…) or a run id (run_…, acts on its loop)'] as const;

export function registerLoop(program: Command, host: CommandHost): void {
  const loop = program
    .command('loop')
    .description('pause, resume or approve a loop')
    .addHelpText(
      'after',
      [
        '',
        'A refused action (e.g. resume of a loop that is not paused) exits 1 and names the stage.',
        '',
        'Examples:',
        '  looper loop pause loop_01h…',
        '  looper loop resume loop_01h…',
        '  looper loop approve loop_01h…   # with loop.approval = "label"',
      ].join('\n'),
    );

  loop
    .command('pause')
    .description(
      'hold a loop at its stage; a running agent is stopped and its step re-runs on resume',
    )
    .argument(...idArgument)
    .action(async (id: string) => {
      const { controlAction } = await import('./control-actions.js');
      host.setExit(await controlAction(host, id, 'pause'));
    });

  loop
    .command('resume')
    .description('let a paused loop go on from its stage')
    .argument(...idArgument)
    .action(async (id: string) => {
      const { controlAction } = await import('./control-actions.js');
      host.setExit(await controlAction(host, id, 'resume'));
    });

  loop
    .command('approve')
    .description('approve the plan of a loop at awaiting_approval, so work starts')
    .argument(...idArgument)
    .action(async (id: string) => {
      const { controlAction } = await import('./control-actions.js');
      host.setExit(await controlAction(host, id, 'approve'));
    });
}

/** Adds `retry` to `looper run` (beside list, logs and cancel). */
export function registerRunRetry(program: Command, host: CommandHost): void {
  const run = program.commands.find((command) => command.name() === 'run');
  if (run === undefined) throw new Error('register `looper run` before its retry subcommand');
  run
    .command('retry')
    .description('retry a loop that stopped at needs_human or failed')
    .argument(...idArgument)
    .addOption(
      new Option(
        '--mode <mode>',
        'resume: go on from the stage it stopped at; restart: plan again from scratch',
      )
        .choices(['resume', 'restart'])
        .default('resume'),
    )
    .action(async (id: string, options: { mode: 'resume' | 'restart' }) => {
      const { controlAction } = await import('./control-actions.js');
      host.setExit(await controlAction(host, id, 'retry', options.mode));
    });
}
