// Review threads: a review comment opens one; replies (GraphQL or a person) join it.
import type { EmPull, EmRepo, EmReviewComment, EmThread, EmulatorState } from './state.js';

/** A new review comment opening its own thread. */
export function openThread(
  state: EmulatorState,
  repo: EmRepo,
  pull: EmPull,
  input: {
    path: string;
    line: number;
    body: string;
    author: string;
    commitId: string;
    diffHunk: string;
    reviewId: number | null;
  },
): { thread: EmThread; comment: EmReviewComment } {
  const thread: EmThread = {
    id: state.nextId(),
    number: pull.number,
    path: input.path,
    line: input.line,
    resolved: false,
    resolvedBy: null,
  };
  repo.threads.push(thread);
  const now = Date.now();
  const comment: EmReviewComment = {
    id: state.nextId(),
    number: pull.number,
    reviewId: input.reviewId,
    threadId: thread.id,
    path: input.path,
    line: input.line,
    body: input.body,
    author: input.author,
    commitId: input.commitId,
    diffHunk: input.diffHunk,
    inReplyTo: null,
    createdAt: now,
    updatedAt: now,
  };
  repo.reviewComments.push(comment);
  return { thread, comment };
}

/** A reply in an existing thread (GraphQL addPullRequestReviewThreadReply, or a person). */
export function openThreadReply(
  state: EmulatorState,
  repo: EmRepo,
  thread: EmThread,
  input: { body: string; author: string },
): EmReviewComment {
  const first = repo.reviewComments.find((c) => c.threadId === thread.id);
  const now = Date.now();
  const comment: EmReviewComment = {
    id: state.nextId(),
    number: thread.number,
    reviewId: null,
    threadId: thread.id,
    path: thread.path,
    line: thread.line,
    body: input.body,
    author: input.author,
    commitId: first?.commitId ?? '',
    diffHunk: first?.diffHunk ?? '',
    inReplyTo: first?.id ?? null,
    createdAt: now,
    updatedAt: now,
  };
  repo.reviewComments.push(comment);
  return comment;
}
