// `looper project add|list|remove`: the repositories looperd watches. Handlers are loaded on use.
import type { Command } from 'commander';
import type { CommandHost } from './context.js';

export interface ProjectAddOptions {
  path?: string;
  base?: string;
  check?: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerProject(program: Command, host: CommandHost): void {
  const project = program
    .command('project')
    .description('add, list or remove the repositories Looper watches')
    .addHelpText(
      'after',
      [
        '',
        'Projects added here are kept in the database and survive restarts; [[projects]] in the',
        'config are synced at every start and are removed by editing the config.',
        '',
        'Examples:',
        '  looper project add acme/app --check "npm test"',
        '  looper project add acme/app --path ~/src/app   # work from an existing clone',
        '  looper project add ~/src/tool                  # a local repository, no forge',
        '  looper project list',
        '  looper project remove acme/app',
      ].join('\n'),
    );

  project
    .command('add')
    .description('watch a GitHub repository (owner/name) or a local repository (a path)')
    .argument('<repo>', 'owner/name on GitHub, or the path of a local git repository')
    .option(
      '--path <dir>',
      'for owner/name: a local clone to work from (default: Looper clones it)',
    )
    .option('--base <branch>', "base branch (default: GitHub's default branch, or the current one)")
    .option(
      '--check <command>',
      'a check command to run, repeatable (default: detected)',
      collect,
      [],
    )
    .action(async (repo: string, options: ProjectAddOptions) => {
      const { projectAddAction } = await import('./project-actions.js');
      host.setExit(await projectAddAction(host, repo, options));
    });

  project
    .command('list')
    .description('list projects: id, forge, repository or path, base branch, checks, source')
    .action(async () => {
      const { projectListAction } = await import('./project-actions.js');
      host.setExit(await projectListAction(host));
    });

  project
    .command('remove')
    .description('stop watching a project (refused while it has active loops)')
    .argument('<project>', 'a project id (prj_…), owner/name or path')
    .action(async (id: string) => {
      const { projectRemoveAction } = await import('./project-actions.js');
      host.setExit(await projectRemoveAction(host, id));
    });
}
