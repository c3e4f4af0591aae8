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
  'worktree.removed': 'a worktree was removed: path',
  'worktree.kept': 'a worktree was kept because it is dirty: path, reason',
} as const;

export type EventType = keyof typeof eventTypes;
