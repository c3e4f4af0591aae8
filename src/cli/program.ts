// The `looper` commander program: global flags, the command files (each lazily loads its handler),
// and the one place that turns commander usage errors and thrown errors into exit codes.

import { Command, CommanderError } from 'commander';
// biome-ignore lint/style/noRestrictedImports: package.json is no src/ folder; esbuild inlines it.
import pkg from '../../package.json' with { type: 'json' };
import { registerConfig } from './command-config.js';
import { registerDaemon } from './command-daemon.js';
import { registerDashboard } from './command-dashboard.js';
import { registerDemo } from './command-demo.js';
import { registerDoctor } from './command-doctor.js';
import { registerInspect } from './command-inspect.js';
import { registerLoop, registerRunRetry } from './command-loop.js';
import { registerProject } from './command-project.js';
import { registerFailures, registerQueue } from './command-queue.js';
import { registerRun } from './command-run.js';
import { registerStatus } from './command-status.js';
import { registerWebhook } from './command-webhook.js';
import { registerWorktree } from './command-worktree.js';
import type { CliIo, CommandHost } from './context.js';
import { createOutput, exitCodes, type Output } from './output.js';

export const version: string = pkg.version;

/** Builds the program; actions report their exit code through `host.setExit`. */
export function createProgram(host: CommandHost): Command {
  const program = new Command('looper')
    .description(
      'Drive looperd, the daemon that runs coding agents through plan → review → implement → check → fix loops.',
    )
    .version(version, '-V, --version', 'print the version')
    .option('--json', 'print one JSON document on stdout (NDJSON when following)')
    .option('--config <file>', 'read this config file (default: $LOOPER_CONFIG, then discovery)')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .exitOverride()
    .hook('preAction', (_program, action) => {
      const { config } = action.optsWithGlobals<{ config?: string }>();
      if (config !== undefined) host.globals.config = config;
    })
    .configureOutput({
      writeOut: (text) => host.out.raw(text),
      writeErr: (text) => host.out.rawError(text),
      // Usage errors are printed once, by runCli, in the output's format (text or JSON).
      outputError: () => undefined,
    })
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  looper run --repo . --title "Fix the off-by-one in pager" --check "npm test" --wait',
        '  looper run https://github.com/acme/app/issues/12',
        '  looper run list',
        '  looper inspect loop_01h…',
        '  looper daemon status',
        '',
        'Environment: LOOPER_HOME (data dir, default ~/.looper), LOOPER_CONFIG, LOOPER_URL,',
        'LOOPER_TOKEN. Exit codes: 0 success, 1 failure, 2 usage error.',
      ].join('\n'),
    );
  registerStatus(program, host);
  registerRun(program, host);
  registerRunRetry(program, host);
  registerLoop(program, host);
  registerInspect(program, host);
  registerFailures(program, host);
  registerQueue(program, host);
  registerDaemon(program, host);
  registerWorktree(program, host);
  registerProject(program, host);
  registerConfig(program, host);
  registerWebhook(program, host);
  registerDoctor(program, host);
  registerDemo(program, host);
  registerDashboard(program, host);
  return program;
}

/** Runs `looper <argv…>` and returns the exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const out = createOutput({ json: wantsJson(argv), stdout: io.stdout, stderr: io.stderr });
  let code: number = exitCodes.success;
  const program = createProgram({
    io,
    out,
    globals: {},
    setExit: (value) => {
      code = value;
    },
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return usageExit(error, program, argv, out);
    return out.error(error);
  }
}

function usageExit(
  error: CommanderError,
  program: Command,
  argv: readonly string[],
  out: Output,
): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
    return exitCodes.success;
  }
  // `looper help run` exits 0; help printed because a subcommand is missing (`looper daemon`)
  // comes with commander's exit code 1, and is a usage error.
  if (error.code === 'commander.help') {
    return error.exitCode === 0 ? exitCodes.success : exitCodes.usage;
  }
  const message = error.message.replace(/^error: /, '');
  const help = `${['looper', ...commandPath(program, argv)].join(' ')} --help`;
  out.error({
    code: 'bad_request',
    message: out.json ? message : `${message}\nsee \`${help}\``,
    exitCode: exitCodes.usage,
  });
  return exitCodes.usage;
}

/** The (sub)command names at the start of argv, for the usage hint. */
function commandPath(program: Command, argv: readonly string[]): string[] {
  const path: string[] = [];
  let current = program;
  for (const arg of argv) {
    if (arg === '--') break;
    if (arg.startsWith('-')) continue;
    const next = current.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (next === undefined) break;
    path.push(arg);
    current = next;
  }
  return path;
}

function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}
