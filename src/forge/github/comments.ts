// Issue comments: Looper's tracking comment is found by its hidden key marker (only among the
// token user's own comments) and edited in place; its id is remembered to skip the listing.
import type { ForgeComment, ProjectRef } from '../forge.js';
import { call, type GitHubContext, parse, repoOf, statusOf } from './context.js';
import { withCommentMarker } from './markers.js';
import { Comment, toComment } from './schemas.js';

export function createComments(ctx: GitHubContext) {
  const knownIds = new Map<string, number>();
  const idKey = (project: ProjectRef, number: number, key: string) =>
    `${project.repo}#${number}:${key}`;

  const listComments = async (project: ProjectRef, number: number): Promise<ForgeComment[]> => {
    const { owner, repo } = repoOf(project);
    const rows = await call('list comments', () =>
      ctx.client.paginate(ctx.client.rest.issues.listComments, {
        owner,
        repo,
        issue_number: number,
        per_page: 100,
      }),
    );
    return rows.map((row) => toComment(number, parse(Comment, row, 'list comments')));
  };

  const findComment = async (
    project: ProjectRef,
    number: number,
    key: string,
  ): Promise<ForgeComment | null> => {
    const me = (await ctx.me()).login.toLowerCase();
    const comments = await listComments(project, number);
    // Someone else may paste the marker; only our own comment is the tracking comment.
    return comments.find((c) => c.key === key && c.author.toLowerCase() === me) ?? null;
  };

  const editComment = async (project: ProjectRef, number: number, id: number, body: string) => {
    const { owner, repo } = repoOf(project);
    const { data } = await ctx.client.rest.issues.updateComment({
      owner,
      repo,
      comment_id: id,
      body,
    });
    return toComment(number, parse(Comment, data, 'update comment'));
  };

  const upsertComment = async (
    project: ProjectRef,
    number: number,
    key: string,
    text: string,
  ): Promise<ForgeComment> => {
    const body = withCommentMarker(key, text);
    const remembered = knownIds.get(idKey(project, number, key));
    if (remembered !== undefined) {
      try {
        return await editComment(project, number, remembered, body);
      } catch (error) {
        // Deleted by someone: fall through to look it up (or create it) again.
        if (statusOf(error) !== 404) await call('edit a comment', () => Promise.reject(error));
        knownIds.delete(idKey(project, number, key));
      }
    }
    const found = await findComment(project, number, key);
    const comment = found
      ? await call('edit a comment', () => editComment(project, number, found.id, body))
      : await call('create a comment', async () => {
          const { owner, repo } = repoOf(project);
          const { data } = await ctx.client.rest.issues.createComment({
            owner,
            repo,
            issue_number: number,
            body,
          });
          return toComment(number, parse(Comment, data, 'create comment'));
        });
    knownIds.set(idKey(project, number, key), comment.id);
    return comment;
  };

  return { listComments, findComment, upsertComment };
}
