// `looper config path|view|get|set|validate`: the configuration file, read and changed in this
// process (no daemon needed). Handlers are loaded on use.
import type { Command } from 'commander';
import type { CommandHost } from './context.js';

export function registerConfig(program: Command, host: CommandHost): void {
  const config = program
    .command('config')
    .description('show, check and change the configuration file (no daemon needed)')
    .addHelpText(
      'after',
      [
        '',
        'Keys are dotted, as in the file: loop.max-fix-rounds, roles.reviewer.vendor,',
        'vendors.claude-code.args, agent.env.NAME, projects[0].repo. looperd reads its config once,',
        'at start: restart it to apply a change. Exit codes: 0 success, 1 invalid config or unset',
        'key (get), 2 unknown key or a value that does not fit.',
      ].join('\n'),
    );

  config
    .command('path')
    .description(
      'print the config file in use (discovery order), or where `config set` creates one',
    )
    .action(async () => {
      const { configPathAction } = await import('./config-actions.js');
      host.setExit(await configPathAction(host));
    });

  config
    .command('view')
    .description('print the effective configuration (defaults, file, env), secrets masked')
    .option('--sources', 'show where each value comes from: default, file or a LOOPER_… variable')
    .action(async (options: { sources?: boolean }) => {
      const { configViewAction } = await import('./config-actions.js');
      host.setExit(await configViewAction(host, options.sources === true));
    });

  config
    .command('get')
    .description('print the effective value of one key (masked if secret)')
    .argument('<key>', 'dotted key, e.g. loop.max-fix-rounds')
    .action(async (key: string) => {
      const { configGetAction } = await import('./config-actions.js');
      host.setExit(await configGetAction(host, key));
    });

  config
    .command('set')
    .description('change one key in the config file; the whole result is validated before writing')
    .argument('<key>', 'dotted key, e.g. loop.max-fix-rounds')
    .argument(
      '<value>',
      "read as the key's type: number, boolean, list (JSON or a,b,c), table (JSON), text; " +
        "'-' reads it from stdin (keeps a secret out of shell history)",
    )
    .action(async (key: string, value: string) => {
      const { configSetAction } = await import('./config-actions.js');
      host.setExit(await configSetAction(host, key, value));
    });

  config
    .command('validate')
    .description('check a config file; exit 1 listing every problem (file, key, reason)')
    .argument('[file]', 'the file to check (default: the one in use, with the LOOPER_… variables)')
    .action(async (file: string | undefined) => {
      const { configValidateAction } = await import('./config-actions.js');
      host.setExit(await configValidateAction(host, file));
    });
}
