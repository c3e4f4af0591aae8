// Human renderings of API views: durations, money, token counts, loop and run tables, the status
// block and one-line descriptions of live events. Pure: they return strings for output.ts.
import type { EventView, LoopView, RunView, StatusView, TokensView } from '../api/index.js';
import { formatPairs, formatTable, truncate } from './output.js';

/** `850ms`, `12s`, `3m05s`, `2h03m`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  const seconds = Math.floor(ms / 1_000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** `[mm:ss]` (or `[h:mm:ss]`) since the start of a wait. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1_000));
  const seconds = String(total % 60).padStart(2, '0');
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `[${String(minutes).padStart(2, '0')}:${seconds}]`;
  return `[${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}:${seconds}]`;
}

export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return '-';
  return usd > 0 && usd < 0.01 ? '<$0.01' : `$${usd.toFixed(2)}`;
}

/** `950`, `12.3k`, `1.2M`. */
export function formatCount(count: number): string {
  if (count < 1_000) return String(count);
  if (count < 1_000_000) return `${(count / 1_000).toFixed(count < 10_000 ? 1 : 0)}k`;
  return `${(count / 1_000_000).toFixed(1)}M`;
}

export function formatTokens(tokens: TokensView): string {
  if (tokens.input + tokens.output === 0) return '-';
  return `${formatCount(tokens.input)} in / ${formatCount(tokens.output)} out`;
}

/** `5m ago` from an ISO time. */
export function formatAge(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const ms = Math.max(0, now - at);
  return ms < 1_000 ? 'just now' : `${formatDuration(ms)} ago`;
}

export function loopTable(loops: readonly LoopView[], now: number, width: number): string {
  if (loops.length === 0) return 'no loops';
  const rows = loops.map((loop) => [
    loop.id,
    loop.paused ? `${loop.stage} (paused)` : loop.stage,
    loop.project.name,
    formatCost(loop.cost_usd),
    formatAge(loop.updated_at, now),
    loop.title,
  ]);
  const header = ['ID', 'STAGE', 'PROJECT', 'COST', 'UPDATED', 'TITLE'];
  const fixed = formatTable(
    header.slice(0, -1),
    rows.map((row) => row.slice(0, -1)),
  ).split('\n')[0] as string;
  const room = Math.max(20, width - fixed.length - 2);
  return formatTable(
    header,
    rows.map((row) => [...row.slice(0, -1), truncate(row.at(-1) ?? '', room)]),
    ['left', 'left', 'left', 'right', 'right', 'left'],
  );
}

export function runTable(runs: readonly RunView[]): string {
  if (runs.length === 0) return 'no runs yet';
  const rows = runs.map((run) => [
    run.role,
    run.vendor,
    run.status,
    run.duration_ms === null ? '-' : formatDuration(run.duration_ms),
    run.tokens.input + run.tokens.output === 0
      ? '-'
      : formatCount(run.tokens.input + run.tokens.output),
    formatCost(run.cost_usd),
    run.id,
  ]);
  return formatTable(['ROLE', 'VENDOR', 'STATUS', 'DURATION', 'TOKENS', 'COST', 'RUN'], rows, [
    'left',
    'left',
    'left',
    'right',
    'right',
    'right',
    'left',
  ]);
}

