// What CI systems and people report on a pull request, as the emulator's helpers make them: check
// runs (optionally GitHub Actions jobs with a log), commit statuses and submitted reviews. A check
// that turns green may complete a pending auto-merge.
import { scheduleAutoMerges } from './merges.js';
import {
  type EmCheckRun,
  type EmIssue,
  type EmPull,
  type EmRepo,
  type EmReview,
  type EmReviewState,
  type EmStatus,
  type EmulatorState,
  ensureUser,
} from './state.js';

export interface CheckRunInput {
  name: string;
  status?: EmCheckRun['status'];
  conclusion?: EmCheckRun['conclusion'];
  /** Makes the run a GitHub Actions job with this log (served by the job-logs route). */
  log?: string;
  /** The run's output; `title` defaults to the name. */
  output?: { title?: string | null; summary?: string | null; text?: string | null };
  detailsUrl?: string;
}

export interface StatusInput {
  context: string;
  state: EmStatus['state'];
  description?: string;
  creator?: string;
  targetUrl?: string;
}

export interface ReviewInput {
  author: string;
  state: EmReviewState;
  body?: string;
  /** Default: the pull's head. */
  commitId?: string;
}

export function reportCheckRun(
  state: EmulatorState,
  repo: EmRepo,
  sha: string,
  input: CheckRunInput,
): EmCheckRun {
  const status = input.status ?? (input.conclusion ? 'completed' : 'queued');
  const output = input.output ?? {};
  const run: EmCheckRun = {
    id: state.nextId(),
    sha,
    name: input.name,
    status,
    conclusion: input.conclusion ?? null,
    title: output.title === undefined ? input.name : output.title,
    summary: output.summary ?? null,
    text: output.text ?? null,
    detailsUrl: input.detailsUrl ?? null,
    ...(input.log === undefined ? {} : { log: input.log }),
    startedAt: Date.now(),
    completedAt: status === 'completed' ? Date.now() : null,
  };
  repo.checkRuns.push(run);
  scheduleAutoMerges(state, repo);
  return run;
}

export function reportStatus(
  state: EmulatorState,
  repo: EmRepo,
  sha: string,
  input: StatusInput,
): EmStatus {
  const now = Date.now();
  const status: EmStatus = {
    id: state.nextId(),
    sha,
    context: input.context,
    state: input.state,
    description: input.description ?? null,
    targetUrl: input.targetUrl ?? null,
    creator: input.creator ?? 'ci-bot',
    createdAt: now,
    updatedAt: now,
  };
  repo.statuses.push(status);
  scheduleAutoMerges(state, repo);
  return status;
}

/** Like GitHub, nobody may approve or request changes on their own pull request. */
export function submitReview(
  state: EmulatorState,
  repo: EmRepo,
  issue: EmIssue,
  pull: EmPull,
  input: ReviewInput,
): EmReview {
  const own = issue.author.toLowerCase() === input.author.toLowerCase();
  if (own && input.state !== 'COMMENTED') {
    throw new Error(`${input.author} may not ${input.state} their own #${pull.number}`);
  }
  ensureUser(state, input.author);
  const review: EmReview = {
    id: state.nextId(),
    number: pull.number,
    author: input.author,
    body: input.body ?? '',
    state: input.state,
    commitId: input.commitId ?? pull.headSha,
    submittedAt: Date.now(),
  };
  repo.reviews.push(review);
  return review;
}
