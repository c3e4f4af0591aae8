// Store records → the API's wire shapes (snake_case, ISO times).
import type { EventView, LoopView, RunView } from '../api/index.js';
import type { EventRecord, LoopRecord, ProjectRecord, RunRecord } from '../store/index.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function runView(run: RunRecord): RunView {
  return {
    id: run.id,
    loop_id: run.loopId,
    role: run.role,
    vendor: run.vendor,
    model: run.model,
    stage: run.stage,
    attempt: run.attempt,
    status: run.status,
    exit_code: run.exitCode,
    error_kind: run.errorKind,
    error_message: run.errorMessage,
    summary: run.summary,
    started_at: iso(run.startedAt),
    finished_at: isoOrNull(run.finishedAt),
    duration_ms: run.durationMs,
    tokens: { input: run.inputTokens, output: run.outputTokens, cached: run.cachedTokens },
    cost_usd: run.costUsd,
    session_id: run.sessionId,
    log_path: run.logPath,
  };
}

export interface LoopViewInput {
  loop: LoopRecord;
  project: ProjectRecord;
  vendor: string;
  pr: { number: number; url: string; state: string } | null;
  runs?: RunRecord[];
}

export function loopView({ loop, project, vendor, pr, runs }: LoopViewInput): LoopView {
  const view: LoopView = {
    id: loop.id,
    project: { id: project.id, name: project.name, path: project.path, repo: project.repo },
    kind: loop.kind,
    number: loop.number,
    title: loop.title,
    stage: loop.stage,
    paused: loop.paused,
    reason: loop.state.reason,
    branch: loop.branch,
    pr,
    rounds: {
      plan: loop.state.planRounds,
      local_fix: loop.state.localFixRounds,
      fix: loop.state.fixRounds,
    },
    attempt: loop.state.attempt,
    vendor,
    model: loop.options.model ?? null,
    checks: loop.options.checks ?? project.checks,
    cost_usd: loop.costUsd,
    tokens: { input: loop.inputTokens, output: loop.outputTokens, cached: loop.cachedTokens },
    created_at: iso(loop.createdAt),
    updated_at: iso(loop.updatedAt),
    finished_at: isoOrNull(loop.finishedAt),
  };
  if (runs) view.runs = runs.map(runView);
  return view;
}

export function eventView(event: EventRecord): EventView {
  return {
    id: event.id,
    at: iso(event.at),
    type: event.type,
    loop_id: event.loopId,
    run_id: event.runId,
    data: event.data,
  };
}
