// The event types Looper records (the events table, `GET /events`, the SSE stream), with what their
// `data` carries. The CLI and the dashboard read these names; keep them stable.

export const eventTypes = {
  'loop.created': 'a loop was created: project, number, title, queue',
  'loop.stage': 'a loop changed stage or paused state: from, to, paused, reason, attempt',
  'run.started': 'an agent run started: role, vendor, model, attempt',
  'run.activity':
    'agent output worth showing live: kind (text | tool_use | error), text, name, input',
  'run.finished':
    'an agent run ended: role, vendor, status, summary, duration_ms, tokens, cost_usd',
  'run.interrupted': 'a run was found orphaned after a daemon restart: role, pid',
  'checks.started': 'the project checks started: commands, log_path',
  'checks.command': 'one check command ended: command, passed, exit_code, duration_ms',
  'checks.finished': 'the project checks ended: passed, summary, fingerprint, output',
  'ci.failed': 'the forge reported failing checks on the head: sha, output',
  'git.commit': 'Looper committed: sha, committed (false when the commit already existed), what',
  'pr.opened': 'Looper opened a pull request: project_id, number, head',
  'git.push':
    'Looper pushed the branch: branch, sha, pushed (false when the remote was already there)',
  'step.failed': 'a step failed: stage, attempt, failure_class, reason',
  'queue.removed':
    'a person removed a waiting queue entry (its loop cancelled if live): entry_id, queue, by, cancelled',
  'worktree.removed': 'a worktree was removed: path',
  'worktree.kept': 'a worktree was kept because it is dirty: path, reason',
  'git.synced':
    'the worktree caught up with commits people pushed to the branch: branch, from, sha',
  'run.fallback': 'a run ended out of quota or rate-limited; the next vendor takes over: from, to',
  'intake.refused': 'a label or comment did not start or steer work: repo, number, actor, reason',
  'review.published': 'Looper published its review of the head: number, sha, verdict',
  'review.threads': "people's unresolved review threads went to the fixer: ids, comments",
  'review.threads.resolved':
    'the fix was pushed; each thread was replied to and resolved: ids, sha',
  'review.changes': "people's CHANGES_REQUESTED reviews went to the fixer: ids, reviews",
  'review.changes.addressed': 'the fix was pushed and the reviewers were told: ids, sha',
  'merge.conflict': 'the PR conflicts with its base; the fixer merges it: base',
  'merge.conflict.fixed': 'the merge was pushed: sha',
  'pr.reopened': 'a closed PR was reopened for a new loop on its issue: project_id, number, head',
  'pr.auto_merge':
    'auto-merge at ready: number, status (enabled | merged | refused | failed), reason, sha',
  'project.added': 'a project was added at run time: name, repo',
  'project.removed': 'a project was removed: name',
  'webhook.created': 'Looper created the repository webhook: repo, hook_id, url',
  'webhook.removed': 'Looper removed the repository webhook: repo, hook_id',
  'webhook.forward.started': 'looperd started `gh webhook forward` for a repository: repo, pid',
  'webhook.forward.exited':
    '`gh webhook forward` ended: repo, pid, exit_code, signal, ran_ms, restart_delay_ms, stderr_tail, reason',
} as const;

export type EventType = keyof typeof eventTypes;
