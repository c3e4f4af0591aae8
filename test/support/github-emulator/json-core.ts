// GitHub's JSON shapes for users, repos, labels, issues, comments and issue events, built from the
// emulator's state. Every field the OpenAPI description requires is here, so responses validate.
import {
  type EmComment,
  type EmIssue,
  type EmIssueEvent,
  type EmLabel,
  type EmRepo,
  type EmulatorState,
  ensureUser,
  findLabel,
  roleOf,
} from './state.js';

export interface JsonContext {
  /** API base, e.g. http://127.0.0.1:1234 */
  api: string;
  /** Web base for html_url fields. */
  html: string;
  /** Base of the second host serving signed downloads (job logs), like GitHub's blob storage. */
  blobs?: string;
  state: EmulatorState;
}

export type Json = Record<string, unknown>;

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const enc = encodeURIComponent;

export function userJson(ctx: JsonContext, login: string): Json {
  const user = ensureUser(ctx.state, login);
  const api = `${ctx.api}/users/${enc(user.login)}`;
  return {
    login: user.login,
    id: user.id,
    node_id: `U_${user.id}`,
    avatar_url: `${ctx.html}/avatars/${enc(user.login)}`,
    gravatar_id: '',
    url: api,
    html_url: `${ctx.html}/${enc(user.login)}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    site_admin: false,
    user_view_type: 'public',
  };
}

export function authorAssociation(repo: EmRepo, login: string): string {
  if (login.toLowerCase() === repo.owner.toLowerCase()) return 'OWNER';
  return roleOf(repo, login) ? 'COLLABORATOR' : 'NONE';
}

export const repoApi = (ctx: JsonContext, repo: EmRepo): string =>
  `${ctx.api}/repos/${repo.fullName}`;
export const repoHtml = (ctx: JsonContext, repo: EmRepo): string => `${ctx.html}/${repo.fullName}`;

const repoUrlSuffixes = {
  archive_url: '/{archive_format}{/ref}',
  assignees_url: '/assignees{/user}',
  blobs_url: '/git/blobs{/sha}',
  branches_url: '/branches{/branch}',
  collaborators_url: '/collaborators{/collaborator}',
  comments_url: '/comments{/number}',
  commits_url: '/commits{/sha}',
  compare_url: '/compare/{base}...{head}',
  contents_url: '/contents/{+path}',
  contributors_url: '/contributors',
  deployments_url: '/deployments',
  downloads_url: '/downloads',
  events_url: '/events',
  forks_url: '/forks',
  git_commits_url: '/git/commits{/sha}',
  git_refs_url: '/git/refs{/sha}',
  git_tags_url: '/git/tags{/sha}',
  hooks_url: '/hooks',
  issue_comment_url: '/issues/comments{/number}',
  issue_events_url: '/issues/events{/number}',
  issues_url: '/issues{/number}',
  keys_url: '/keys{/key_id}',
  labels_url: '/labels{/name}',
  languages_url: '/languages',
  merges_url: '/merges',
  milestones_url: '/milestones{/number}',
  notifications_url: '/notifications{?since,all,participating}',
  pulls_url: '/pulls{/number}',
  releases_url: '/releases{/id}',
  stargazers_url: '/stargazers',
  statuses_url: '/statuses/{sha}',
  subscribers_url: '/subscribers',
  subscription_url: '/subscription',
  tags_url: '/tags',
  teams_url: '/teams',
  trees_url: '/git/trees{/sha}',
} as const;

export function repoJson(ctx: JsonContext, repo: EmRepo): Json {
  const api = repoApi(ctx, repo);
  const urls = Object.fromEntries(
    Object.entries(repoUrlSuffixes).map(([key, suffix]) => [key, `${api}${suffix}`]),
  );
  const openIssues = [...repo.issues.values()].filter((i) => i.state === 'open').length;
  return {
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: repo.fullName,
    owner: userJson(ctx, repo.owner),
    private: repo.private,
    html_url: repoHtml(ctx, repo),
    description: null,
    fork: false,
    url: api,
    ...urls,
    clone_url: repo.gitDir,
    git_url: `git://emulator/${repo.fullName}.git`,
    ssh_url: `git@emulator:${repo.fullName}.git`,
    svn_url: repoHtml(ctx, repo),
    mirror_url: null,
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues: openIssues,
    open_issues_count: openIssues,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    archived: false,
    disabled: false,
    allow_auto_merge: repo.allowAutoMerge ?? false,
    license: null,
    visibility: repo.private ? 'private' : 'public',
    pushed_at: iso(repo.createdAt),
    created_at: iso(repo.createdAt),
    updated_at: iso(repo.createdAt),
  };
}

