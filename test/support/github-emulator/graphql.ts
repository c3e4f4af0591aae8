// The few GraphQL operations bots need that REST lacks: review threads (list, reply, resolve),
// leaving/entering draft, and auto-merge (enable, disable). Not a GraphQL engine: the operation is
// recognised by its root field and arguments are read from the query text (`name: $var` or a
// string literal) and the variables.

import { iso } from './json-core.js';
import { enableAutoMerge } from './merges.js';
import { recordReadyForReview } from './mutations.js';
import { openThreadReply } from './review-threads.js';
import type { Reply } from './router.js';
import { type EmMergeMethod, type EmRepo, type EmulatorState, roleOf } from './state.js';

type Variables = Record<string, unknown>;

/** An argument (not a `$variable: Type` declaration) given as a variable or a literal. */
function arg(query: string, variables: Variables, name: string): unknown {
  const match = new RegExp(
    `(?<![$\\w])${name}\\s*:\\s*(?:\\$(\\w+)|"((?:[^"\\\\]|\\\\.)*)"|(\\d+)|([A-Z_]+)\\b)`,
  ).exec(query);
  if (!match) return undefined;
  if (match[1] !== undefined) return variables[match[1]];
  if (match[2] !== undefined) return JSON.parse(`"${match[2]}"`);
  // A bare enum value (mergeMethod: SQUASH).
  if (match[4] !== undefined) return match[4];
  return Number(match[3]);
}

function errorReply(type: string, message: string): Reply {
  return { status: 200, body: { data: null, errors: [{ type, message, locations: [] }] } };
}

const notFound = (id: unknown) =>
  errorReply('NOT_FOUND', `Could not resolve to a node with the global id of '${String(id)}'`);

function canWrite(repo: EmRepo, login: string): boolean {
  const role = roleOf(repo, login);
  return role === 'write' || role === 'maintain' || role === 'admin';
}

function findNode<T>(
  state: EmulatorState,
  id: unknown,
  prefix: string,
  pick: (repo: EmRepo, n: number) => T | undefined,
): { repo: EmRepo; node: T } | null {
  if (typeof id !== 'string' || !id.startsWith(prefix)) return null;
  const n = Number(id.slice(prefix.length));
  for (const repo of state.repos.values()) {
    const node = pick(repo, n);
    if (node !== undefined) return { repo, node };
  }
  return null;
}

function reviewThreads(state: EmulatorState, query: string, vars: Variables, html: string): Reply {
  const owner = String(arg(query, vars, 'owner'));
  const name = String(arg(query, vars, 'name'));
  const number = Number(arg(query, vars, 'number'));
  const repo = state.repos.get(`${owner}/${name}`.toLowerCase());
  if (!repo) return errorReply('NOT_FOUND', `Could not resolve to a Repository '${owner}/${name}'`);
  if (!repo.pulls.has(number)) {
    return errorReply('NOT_FOUND', `Could not resolve to a PullRequest with the number ${number}`);
  }
  const nodes = repo.threads
    .filter((t) => t.number === number)
    .map((t) => ({
      id: `PRRT_${t.id}`,
      isResolved: t.resolved,
      isOutdated: false,
      path: t.path,
      line: t.line,
      comments: {
        nodes: repo.reviewComments
          .filter((c) => c.threadId === t.id)
          .map((c) => ({
            id: `PRRC_${c.id}`,
            databaseId: c.id,
            body: c.body,
            author: { login: c.author },
            createdAt: iso(c.createdAt),
            url: `${html}/${repo.fullName}/pull/${number}#discussion_r${c.id}`,
          })),
      },
    }));
  const pageInfo = { hasNextPage: false, endCursor: null };
  return {
    status: 200,
    body: { data: { repository: { pullRequest: { reviewThreads: { pageInfo, nodes } } } } },
  };
}

const mergeMethods: Record<string, EmMergeMethod> = {
  MERGE: 'merge',
  SQUASH: 'squash',
  REBASE: 'rebase',
};