export function loopDetails(loop: LoopView, now: number): string {
  const project = loop.project.path ?? loop.project.repo;
  const pairs: [string, string][] = [
    ['loop', `${loop.id}  ${loop.title}`],
    ['project', project === null ? loop.project.name : `${loop.project.name} (${project})`],
    ['target', `${loop.kind} #${loop.number}`],
    ['stage', `${loop.stage}${loop.paused ? ' (paused)' : ''}`],
    ['reason', loop.reason ?? '-'],
    ['branch', loop.branch ?? '-'],
    ['pr', loop.pr === null ? '-' : `#${loop.pr.number} ${loop.pr.url} (${loop.pr.state})`],
    [
      'rounds',
      `plan ${loop.rounds.plan} · local fix ${loop.rounds.local_fix} · fix ${loop.rounds.fix}`,
    ],
    ['vendor', loop.model === null ? loop.vendor : `${loop.vendor} (${loop.model})`],
    ['checks', loop.checks.length === 0 ? '-' : loop.checks.join(' · ')],
    ['cost', `${formatCost(loop.cost_usd)} · tokens ${formatTokens(loop.tokens)}`],
    ['created', `${loop.created_at} (${formatAge(loop.created_at, now)})`],
  ];
  if (loop.finished_at !== null) {
    const took = Date.parse(loop.finished_at) - Date.parse(loop.created_at);
    pairs.push(['finished', `${loop.finished_at} (took ${formatDuration(took)})`]);
  }
  return formatPairs(pairs);
}

export function statusDetails(status: StatusView, url: string): string {
  const byStage = Object.entries(status.loops.by_stage)
    .filter(([, count]) => (count ?? 0) > 0)
    .map(([stage, count]) => `${stage} ${count}`)
    .join(', ');
  return formatPairs([
    ['url', url],
    ['version', status.version],
    ['pid', String(status.pid)],
    ['node', status.node],
    ['data dir', status.data_dir],
    ['storage', status.storage],
    ['uptime', formatDuration(status.uptime_s * 1_000)],
    ['loops', `${status.loops.active} active${byStage === '' ? '' : ` (${byStage})`}`],
    ['queue', `${status.queue.queued} queued, ${status.queue.claimed} claimed`],
    [
      'runs',
      `${status.runs.running} running (at most ${status.limits.max_concurrent_loops} loops at once)`,
    ],
  ]);
}

/** One progress line for a live event (names in src/domain/events.ts), or undefined. */
export function describeEvent(event: EventView): string | undefined {
  const data = event.data;
  const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
  const num = (key: string) => (typeof data[key] === 'number' ? (data[key] as number) : undefined);
  switch (event.type) {
    case 'loop.created':
      return `loop created for #${num('number') ?? '?'} ${text('title') ?? ''}`.trimEnd();
    case 'loop.stage': {
      const reason = text('reason');
      const paused = data.paused === true ? ' (paused)' : '';
      return `stage ${text('from') ?? '?'} → ${text('to') ?? '?'}${paused}${reason ? `: ${reason}` : ''}`;
    }
    case 'run.started':
      return `${text('role') ?? 'agent'} started (${text('vendor') ?? '?'})${runSuffix(event)}`;
    case 'run.finished': {
      const duration = num('duration_ms');
      const summary = text('summary') ?? text('error_message');
      return `${text('role') ?? 'agent'} ${text('status') ?? 'finished'}${duration === undefined ? '' : ` in ${formatDuration(duration)}`} ${formatCost(num('cost_usd') ?? null)}${summary ? `: ${summary}` : ''}`;
    }
    case 'run.activity': {
      const body =
        text('kind') === 'tool_use'
          ? `${text('name') ?? 'tool'} ${text('input') ?? ''}`
          : (text('text') ?? text('message'));
      return body === undefined ? undefined : `  · ${body.split('\n')[0]}`;
    }
    case 'checks.command':
      return `check ${data.passed === true ? 'passed' : 'failed'}: ${text('command') ?? ''}`;
    case 'checks.finished':
      return `checks: ${text('summary') ?? ''}`;
    case 'git.commit':
      return data.committed === true
        ? `committed ${(text('sha') ?? '').slice(0, 8)} (${text('what') ?? ''})`
        : undefined;
    case 'step.failed':
      return `step failed (${text('failure_class') ?? '?'}): ${text('reason') ?? ''}`;
    case 'checks.started':
    case 'run.interrupted':
    case 'ci.failed':
    case 'worktree.kept':
    case 'worktree.removed':
      return `${event.type}${text('reason') ? `: ${text('reason')}` : ''}`;
    default:
      return undefined;
  }
}

function runSuffix(event: EventView): string {
  return event.run_id === null ? '' : ` ${event.run_id}`;
}
