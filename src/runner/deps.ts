// What the runner needs, passed in by the composition root. Every outside system is an interface.
import type { AgentRunner, ProcessResult, ProcessSpec } from '../agents/index.js';
import type { Config } from '../config/index.js';
import type { Clock, IdSource } from '../domain/index.js';
import type { AutoMergeResult, CheckItem, Forge, ProjectRef } from '../forge/index.js';
import type { Git, GitAuth } from '../git/index.js';
import type { AppendEvent, EventRecord, ProjectRecord, Store } from '../store/index.js';

/** Stores an event and hands it to live subscribers (SSE). */
export interface EventSink {
  emit(event: AppendEvent): Promise<EventRecord>;
}

/** The slice of a structured logger the runner and scheduler use. */
export interface RunnerLog {
  info(data: object, message: string): void;
  warn(data: object, message: string): void;
  error(data: object, message: string): void;
}

/** How the runner reaches one project: its forge, the clone to work from, and whether to push. */
export interface ProjectAccess {
  forge: Forge;
  /** The repository worktrees are cut from: the project's own path, or Looper's clone of the forge. */
  repoPath(): Promise<string>;
  /** Where new branches start and what diffs compare against (`main`, or `origin/main` in a clone). */
  baseRef: string;
  /** Set for hosted forges: every Looper commit is pushed, with these credentials. */
  push: { auth?: GitAuth } | null;
  /** Review threads on the loop's PR (GitHub): people's comments go to the fixer, then are resolved. */
  reviewThreads?: ReviewThreadAccess;
  /** Whether the PR merges cleanly into its base: false on a conflict, null when unknown. */
  mergeable?: (ref: ProjectRef, prNumber: number) => Promise<boolean | null>;
  /** Asks the project's configured reviewers (`[[projects]] reviewers`) to review the PR. */
  requestReviewers?: (ref: ProjectRef, prNumber: number) => Promise<void>;
  /** People's standing CHANGES_REQUESTED reviews (each reviewer's latest verdict), oldest first. */
  changeRequests?: (ref: ProjectRef, prNumber: number) => Promise<PersonReview[]>;
  /** The log of a failing check (the end of a GitHub Actions job log); null when there is none. */
  checkLog?: (ref: ProjectRef, item: CheckItem) => Promise<string | null>;
  /** `loop.auto-merge`: enables auto-merge on a ready PR (or merges it when nothing blocks). */
  autoMerge?: (ref: ProjectRef, prNumber: number) => Promise<AutoMergeResult>;
}

/** A person's review that asks for changes (its body; inline comments come as threads). */
export interface PersonReview {
  id: number;
  author: string;
  body: string;
  submittedAt: number | null;
}

/** An unresolved review thread a person (not Looper's own user) opened. */
export interface PersonThread {
  id: string;
  path: string;
  line: number | null;
  body: string;
  author: string | null;
}

export interface ReviewThreadAccess {
  /** Unresolved threads whose first comment is not Looper's. */
  list(ref: ProjectRef, prNumber: number): Promise<PersonThread[]>;
  reply(ref: ProjectRef, threadId: string, body: string): Promise<void>;
  resolve(ref: ProjectRef, threadId: string): Promise<void>;
}

export interface RunnerDeps {
  store: Store;
  /** The local forge: projects without a hosted forge use it. */
  forge: Forge;
  /** Access to hosted-forge projects; without it every project is local. */
  access?: (project: ProjectRecord) => ProjectAccess;
  git: Git;
  agents: AgentRunner;
  runProcess: (spec: ProcessSpec) => Promise<ProcessResult>;
  processStartTime: (pid: number) => string | null;
  clock: Clock;
  ids: IdSource;
  config: Config;
  dataDir: string;
  nodeId: string;
  /** The daemon's environment; the agent env allow-list filters it. */
  env: NodeJS.ProcessEnv;
  events: EventSink;
  log: RunnerLog;
}
