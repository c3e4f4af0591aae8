// `looper project add|list|remove` through the API (`/projects`).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CreateProjectRequest, ProjectRemovedView, ProjectView } from '../api/index.js';
import { LooperError } from '../domain/index.js';
import type { ApiClient } from './client.js';
import type { ProjectAddOptions } from './command-project.js';
import type { CommandContext } from './context.js';
import { connect } from './daemon-process.js';
import { exitCodes, formatTable } from './output.js';

// GitHub owners are letters, digits and hyphens: `./tool` and `../x` are paths.
const ownerName = /^[A-Za-z0-9][A-Za-z0-9-]*\/[\w.-]+$/;

/** `owner/name` (that is no local directory) is a GitHub repository; anything else a path. */
export function projectRequest(
  target: string,
  options: ProjectAddOptions,
  cwd: string,
): CreateProjectRequest {
  const isRepo = ownerName.test(target) && !existsSync(resolve(cwd, target));
  if (!isRepo && options.path !== undefined) {
    throw new LooperError(
      'bad_request',
      '--path goes with owner/name (a clone of that repository)',
    );
  }
  const request: CreateProjectRequest = isRepo ? { repo: target } : { path: resolve(cwd, target) };
  if (options.path !== undefined) request.path = resolve(cwd, options.path);
  if (options.base !== undefined) request.base_branch = options.base;
  if (options.check !== undefined && options.check.length > 0) request.checks = options.check;
  return request;
}

export function projectTable(projects: readonly ProjectView[]): string {
  if (projects.length === 0) return 'no projects (add one with `looper project add owner/name`)';
  const rows = projects.map((p) => [
    p.id,
    p.forge,
    p.repo ?? p.path ?? '',
    p.base_branch,
    p.checks.length === 0 ? '(detected)' : p.checks.join('; '),
    p.source,
    String(p.active_loops),
  ]);
  return formatTable(['ID', 'FORGE', 'REPOSITORY', 'BASE', 'CHECKS', 'SOURCE', 'ACTIVE'], rows, [
    'left',
    'left',
    'left',
    'left',
    'left',
    'left',
    'right',
  ]);
}

function describe(project: ProjectView): string {
  const where = project.repo ?? project.path ?? project.name;
  const clone = project.repo !== null && project.path !== null ? `, clone ${project.path}` : '';
  return `${project.id} ${where} (${project.forge}, base ${project.base_branch}${clone})`;
}

/** The id of a project named by id, `owner/name` or path. */
export async function projectIdFor(client: ApiClient, name: string, cwd: string): Promise<string> {
  if (name.startsWith('prj_')) return name;
  const projects = await client.get<ProjectView[]>('/projects');
  const lower = name.toLowerCase();
  const path = resolve(cwd, name);
  const found = projects.find((p) => p.repo?.toLowerCase() === lower || p.path === path);
  if (found) return found.id;
  throw new LooperError('not_found', `no project ${name} (see \`looper project list\`)`);
}

export async function projectAddAction(
  ctx: CommandContext,
  target: string,
  options: ProjectAddOptions,
): Promise<number> {
  const request = projectRequest(target, options, ctx.io.cwd);
  const { client } = await connect(ctx, { autostart: true });
  const project = await client.post<ProjectView>('/projects', request);
  ctx.out.result(project, () => `added ${describe(project)}`);
  if (project.forge === 'github') {
    ctx.out.progress(
      `label an issue looper:plan, or run \`looper run <issue-url>\`; for instant reaction: \`looper webhook enable --repo ${project.repo}\``,
    );
  }
  return exitCodes.success;
}

export async function projectListAction(ctx: CommandContext): Promise<number> {
  const { client } = await connect(ctx, { autostart: false });
  const projects = await client.get<ProjectView[]>('/projects');
  ctx.out.result(projects, () => projectTable(projects));
  return exitCodes.success;
}

export async function projectRemoveAction(ctx: CommandContext, name: string): Promise<number> {
  const { client } = await connect(ctx, { autostart: false });
  const id = await projectIdFor(client, name, ctx.io.cwd);
  const removed = await client.delete<ProjectRemovedView>(`/projects/${encodeURIComponent(id)}`);
  ctx.out.result(removed, () => {
    const lines = [`removed ${describe(removed.project)}`];
    if (removed.loops_removed > 0) lines.push(`  with ${removed.loops_removed} finished loop(s)`);
    for (const path of removed.worktrees_kept) lines.push(`  kept worktree ${path}`);
    return lines.join('\n');
  });
  return exitCodes.success;
}