async function autoMerge(
  state: EmulatorState,
  login: string,
  query: string,
  vars: Variables,
  field: 'enablePullRequestAutoMerge' | 'disablePullRequestAutoMerge',
): Promise<Reply> {
  const id = arg(query, vars, 'pullRequestId');
  const found = findNode(state, id, 'PR_', (r, n) =>
    [...r.issues.values()].find((i) => i.isPull && i.id === n),
  );
  if (!found) return notFound(id);
  const pull = found.repo.pulls.get(found.node.number);
  if (!pull || !canWrite(found.repo, login)) {
    return errorReply('FORBIDDEN', `${login} does not have permission to merge this pull request`);
  }
  if (field === 'disablePullRequestAutoMerge') {
    pull.autoMerge = null;
  } else {
    const method = mergeMethods[String(arg(query, vars, 'mergeMethod') ?? 'MERGE')] ?? 'merge';
    const refused = await enableAutoMerge(found.repo, found.node, pull, { method, by: login });
    if (refused) return errorReply('UNPROCESSABLE', refused);
  }
  const request = pull.autoMerge
    ? { enabledAt: iso(pull.autoMerge.enabledAt), mergeMethod: pull.autoMerge.method.toUpperCase() }
    : null;
  const data = { pullRequest: { id, number: pull.number, autoMergeRequest: request } };
  return { status: 200, body: { data: { [field]: data } } };
}

export async function handleGraphql(
  state: EmulatorState,
  login: string,
  body: Record<string, unknown>,
  html: string,
): Promise<Reply> {
  const query = typeof body.query === 'string' ? body.query : '';
  const vars = (body.variables ?? {}) as Variables;
  const auto = /\b(enablePullRequestAutoMerge|disablePullRequestAutoMerge)\b/.exec(query);
  if (auto) {
    const field = auto[1] as 'enablePullRequestAutoMerge' | 'disablePullRequestAutoMerge';
    return autoMerge(state, login, query, vars, field);
  }
  if (/\baddPullRequestReviewThreadReply\b/.test(query)) {
    const id = arg(query, vars, 'pullRequestReviewThreadId');
    const found = findNode(state, id, 'PRRT_', (r, n) => r.threads.find((t) => t.id === n));
    if (!found) return notFound(id);
    const comment = openThreadReply(state, found.repo, found.node, {
      body: String(arg(query, vars, 'body') ?? ''),
      author: login,
    });
    const data = { comment: { id: `PRRC_${comment.id}`, databaseId: comment.id } };
    return { status: 200, body: { data: { addPullRequestReviewThreadReply: data } } };
  }
  const resolve = /\b(unresolveReviewThread|resolveReviewThread)\b/.exec(query);
  if (resolve) {
    const id = arg(query, vars, 'threadId');
    const found = findNode(state, id, 'PRRT_', (r, n) => r.threads.find((t) => t.id === n));
    if (!found) return notFound(id);
    if (!canWrite(found.repo, login)) {
      return errorReply('FORBIDDEN', `${login} does not have permission to resolve this thread`);
    }
    const resolved = resolve[1] === 'resolveReviewThread';
    found.node.resolved = resolved;
    found.node.resolvedBy = resolved ? login : null;
    const data = { thread: { id: `PRRT_${found.node.id}`, isResolved: resolved } };
    return { status: 200, body: { data: { [resolve[1] ?? '']: data } } };
  }
  const draft = /\b(markPullRequestReadyForReview|convertPullRequestToDraft)\b/.exec(query);
  if (draft) {
    const id = arg(query, vars, 'pullRequestId');
    const found = findNode(state, id, 'PR_', (r, n) =>
      [...r.issues.values()].find((i) => i.isPull && i.id === n),
    );
    if (!found) return notFound(id);
    const pull = found.repo.pulls.get(found.node.number);
    if (!pull || (!canWrite(found.repo, login) && found.node.author !== login)) {
      return errorReply(
        'FORBIDDEN',
        `${login} does not have permission to update this pull request`,
      );
    }
    if (found.node.state !== 'open') {
      return errorReply('UNPROCESSABLE', 'Pull request is closed');
    }
    const ready = draft[1] === 'markPullRequestReadyForReview';
    if (ready && pull.draft) recordReadyForReview(state, found.repo, pull.number, login);
    pull.draft = !ready;
    found.node.updatedAt = Date.now();
    const data = { pullRequest: { id, isDraft: pull.draft, number: pull.number } };
    return { status: 200, body: { data: { [draft[1] ?? '']: data } } };
  }
  if (/\breviewThreads\b/.test(query)) return reviewThreads(state, query, vars, html);
  return errorReply('UNSUPPORTED', 'emulator: this GraphQL operation is not emulated');
}
