// `POST /loops` with `issue_url` (`looper run <issue-url>`): the issue of a known GitHub project,
// read through the gateway, starts its loop as a trusted `looper:plan` label would, on the manual
// queue; an issue that already has an active loop is refused (409).
import type { CreateLoopRequest } from '../api/index.js';
import type { Config } from '../config/index.js';
import { LooperError, parseIssueUrl, webHostOfApi } from '../domain/index.js';
import type { ForgeIssue, GitHubForge } from '../forge/index.js';
import type { EventSink, LoopRunner } from '../runner/index.js';
import type { Scheduler } from '../scheduler/index.js';
import type { LoopRecord, ProjectRecord, Store } from '../store/index.js';
import { findByRepo, invalid, noGitHubToken } from './project-lookup.js';

export interface IssueLoopDeps {
  store: Store;
  github: GitHubForge | null;
  config: Config;
  events: EventSink;
  scheduler: Pick<Scheduler, 'enqueue'>;
  /** Cancels an earlier loop of the issue still watching its PR at `ready` (superseded). */
  runner: Pick<LoopRunner, 'control'>;
}

export async function startIssueUrlLoop(
  deps: IssueLoopDeps,
  request: CreateLoopRequest & { issue_url: string },
): Promise<LoopRecord> {
  const target = parseIssueUrl(request.issue_url);
  if (target === null) {
    throw invalid('issue_url', 'expected https://<host>/<owner>/<name>/issues/<number>');
  }
  const apiUrl = deps.config.github['api-url'];
  const host = webHostOfApi(apiUrl);
  if (target.host !== host) {
    throw invalid(
      'issue_url',
      `${request.issue_url} is on ${target.host}, but Looper talks to ${host} (github.api-url = ${apiUrl})`,
    );
  }
  const project = await findByRepo(deps.store, target.repo);
  if (project?.forge !== 'github') {
    throw invalid(
      'issue_url',
      `${target.repo} is not a Looper project: add it with \`looper project add ${target.repo}\``,
    );
  }
  if (!deps.github) throw noGitHubToken();
  const ref = { id: project.id, repo: project.repo, path: project.path };
  const issue = await deps.github.getIssueSummary(ref, target.number).catch((error: unknown) => {
    if (error instanceof LooperError && error.code === 'not_found') {
      throw invalid('issue_url', `${target.repo} has no issue #${target.number}`);
    }
    throw error;
  });
  if (issue.isPullRequest) {
    throw invalid(
      'issue_url',
      `#${target.number} of ${target.repo} is a pull request, not an issue`,
    );
  }
  return startLoopForIssue(deps, project, issue, request);
}

/**
 * `POST /loops` with `repo: "owner/name"` and a title (`looper run --repo owner/name --title …`): a
 * new issue is opened on the known GitHub project and its loop starts on the manual queue. The
 * issue gets no `looper:plan` label, so no webhook or poll starts a second loop for it.
 */
export async function startNewIssueLoop(
  deps: IssueLoopDeps,
  request: CreateLoopRequest & { repo: string },
): Promise<LoopRecord> {
  const project = await findByRepo(deps.store, request.repo);
  if (project?.forge !== 'github') {
    throw invalid(
      'repo',
      `${request.repo} is neither a directory here nor a Looper project: add it with \`looper project add ${request.repo}\``,
    );
  }
  if (!deps.github) throw noGitHubToken();
  const title = (request.title ?? '').trim();
  if (title === '') throw invalid('title', 'a new issue needs a title');
  const ref = { id: project.id, repo: project.repo, path: project.path };
  const issue = await deps.github.createIssue(ref, { title, body: request.body ?? '' });
  return startLoopForIssue(deps, project, issue, request);
}

async function startLoopForIssue(
  deps: IssueLoopDeps,
  project: ProjectRecord,
  issue: ForgeIssue,
  request: CreateLoopRequest,
): Promise<LoopRecord> {
  const active = await deps.store.loops.findActiveLoopForTarget(project.id, 'issue', issue.number);
  if (active) {
    throw new LooperError(
      'conflict',
      `issue #${issue.number} of ${project.repo} already has an active loop (${active.id})`,
      { details: { loop_id: active.id } },
    );
  }
  const loop = await deps.store.loops.createLoop({
    projectId: project.id,
    kind: 'issue',
    number: issue.number,
    title: issue.title,
    body: issue.body,
    options: {
      vendor: request.vendor,
      model: request.model,
      checks: request.checks?.length ? request.checks : undefined,
    },
  });
  await deps.events.emit({
    loopId: loop.id,
    type: 'loop.created',
    data: {
      project: project.name,
      number: issue.number,
      title: issue.title,
      queue: 'manual',
      source: 'api',
      url: issue.url,
    },
  });
  // The new loop takes the branch and PR over from an earlier one still watching them at `ready`.
  const earlier = await deps.store.loops.listLoops({ projectId: project.id, stage: 'ready' });
  for (const old of earlier.filter((l) => l.kind === 'issue' && l.number === issue.number)) {
    await deps.runner.control(old.id, { type: 'cancel', reason: `superseded by loop ${loop.id}` });
  }
  await deps.scheduler.enqueue(loop.id, 'manual');
  return loop;
}
