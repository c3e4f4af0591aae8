// Reviews and review threads. A review is published once per key (hidden marker in its body), its
// inline comments anchored to lines in the PR diff so GitHub accepts it; reviews are listed (a
// person's CHANGES_REQUESTED); threads are listed, replied to and resolved through GraphQL.
import { z } from 'zod';
import { LooperError } from '../../domain/index.js';
import type { ProjectRef, PublishReview, ReviewVerdict } from '../forge.js';
import { call, type GitHubContext, parse, repoOf } from './context.js';
import { anchorComments, bodyWithUnplaced, commentableLines } from './diff-anchor.js';
import { graphql, replyMutation, resolveMutation, reviewThreadsQuery } from './graphql.js';
import { commentMarker, withCommentMarker } from './markers.js';
import { DiffEntry, PullReviewRow, Review, toPullReview } from './schemas.js';
import type { PullReview, ReviewThread } from './types.js';

const events = {
  comment: 'COMMENT',
  request_changes: 'REQUEST_CHANGES',
  approve: 'APPROVE',
} as const satisfies Record<ReviewVerdict, string>;

const verdictNotes = {
  comment: '',
  request_changes: '**Verdict: changes requested.**',
  approve: '**Verdict: approved.**',
} as const satisfies Record<ReviewVerdict, string>;

const ThreadsPage = z.object({
  repository: z
    .object({
      pullRequest: z
        .object({
          reviewThreads: z.object({
            pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
            nodes: z.array(
              z.object({
                id: z.string(),
                isResolved: z.boolean(),
                isOutdated: z.boolean(),
                path: z.string(),
                line: z.number().int().nullable(),
                comments: z.object({
                  nodes: z.array(
                    z.object({
                      id: z.string(),
                      databaseId: z.number().int().nullable(),
                      body: z.string(),
                      author: z.object({ login: z.string() }).nullable(),
                      createdAt: z.string(),
                      url: z.string(),
                    }),
                  ),
                }),
              }),
            ),
          }),
        })
        .nullable(),
    })
    .nullable(),
});

export function createReviews(
  ctx: GitHubContext,
  pullAuthor: (p: ProjectRef, n: number) => Promise<string | null>,
) {
  const rawReviews = (project: ProjectRef, number: number) => {
    const { owner, repo } = repoOf(project);
    return call(`list reviews of #${number}`, () =>
      ctx.client.paginate(ctx.client.rest.pulls.listReviews, {
        owner,
        repo,
        pull_number: number,
        per_page: 100,
      }),
    );
  };

  /** GitHub lists reviews oldest first. */
  const listReviews = async (project: ProjectRef, number: number): Promise<PullReview[]> =>
    (await rawReviews(project, number)).map((r) =>
      toPullReview(parse(PullReviewRow, r, 'list reviews')),
    );

  const hasReview = async (project: ProjectRef, number: number, key: string) => {
    const reviews = await rawReviews(project, number);
    const marker = commentMarker(key);
    return reviews.some((r) => (parse(Review, r, 'list reviews').body ?? '').includes(marker));
  };

  const diffLines = async (project: ProjectRef, number: number) => {
    const { owner, repo } = repoOf(project);
    const files = await call('list pull request files', () =>
      ctx.client.paginate(ctx.client.rest.pulls.listFiles, {
        owner,
        repo,
        pull_number: number,
        per_page: 100,
      }),
    );
    const lines = new Map<string, number[]>();
    for (const row of files) {
      const file = parse(DiffEntry, row, 'list pull request files');
      if (file.patch !== undefined) lines.set(file.filename, commentableLines(file.patch));
    }
    return lines;
  };

  const publishReview = async (project: ProjectRef, number: number, review: PublishReview) => {
    if (await hasReview(project, number, review.key)) return;
    const me = (await ctx.me()).login.toLowerCase();
    // Nobody may approve or request changes on their own PR: say the verdict in a comment review.
    const own = (await pullAuthor(project, number))?.toLowerCase() === me;
    const event = own ? 'COMMENT' : events[review.verdict];
    const note = own ? verdictNotes[review.verdict] : '';
    const { inline, unplaced } = anchorComments(review.comments, await diffLines(project, number));
    const text = [note, bodyWithUnplaced(review.body, unplaced)].filter(Boolean).join('\n\n');
    const { owner, repo } = repoOf(project);
    const post = (comments: typeof inline, body: string) =>
      call(`publish a review on #${number}`, () =>
        ctx.client.rest.pulls.createReview({
          owner,
          repo,
          pull_number: number,
          commit_id: review.headSha,
          event,
          body: withCommentMarker(review.key, body),
          comments: comments.map((c) => ({
            path: c.path,
            line: c.line,
            side: 'RIGHT',
            body: c.body,
          })),
        }),
      );
    try {
      await post(inline, text);
    } catch (error) {
      // The diff moved under us (a push between reading it and posting): keep every comment,
      // in the body, rather than lose the review.
      if (!(error instanceof LooperError && error.code === 'validation_failed') || !inline.length) {
        throw error;
      }
      ctx.log.warn({ number, comments: inline.length }, 'review comments rejected; moved to body');
      await post([], bodyWithUnplaced(text, review.comments));
    }
  };

  const listReviewThreads = async (
    project: ProjectRef,
    number: number,
    options: { unresolvedOnly?: boolean } = {},
  ): Promise<ReviewThread[]> => {
    const { owner, repo } = repoOf(project);
    const threads: ReviewThread[] = [];
    let cursor: string | null = null;
    do {
      const raw: unknown = await graphql<unknown>(ctx, 'list review threads', reviewThreadsQuery, {
        owner,
        name: repo,
        number,
        cursor,
      });
      const page: z.infer<typeof ThreadsPage> = parse(ThreadsPage, raw, 'reviewThreads query');
      const connection = page.repository?.pullRequest?.reviewThreads;
      if (!connection) throw new LooperError('not_found', `pull request #${number} not found`);
      for (const node of connection.nodes) {
        threads.push({
          id: node.id,
          path: node.path,
          line: node.line,
          isResolved: node.isResolved,
          isOutdated: node.isOutdated,
          comments: node.comments.nodes.map((c) => ({
            id: c.id,
            databaseId: c.databaseId,
            author: c.author?.login ?? null,
            body: c.body,
            createdAt: Date.parse(c.createdAt),
            url: c.url,
          })),
        });
      }
      cursor = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
    } while (cursor);
    return options.unresolvedOnly ? threads.filter((t) => !t.isResolved) : threads;
  };

  const replyToReviewThread = async (_project: ProjectRef, threadId: string, body: string) => {
    await graphql(ctx, 'reply in a review thread', replyMutation, { threadId, body });
  };

  const resolveReviewThread = async (_project: ProjectRef, threadId: string) => {
    await graphql(ctx, 'resolve a review thread', resolveMutation, { threadId });
  };

  return {
    listReviews,
    publishReview,
    listReviewThreads,
    replyToReviewThread,
    resolveReviewThread,
  };
}
