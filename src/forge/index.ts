// The forge's front door: the Forge interface the runner talks to, the local forge that keeps
// issues and PRs in the store, and the GitHub gateway (github/) behind the same interface.

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
export { parseScopes } from './github/admin.js';
export { createMemoryEtagCache } from './github/conditional.js';
export type {
  AnchoredComment,
  AnchorResult,
  CommentableLines,
} from './github/diff-anchor.js';
export {
  anchorComments,
  bodyWithUnplaced,
  commentableLines,
  parseUnifiedDiff,
} from './github/diff-anchor.js';
export { createGitHubForge } from './github/github-forge.js';
export { looperLabels } from './github/labels.js';
export {
  commentMarker,
  loopMarker,
  readCommentKey,
  readLoopMarker,
} from './github/markers.js';
export type {
  AutoMergeResult,
  ConditionalResult,
  EtagCache,
  ForgeLog,
  GitHubForge,
  GitHubForgeOptions,
  GitHubHook,
  GitHubIssueEvent,
  GitHubIssueSummary,
  GitHubRepository,
  GitHubTokenInfo,
  GitHubUser,
  LabelSpec,
  Mergeability,
  MergeMethod,
  PullReview,
  PullReviewState,
  RateLimitSnapshot,
  RateLimitWindow,
  RepoPermission,
  ReviewThread,
  ReviewThreadComment,
} from './github/types.js';
export type { ForgeReview, LocalForge } from './local/local-forge.js';
export { createLocalForge, localUrl } from './local/local-forge.js';
