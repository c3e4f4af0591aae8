// The forge's front door: the Forge interface the runner talks to, and the local forge that keeps
// issues and PRs in the store. (GitHub arrives as github/ behind the same interface.)

export { aggregateChecks, checkStateOfStatus } from './checks.js';
export type {
  CheckItem,
  CheckState,
  CommitStatus,
  CommitStatusState,
  Forge,
  ForgeChecks,
  ForgeComment,
  ForgeIssue,
  ForgeKind,
  ForgePullRequest,
  OpenPullRequest,
  ProjectRef,
  PublishReview,
  PullRequestState,
  ReviewLineComment,
  ReviewVerdict,
  UpdatePullRequest,
} from './forge.js';
export type { ForgeReview, LocalForge } from './local/local-forge.js';
export { createLocalForge, localUrl } from './local/local-forge.js';
