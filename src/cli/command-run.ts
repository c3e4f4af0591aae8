// `looper run` (start a loop) and `looper run list|logs|cancel`. Handlers are loaded on use so that
// `looper --help` parses this file and nothing else.
import { type Command, Option } from 'commander';
import type { CommandHost } from './context.js';

export interface RunOptions {
  /** `looper run <issue-url>`: start the loop of that issue (no repo, title, body or base). */
  issueUrl?: string;
  repo?: string;
  title?: string;
  body?: string;
  bodyFile?: string;
  vendor?: string;
  model?: string;
  check?: string[];
  base?: string;
  wait?: boolean;
}

export interface RunListOptions {
  stage?: string;
  active?: boolean;
  limit?: string;
  all?: boolean;
}

/** Shown in `looper run --help`; a test checks it against the domain's vendor list. */
export const vendorHelp = 'claude-code, codex, opencode, cursor, gemini, custom';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerRun(program: Command, host: CommandHost): void {
  const run = program
    .command('run')
    .description('start a loop on a repository (or list, follow and cancel loops)')
    .argument(
      '[issue-url]',
      'an issue of a known GitHub project (https://github.com/owner/name/issues/N): starts its loop',
    )
    .option('--repo <path>', 'the repository: a local path, or owner/name of a configured project')
    .option('--title <text>', 'the issue title: what the agents should do')
    .option('--body <text>', 'the issue body: details, context, acceptance criteria')
    .addOption(
      new Option(
        '--body-file <file>',
        'read the issue body from a file ("-" reads stdin)',
      ).conflicts('body'),
    )
    .option('--vendor <name>', `agent CLI for every role (${vendorHelp})`)
    .option('--model <name>', "model for the vendor (default: the vendor's own)")
    .option(
      '--check <command>',
      'a check command to run, repeatable (default: detected)',
      collect,
      [],
    )
    .option(
      '--base <branch>',
      'base branch, when Looper first sees the repository (default: its current branch)',
    )
    .option('--wait', 'follow the loop live; exit 0 only if it ends ready or merged')
    .addHelpText(
      'after',
      [
        '',
        'Starts looperd in the background when none is running. Prints the loop id, or with',
        '--json the loop; with --wait --json, the final loop.',
        '',
        'Examples:',
        '  looper run https://github.com/acme/app/issues/12 --wait',
        '  looper run --repo ~/src/pager --title "Fix the off-by-one in next()" \\',
        '      --body-file issue.md --check "npm test" --check "npm run lint" --wait',
        '  echo "Details…" | looper run --repo . --title "Add --dry-run" --body-file -',
        '  looper run list --active',
        '  looper run logs loop_01h… -f',
      ].join('\n'),
    )
    .action(async (issueUrl: string | undefined, options: RunOptions, command: Command) => {
      if (issueUrl !== undefined) {
        if (!/^https?:\/\//i.test(issueUrl)) {
          const names = command.commands.map((sub) => sub.name()).join(', ');
          command.error(
            `'${issueUrl}' is not a subcommand of 'run' (${names}), nor an issue URL (https://github.com/owner/name/issues/N)`,
          );
        }
        const clash = (['repo', 'title', 'body', 'bodyFile', 'base'] as const).find(
          (key) => options[key] !== undefined,
        );
        if (clash !== undefined) {
          const flag = clash === 'bodyFile' ? 'body-file' : clash;
          command.error(`--${flag} does not go with an issue URL: the issue says what to do`);
        }
        const { runStart } = await import('./run-start-action.js');
        host.setExit(await runStart(host, { ...options, issueUrl }));
        return;
      }
      if (options.repo === undefined)
        command.error("required option '--repo <path>' not specified");
      if (options.title === undefined) {
        command.error("required option '--title <text>' not specified");
      }
      const { runStart } = await import('./run-start-action.js');
      host.setExit(await runStart(host, options));
    });

  run
    .command('list')
    .description('list loops, newest first (default: the newest 50)')
    .option('--stage <stage>', 'only loops at this stage (e.g. fixing, needs_human)')
    .option('--active', 'only loops that have not ended')
    .option('--limit <n>', 'how many loops to show (1-500)', '50')
    .option('--all', 'show up to 500 loops (the most the daemon returns)')
    .action(async (options: RunListOptions) => {
      const { listAction } = await import('./loop-actions.js');
      host.setExit(await listAction(host, options));
    });

  run
    .command('logs')
    .description('print agent logs: one run (run_…) or every run of a loop (loop_…) in order')
    .argument('<id>', 'a run id or a loop id')
    .option('-f, --follow', 'follow the latest run live until it ends')
    .action(async (id: string, options: { follow?: boolean }) => {
      const { logsAction } = await import('./run-logs-action.js');
      host.setExit(await logsAction(host, id, options.follow === true));
    });

  run
    .command('cancel')
    .description('cancel a loop (a run id cancels its loop)')
    .argument('<id>', 'a loop id or a run id')
    .action(async (id: string) => {
      const { cancelAction } = await import('./loop-actions.js');
      host.setExit(await cancelAction(host, id));
    });
}
