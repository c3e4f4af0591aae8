// Local forge storage, part 2: comments (keyed ones are edited in place), reviews (one per key)
// and commit statuses (one per sha and context) on local issues and PRs.
import type { Selectable } from 'kysely';
import type { Clock } from '../domain/index.js';
import { atomically, type Db, fromJson, toJson } from './db-helpers.js';
import type {
  ForgeCommentsTable,
  ForgeReviewsTable,
  ForgeReviewVerdict,
  ForgeStatusesTable,
  ForgeStatusState,
} from './schema.js';

export interface LocalCommentRecord {
  id: number;
  projectId: string;
  number: number;
  key: string | null;
  author: string;
  body: string;
  createdAt: number;
  updatedAt: number;
}

export interface LocalReviewComment {
  path: string;
  line: number;
  body: string;
}

export interface LocalReviewRecord {
  id: number;
  projectId: string;
  number: number;
  headSha: string;
  verdict: ForgeReviewVerdict;
  body: string;
  comments: LocalReviewComment[];
  key: string;
  author: string;
  createdAt: number;
}

export interface LocalStatusRecord {
  projectId: string;
  sha: string;
  context: string;
  state: ForgeStatusState;
  description: string;
  targetUrl: string | null;
  updatedAt: number;
}

export interface ForgeFeedbackRepo {
  /** A comment with no key (e.g. a person's); always a new one. */
  addComment(input: {
    projectId: string;
    number: number;
    author: string;
    body: string;
  }): Promise<LocalCommentRecord>;
  /** Edits the comment with this key in place, or creates it. */
  upsertComment(input: {
    projectId: string;
    number: number;
    key: string;
    author: string;
    body: string;
  }): Promise<LocalCommentRecord>;
  /** Oldest first. */
  listComments(projectId: string, number: number): Promise<LocalCommentRecord[]>;
  /** Stores the review unless one with the same key exists; returns the stored one either way. */
  insertReviewOnce(
    input: Omit<LocalReviewRecord, 'id' | 'createdAt'>,
  ): Promise<{ review: LocalReviewRecord; created: boolean }>;
  /** Oldest first. */
  listReviews(projectId: string, number: number): Promise<LocalReviewRecord[]>;
  upsertStatus(input: Omit<LocalStatusRecord, 'updatedAt'>): Promise<void>;
  /** By context. */
  listStatuses(projectId: string, sha: string): Promise<LocalStatusRecord[]>;
}

function toComment(row: Selectable<ForgeCommentsTable>): LocalCommentRecord {
  return {
    id: Number(row.id),
    projectId: row.project_id,
    number: row.number,
    key: row.key,
    author: row.author,
    body: row.body,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toReview(row: Selectable<ForgeReviewsTable>): LocalReviewRecord {
  return {
    id: Number(row.id),
    projectId: row.project_id,
    number: row.number,
    headSha: row.head_sha,
    verdict: row.verdict,
    body: row.body,
    comments: fromJson<LocalReviewComment[]>(row.comments, []),
    key: row.key,
    author: row.author,
    createdAt: row.created_at,
  };
}

function toStatus(row: Selectable<ForgeStatusesTable>): LocalStatusRecord {
  return {
    projectId: row.project_id,
    sha: row.sha,
    context: row.context,
    state: row.state,
    description: row.description,
    targetUrl: row.target_url,
    updatedAt: row.updated_at,
  };
}

export function createForgeFeedbackRepo(db: Db, clock: Clock): ForgeFeedbackRepo {
  const insertComment = async (
    tx: Db,
    input: { projectId: string; number: number; key: string | null; author: string; body: string },
  ) => {
    const now = clock.now();
    const row = await tx
      .insertInto('forge_comments')
      .values({
        project_id: input.projectId,
        number: input.number,
        key: input.key,
        author: input.author,
        body: input.body,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toComment(row);
  };

  const findReview = (tx: Db, projectId: string, number: number, key: string) =>
    tx
      .selectFrom('forge_reviews')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('number', '=', number)
      .where('key', '=', key)
      .executeTakeFirst();

  return {
    addComment: (input) => insertComment(db, { ...input, key: null }),

    upsertComment(input) {
      return atomically(db, async (tx) => {
        const updated = await tx
          .updateTable('forge_comments')
          .set({ body: input.body, updated_at: clock.now() })
          .where('project_id', '=', input.projectId)
          .where('number', '=', input.number)
          .where('key', '=', input.key)
          .returningAll()
          .executeTakeFirst();
        return updated ? toComment(updated) : insertComment(tx, input);
      });
    },

    async listComments(projectId, number) {
      const rows = await db
        .selectFrom('forge_comments')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('number', '=', number)
        .orderBy('id')
        .execute();
      return rows.map(toComment);
    },

    insertReviewOnce(input) {
      return atomically(db, async (tx) => {
        const existing = await findReview(tx, input.projectId, input.number, input.key);
        if (existing) return { review: toReview(existing), created: false };
        const row = await tx
          .insertInto('forge_reviews')
          .values({
            project_id: input.projectId,
            number: input.number,
            head_sha: input.headSha,
            verdict: input.verdict,
            body: input.body,
            comments: toJson(input.comments),
            key: input.key,
            author: input.author,
            created_at: clock.now(),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return { review: toReview(row), created: true };
      });
    },

    async listReviews(projectId, number) {
      const rows = await db
        .selectFrom('forge_reviews')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('number', '=', number)
        .orderBy('id')
        .execute();
      return rows.map(toReview);
    },

    async upsertStatus(input) {
      const now = clock.now();
      const values = {
        state: input.state,
        description: input.description,
        target_url: input.targetUrl,
        updated_at: now,
      };
      await db
        .insertInto('forge_statuses')
        .values({ project_id: input.projectId, sha: input.sha, context: input.context, ...values })
        .onConflict((oc) => oc.columns(['project_id', 'sha', 'context']).doUpdateSet(values))
        .execute();
    },

    async listStatuses(projectId, sha) {
      const rows = await db
        .selectFrom('forge_statuses')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('sha', '=', sha)
        .orderBy('context')
        .execute();
      return rows.map(toStatus);
    },
  };
}
