// GraphQL calls REST cannot make: leaving draft, listing/replying to/resolving review threads,
// enabling auto-merge. GraphQL errors (HTTP 200 with `errors`) become LooperErrors by their type.
import { LooperError } from '../../domain/index.js';
import { call, type GitHubContext } from './context.js';

interface GraphqlErrorLike {
  errors?: { type?: string; message?: string }[];
}

const codeOfType = (type: string | undefined) => {
  switch (type) {
    case 'NOT_FOUND':
      return 'not_found';
    case 'FORBIDDEN':
      return 'forbidden';
    case 'UNPROCESSABLE':
      return 'validation_failed';
    default:
      return 'forge_failed';
  }
};

export async function graphql<T>(
  ctx: GitHubContext,
  what: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  return call(what, async () => {
    try {
      return await ctx.client.graphql<T>(query, variables);
    } catch (error) {
      const first = (error as GraphqlErrorLike).errors?.[0];
      if (!first) throw error;
      throw new LooperError(codeOfType(first.type), `GitHub ${what} failed: ${first.message}`, {
        cause: error,
        details: { type: first.type ?? null, graphqlMessage: first.message ?? '' },
      });
    }
  });
}

/** GitHub's type and words when `error` is a GraphQL error (not a transport or HTTP failure). */
export function graphqlErrorOf(error: unknown): { type: string | null; message: string } | null {
  if (!(error instanceof LooperError)) return null;
  const details = error.details as { type?: unknown; graphqlMessage?: unknown } | null;
  const message = details?.graphqlMessage;
  if (typeof message !== 'string') return null;
  return { type: typeof details?.type === 'string' ? details.type : null, message };
}

export const markReadyMutation = `mutation LooperMarkReady($id: ID!) {
  markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { id isDraft } }
}`;

export const enableAutoMergeMutation = `mutation LooperEnableAutoMerge($id: ID!, $mergeMethod: PullRequestMergeMethod!) {
  enablePullRequestAutoMerge(input: { pullRequestId: $id, mergeMethod: $mergeMethod }) {
    pullRequest { id autoMergeRequest { enabledAt mergeMethod } }
  }
}`;

export const reviewThreadsQuery = `query LooperReviewThreads($owner: String!, $name: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id isResolved isOutdated path line
          comments(first: 100) { nodes { id databaseId body author { login } createdAt url } }
        }
      }
    }
  }
}`;

export const replyMutation = `mutation LooperReply($threadId: ID!, $body: String!) {
  addPullRequestReviewThreadReply(input: { pullRequestReviewThreadId: $threadId, body: $body }) {
    comment { id }
  }
}`;

export const resolveMutation = `mutation LooperResolve($threadId: ID!) {
  resolveReviewThread(input: { threadId: $threadId }) { thread { id isResolved } }
}`;
