// The emulator's in-memory world: users, repos and everything in them. Routes read and change it;
// tests inspect it through `emulator.state` and change it through the emulator's helper methods.

export type RepoRole = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export interface EmUser {
  id: number;
  login: string;
  type: 'User' | 'Bot' | 'Organization';
}

export interface EmLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface EmIssue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  labels: string[];
  author: string;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  /** Set when the number belongs to a pull request (PRs are issues on GitHub). */
  isPull: boolean;
}

export interface EmComment {
  id: number;
  number: number;
  body: string;
  author: string;
  createdAt: number;
  updatedAt: number;
}

export interface EmMergeability {
  /** `${baseSha}..${headSha}` the value was computed for. */
  key: string;
  value: boolean | null;
}

export interface EmPull {
  number: number;
  head: string;
  base: string;
  draft: boolean;
  merged: boolean;
  mergedAt: number | null;
  mergedBy: string | null;
  /** The head SHA last seen (kept when the branch is deleted). */
  headSha: string;
  baseSha: string;
  mergeability: EmMergeability | null;
  requestedReviewers: string[];
}

export type EmReviewState = 'COMMENTED' | 'APPROVED' | 'CHANGES_REQUESTED';

export interface EmReview {
  id: number;
  number: number;
  author: string;
  body: string;
  state: EmReviewState;
  commitId: string;
  submittedAt: number;
}

export interface EmReviewComment {
  id: number;
  number: number;
  reviewId: number | null;
  threadId: number;
  path: string;
  line: number;
  body: string;
  author: string;
  commitId: string;
  diffHunk: string;
  inReplyTo: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface EmThread {
  id: number;
  number: number;
  path: string;
  line: number;
  resolved: boolean;
  resolvedBy: string | null;
}

export interface EmCheckRun {
  id: number;
  sha: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion:
    | 'success'
    | 'failure'
    | 'neutral'
    | 'cancelled'
    | 'skipped'
    | 'timed_out'
    | 'action_required'
    | null;
  title: string | null;
  summary: string | null;
  startedAt: number;
  completedAt: number | null;
}

export interface EmStatus {
  id: number;
  sha: string;
  context: string;
  state: 'pending' | 'success' | 'failure' | 'error';
  description: string | null;
  targetUrl: string | null;
  creator: string;
  createdAt: number;
  updatedAt: number;
}

export interface EmIssueEvent {
  id: number;
  number: number;
  event: 'labeled' | 'unlabeled' | 'closed' | 'reopened' | 'ready_for_review' | 'merged';
  actor: string;
  label: string | null;
  createdAt: number;
}

export interface EmHook {
  id: number;
  url: string;
  contentType: string;
  /** What the hook signs deliveries with (GitHub never shows it back). */
  secret: string | null;
  events: string[];
  active: boolean;
  createdAt: number;
  lastResponse: { code: number | null; status: string | null; message: string | null };
}

export interface EmRepo {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  defaultBranch: string;
  private: boolean;
  /** The bare git repository; also the clone URL (a local path). */
  gitDir: string;
  createdAt: number;
  labels: EmLabel[];
  issues: Map<number, EmIssue>;
  pulls: Map<number, EmPull>;
  comments: EmComment[];
  reviews: EmReview[];
  reviewComments: EmReviewComment[];
  threads: EmThread[];
  checkRuns: EmCheckRun[];
  statuses: EmStatus[];
  events: EmIssueEvent[];
  collaborators: Map<string, RepoRole>;
  lastNumber: number;
  /** Repository webhooks (created on first use by the hooks routes). */
  hooks?: EmHook[];
}

export interface EmulatorState {
  users: Map<string, EmUser>;
  repos: Map<string, EmRepo>;
  /** token → login */
  tokens: Map<string, string>;
  /** login → classic token scopes, sent as `x-oauth-scopes` on `GET /user` when set. */
  scopes?: Map<string, string>;
  nextId(): number;
}

export function createState(tokens: Record<string, string>): EmulatorState {
  let id = 1000;
  const state: EmulatorState = {
    users: new Map(),
    repos: new Map(),
    tokens: new Map(Object.entries(tokens)),
    nextId: () => {
      id += 1;
      return id;
    },
  };
  for (const login of Object.values(tokens)) ensureUser(state, login);
  return state;
}

export function ensureUser(state: EmulatorState, login: string): EmUser {
  const key = login.toLowerCase();
  const found = state.users.get(key);
  if (found) return found;
  const type = login.endsWith('[bot]') ? 'Bot' : 'User';
  const user: EmUser = { id: state.nextId(), login, type };
  state.users.set(key, user);
  return user;
}

export function findLabel(repo: EmRepo, name: string): EmLabel | undefined {
  const key = name.toLowerCase();
  return repo.labels.find((label) => label.name.toLowerCase() === key);
}

export function roleOf(repo: EmRepo, login: string): RepoRole | null {
  if (login.toLowerCase() === repo.owner.toLowerCase()) return 'admin';
  for (const [name, role] of repo.collaborators) {
    if (name.toLowerCase() === login.toLowerCase()) return role;
  }
  return null;
}
