// Local forge storage, part 1: issues and pull requests kept in the store for plain git repos.
// Issues and PRs share one number sequence per project, so `#N` always names exactly one of them.
import type { Selectable } from 'kysely';
import type { Clock } from '../domain/index.js';
import { atomically, type Db, fromJson, toJson } from './db-helpers.js';
import type {
  ForgeIssueState,
  ForgeIssuesTable,
  ForgePrsTable,
  ForgePullRequestState,
} from './schema.js';

export interface LocalIssueRecord {
  projectId: string;
  number: number;
  title: string;
  body: string;
  state: ForgeIssueState;
  labels: string[];
  createdAt: number;
  updatedAt: number;
}

export interface LocalPullRequestRecord {
  projectId: string;
  number: number;
  title: string;
  body: string;
  headBranch: string;
  baseBranch: string;
  headSha: string | null;
  state: ForgePullRequestState;
  labels: string[];
  createdAt: number;
  updatedAt: number;
}

export interface InsertLocalPullRequest {
  projectId: string;
  title: string;
  body: string;
  headBranch: string;
  baseBranch: string;
  headSha?: string | null;
  draft: boolean;
}

export interface PatchLocalPullRequest {
  title?: string;
  body?: string;
  headSha?: string | null;
  state?: ForgePullRequestState;
  labels?: string[];
}

export interface ForgeItemsRepo {
  insertIssue(input: {
    projectId: string;
    title: string;
    body: string;
    labels?: string[];
  }): Promise<LocalIssueRecord>;
  getIssue(projectId: string, number: number): Promise<LocalIssueRecord | null>;
  listIssues(projectId: string): Promise<LocalIssueRecord[]>;
  updateIssue(
    projectId: string,
    number: number,
    patch: { labels?: string[]; state?: ForgeIssueState },
  ): Promise<LocalIssueRecord | null>;
  /** Returns the open (draft or open) PR for the head branch if there is one, else a new PR. */
  insertPullRequest(
    input: InsertLocalPullRequest,
  ): Promise<{ pullRequest: LocalPullRequestRecord; created: boolean }>;
  getPullRequest(projectId: string, number: number): Promise<LocalPullRequestRecord | null>;
  /** Every PR for the head branch, newest first. */
  listPullRequestsByHead(projectId: string, head: string): Promise<LocalPullRequestRecord[]>;
  updatePullRequest(
    projectId: string,
    number: number,
    patch: PatchLocalPullRequest,
  ): Promise<LocalPullRequestRecord | null>;
}

function toIssue(row: Selectable<ForgeIssuesTable>): LocalIssueRecord {
  return {
    projectId: row.project_id,
    number: row.number,
    title: row.title,
    body: row.body,
    state: row.state,
    labels: fromJson<string[]>(row.labels, []),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toPullRequest(row: Selectable<ForgePrsTable>): LocalPullRequestRecord {
  return {
    projectId: row.project_id,
    number: row.number,
    title: row.title,
    body: row.body,
    headBranch: row.head_branch,
    baseBranch: row.base_branch,
    headSha: row.head_sha,
    state: row.state,
    labels: fromJson<string[]>(row.labels, []),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Hands out the project's next number in one statement (atomic on both dialects). */
async function nextNumber(db: Db, projectId: string): Promise<number> {
  const row = await db
    .insertInto('forge_counters')
    .values({ project_id: projectId, last_number: 1 })
    .onConflict((oc) =>
      oc.column('project_id').doUpdateSet((eb) => ({
        last_number: eb('forge_counters.last_number', '+', 1),
      })),
    )
    .returning('last_number')
    .executeTakeFirstOrThrow();
  return row.last_number;
}

export function createForgeItemsRepo(db: Db, clock: Clock): ForgeItemsRepo {
  const getIssue = async (projectId: string, number: number) => {
    const row = await db
      .selectFrom('forge_issues')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('number', '=', number)
      .executeTakeFirst();
    return row ? toIssue(row) : null;
  };

  const getPullRequest = async (projectId: string, number: number) => {
    const row = await db
      .selectFrom('forge_prs')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('number', '=', number)
      .executeTakeFirst();
    return row ? toPullRequest(row) : null;
  };

  return {
    insertIssue(input) {
      return atomically(db, async (tx) => {
        const now = clock.now();
        const row = await tx
          .insertInto('forge_issues')
          .values({
            project_id: input.projectId,
            number: await nextNumber(tx, input.projectId),
            title: input.title,
            body: input.body,
            state: 'open',
            labels: toJson(input.labels ?? []),
            created_at: now,
            updated_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toIssue(row);
      });
    },

    getIssue,

    async listIssues(projectId) {
      const rows = await db
        .selectFrom('forge_issues')
        .selectAll()
        .where('project_id', '=', projectId)
        .orderBy('number')
        .execute();
      return rows.map(toIssue);
    },

    async updateIssue(projectId, number, patch) {
      await db
        .updateTable('forge_issues')
        .set({
          ...(patch.labels ? { labels: toJson(patch.labels) } : {}),
          ...(patch.state ? { state: patch.state } : {}),
          updated_at: clock.now(),
        })
        .where('project_id', '=', projectId)
        .where('number', '=', number)
        .execute();
      return getIssue(projectId, number);
    },

    insertPullRequest(input) {
      return atomically(db, async (tx) => {
        const open = await tx
          .selectFrom('forge_prs')
          .selectAll()
          .where('project_id', '=', input.projectId)
          .where('head_branch', '=', input.headBranch)
          .where('state', 'in', ['draft', 'open'])
          .executeTakeFirst();
        if (open) return { pullRequest: toPullRequest(open), created: false };
        const now = clock.now();
        const row = await tx
          .insertInto('forge_prs')
          .values({
            project_id: input.projectId,
            number: await nextNumber(tx, input.projectId),
            title: input.title,
            body: input.body,
            head_branch: input.headBranch,
            base_branch: input.baseBranch,
            head_sha: input.headSha ?? null,
            state: input.draft ? 'draft' : 'open',
            labels: '[]',
            created_at: now,
            updated_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return { pullRequest: toPullRequest(row), created: true };
      });
    },

    getPullRequest,

    async listPullRequestsByHead(projectId, head) {
      const rows = await db
        .selectFrom('forge_prs')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('head_branch', '=', head)
        .orderBy('number', 'desc')
        .execute();
      return rows.map(toPullRequest);
    },

    async updatePullRequest(projectId, number, patch) {
      await db
        .updateTable('forge_prs')
        .set({
          ...(patch.title !== undefined ? { title: patch.title } : {}),
          ...(patch.body !== undefined ? { body: patch.body } : {}),
          ...(patch.headSha !== undefined ? { head_sha: patch.headSha } : {}),
          ...(patch.state !== undefined ? { state: patch.state } : {}),
          ...(patch.labels !== undefined ? { labels: toJson(patch.labels) } : {}),
          updated_at: clock.now(),
        })
        .where('project_id', '=', projectId)
        .where('number', '=', number)
        .execute();
      return getPullRequest(projectId, number);
    },
  };
}