export function labelJson(ctx: JsonContext, repo: EmRepo, label: EmLabel): Json {
  return {
    id: label.id,
    node_id: `LA_${label.id}`,
    url: `${repoApi(ctx, repo)}/labels/${enc(label.name)}`,
    name: label.name,
    description: label.description,
    color: label.color,
    default: false,
  };
}

export function issueLabelsJson(ctx: JsonContext, repo: EmRepo, names: string[]): Json[] {
  return names.flatMap((name) => {
    const label = findLabel(repo, name);
    return label ? [labelJson(ctx, repo, label)] : [];
  });
}

export function issueHtml(ctx: JsonContext, repo: EmRepo, issue: EmIssue): string {
  return `${repoHtml(ctx, repo)}/${issue.isPull ? 'pull' : 'issues'}/${issue.number}`;
}

export function issueJson(ctx: JsonContext, repo: EmRepo, issue: EmIssue): Json {
  const url = `${repoApi(ctx, repo)}/issues/${issue.number}`;
  const pull = repo.pulls.get(issue.number);
  const prApi = `${repoApi(ctx, repo)}/pulls/${issue.number}`;
  const html = issueHtml(ctx, repo, issue);
  return {
    id: issue.id,
    node_id: `I_${issue.id}`,
    url,
    repository_url: repoApi(ctx, repo),
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: html,
    number: issue.number,
    state: issue.state,
    state_reason: issue.state === 'closed' ? 'completed' : null,
    title: issue.title,
    body: issue.body,
    user: userJson(ctx, issue.author),
    labels: issueLabelsJson(ctx, repo, issue.labels),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: repo.comments.filter((c) => c.number === issue.number).length,
    ...(pull
      ? {
          pull_request: {
            url: prApi,
            html_url: html,
            diff_url: `${html}.diff`,
            patch_url: `${html}.patch`,
            merged_at: pull.mergedAt === null ? null : iso(pull.mergedAt),
          },
          draft: pull.draft,
        }
      : {}),
    closed_at: issue.closedAt === null ? null : iso(issue.closedAt),
    created_at: iso(issue.createdAt),
    updated_at: iso(issue.updatedAt),
    author_association: authorAssociation(repo, issue.author),
  };
}

export function commentJson(ctx: JsonContext, repo: EmRepo, comment: EmComment): Json {
  const issue = repo.issues.get(comment.number);
  const issueUrl = `${repoApi(ctx, repo)}/issues/${comment.number}`;
  const html = issue ? issueHtml(ctx, repo, issue) : issueUrl;
  return {
    id: comment.id,
    node_id: `IC_${comment.id}`,
    url: `${repoApi(ctx, repo)}/issues/comments/${comment.id}`,
    html_url: `${html}#issuecomment-${comment.id}`,
    issue_url: issueUrl,
    body: comment.body,
    user: userJson(ctx, comment.author),
    created_at: iso(comment.createdAt),
    updated_at: iso(comment.updatedAt),
    author_association: authorAssociation(repo, comment.author),
  };
}

export function issueEventJson(ctx: JsonContext, repo: EmRepo, event: EmIssueEvent): Json {
  const issue = repo.issues.get(event.number);
  const label = event.label === null ? null : findLabel(repo, event.label);
  return {
    id: event.id,
    node_id: `IE_${event.id}`,
    url: `${repoApi(ctx, repo)}/issues/events/${event.id}`,
    actor: userJson(ctx, event.actor),
    event: event.event,
    commit_id: null,
    commit_url: null,
    created_at: iso(event.createdAt),
    issue: issue ? issueJson(ctx, repo, issue) : null,
    ...(event.label === null
      ? {}
      : { label: { name: event.label, color: label?.color ?? 'ededed' } }),
    performed_via_github_app: null,
  };
}
