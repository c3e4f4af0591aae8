// `looper worktree list` and `looper worktree cleanup [--force]` through the API.
import type { WorktreeCleanupView, WorktreeView } from '../api/index.js';
import type { CommandContext } from './context.js';
import { connect } from './daemon-process.js';
import { exitCodes, formatTable } from './output.js';

/** `1.2 MiB`, `830 KiB`, `512 B`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function worktreeTable(worktrees: readonly WorktreeView[]): string {
  if (worktrees.length === 0) return 'no worktrees';
  const rows = worktrees.map((w) => [
    w.loop_id,
    w.stage ?? '?',
    w.dirty === null ? '?' : w.dirty ? 'dirty' : 'clean',
    formatBytes(w.disk_bytes),
    w.branch,
    w.path,
  ]);
  const total = worktrees.reduce((sum, w) => sum + w.disk_bytes, 0);
  const table = formatTable(['LOOP', 'STAGE', 'STATE', 'DISK', 'BRANCH', 'PATH'], rows, [
    'left',
    'left',
    'left',
    'right',
  ]);
  return `${table}\n\n${worktrees.length} worktree(s), ${formatBytes(total)}`;
}

export function cleanupSummary(report: WorktreeCleanupView): string {
  const lines = report.removed.map(
    (r) => `removed  ${r.loop_id}  ${formatBytes(r.disk_bytes)}  ${r.path}`,
  );
  for (const k of report.kept) lines.push(`kept     ${k.loop_id}  ${k.reason}: ${k.message}`);
  const freed = report.removed.reduce((sum, r) => sum + r.disk_bytes, 0);
  lines.push(
    `${report.removed.length} removed (${formatBytes(freed)} freed), ${report.kept.length} kept; retention ${report.retention_hours} h`,
  );
  return lines.join('\n');
}

export async function worktreeListAction(ctx: CommandContext): Promise<number> {
  const { client } = await connect(ctx, { autostart: false });
  const worktrees = await client.get<WorktreeView[]>('/worktrees');
  ctx.out.result(worktrees, () => worktreeTable(worktrees));
  return exitCodes.success;
}

export async function worktreeCleanupAction(ctx: CommandContext, force: boolean): Promise<number> {
  const { client } = await connect(ctx, { autostart: false });
  const report = await client.post<WorktreeCleanupView>('/worktrees/cleanup', { force });
  ctx.out.result(report, () => cleanupSummary(report));
  return exitCodes.success;
}
