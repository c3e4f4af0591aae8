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

export type EmMergeMethod = 'merge' | 'squash' | 'rebase';

/** Auto-merge enabled on a pull (`auto_merge` in its JSON): merged when required checks pass. */
export interface EmAutoMerge {
  method: EmMergeMethod;
  enabledBy: string;
  enabledAt: number;
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
  autoMerge?: EmAutoMerge | null;
  /** The commit a real merge (PUT …/merge, auto-merge) wrote on the base branch. */
  mergeCommitSha?: string | null;
  /**
   * `owner/name` of a fork the head is said to come from (`head.repo` in the JSON). The branch
   * itself still lives in this repo's git repository.
   */
  headRepo?: string;
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
  /** `output.text`. */
  text?: string | null;
  detailsUrl?: string | null;
  /** The GitHub Actions job log; a run without one is no Actions job (its logs route is 404). */
  log?: string | null;
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
  /** The repository's "Allow auto-merge" setting (default off, as on GitHub). */
  allowAutoMerge?: boolean;
  /** Branch protection by branch name: the status checks (check run names or status contexts) a
   * merge needs green on the head. */
  protections?: Map<string, EmProtection>;
}

export interface EmProtection {
  requiredChecks: string[];
}

/** Work GitHub does after answering (an auto-merge once a required check passes): chained, and
 * awaited before the emulator answers the next request. */
export interface EmBackground {
  chain: Promise<void>;
  errors: string[];
}

export interface EmulatorState {
  users: Map<string, EmUser>;
  repos: Map<string, EmRepo>;
  /** token → login */
  tokens: Map<string, string>;
  /** login → classic token scopes, sent as `x-oauth-scopes` on `GET /user` when set. */
  scopes?: Map<string, string>;
  background: EmBackground;
  /** Signed log downloads served by the emulator's second ("blob storage") host, by token. */
  blobs: Map<string, string>;
  nextId(): number;
}

export function createState(tokens: Record<string, string>): EmulatorState {
  let id = 1000;
  const state: EmulatorState = {
    users: new Map(),
    repos: new Map(),
    tokens: new Map(Object.entries(tokens)),
    background: { chain: Promise.resolve(), errors: [] },
    blobs: new Map(),
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

/** Runs `job` after the work already queued; a failure is kept for the violations list. */
export function inBackground(state: EmulatorState, job: () => Promise<void>): void {
  state.background.chain = state.background.chain.then(job).catch((error: unknown) => {
    state.background.errors.push(String(error));
  });
}

/** Waits for the queued work; returns the failures since the last call. */
export async function settleBackground(state: EmulatorState): Promise<string[]> {
  let chain: Promise<void>;
  do {
    chain = state.background.chain;
    await chain;
  } while (chain !== state.background.chain);
  return state.background.errors.splice(0);
}
