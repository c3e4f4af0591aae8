// `looper worktree list|cleanup`: the loops' worktrees with their disk use, and their garbage
// collection. Handlers are loaded on use.
import type { Command } from 'commander';
import type { CommandHost } from './context.js';

export function registerWorktree(program: Command, host: CommandHost): void {
  const worktree = program
    .command('worktree')
    .description("list the loops' worktrees, or remove finished loops' old ones");

  worktree
    .command('list')
    .description('list worktrees: loop, stage, dirty, disk use, branch and path')
    .action(async () => {
      const { worktreeListAction } = await import('./worktree-actions.js');
      host.setExit(await worktreeListAction(host));
    });

  worktree
    .command('cleanup')
    .description(
      'remove the worktrees of loops that ended more than worktrees.retention-hours ago; dirty ones are kept',
    )
    .option('--force', 'also remove worktrees with uncommitted changes')
    .action(async (options: { force?: boolean }) => {
      const { worktreeCleanupAction } = await import('./worktree-actions.js');
      host.setExit(await worktreeCleanupAction(host, options.force === true));
    });
}
