// Runs: one agent invocation per row (role, vendor, process, exit, usage, log). Crash recovery
// reads the running ones back with their pid and pid start time.
import type { Selectable } from 'kysely';
import {
  type Clock,
  type IdSource,
  LooperError,
  type LoopId,
  type Role,
  type RunId,
  type RunStatus,
  type Stage,
  type VendorName,
} from '../domain/index.js';
import { type Db, fromJson, toJson } from './db-helpers.js';
import type { RunsTable } from './schema.js';

export interface RunRecord {
  id: RunId;
  loopId: LoopId;
  role: Role;
  vendor: VendorName;
  model: string | null;
  stage: Stage;
  attempt: number;
  status: RunStatus;
  pid: number | null;
  /** The process start time as the OS reports it, so a reused pid is not mistaken for ours. */
  pidStartTime: string | null;
  nodeId: string | null;
  exitCode: number | null;
  signal: string | null;
  errorKind: string | null;
  errorMessage: string | null;
  summary: string | null;
  /** The role's parsed result. */
  result: unknown;
  sessionId: string | null;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costUsd: number | null;
  logPath: string;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
}

export interface CreateRun {
  /** Default: a new id from the store's IdSource (pass one when it is needed before the insert). */
  id?: string;
  loopId: string;
  role: Role;
  vendor: VendorName;
  model?: string | null;
  stage: Stage;
  attempt: number;
  logPath: string;
  nodeId?: string | null;
  sessionId?: string | null;
}

export interface FinishRun {
  status: Exclude<RunStatus, 'running'>;
  exitCode?: number | null;
  signal?: string | null;
  errorKind?: string | null;
  errorMessage?: string | null;
  summary?: string | null;
  result?: unknown;
  sessionId?: string | null;
  inputTokens?: number;
  outputTokens?: number;
  cachedTokens?: number;
  costUsd?: number | null;
}

export interface RunsRepo {
  /** Starts a run in status `running` at `clock.now()`. */
  createRun(input: CreateRun): Promise<RunRecord>;
  setRunPid(id: string, pid: number, pidStartTime: string | null): Promise<void>;
  /** Records the vendor's session id as soon as it is known, so an interrupted run can be resumed. */
  setRunSession(id: string, sessionId: string): Promise<void>;
  /**
   * Records the outcome of a running run and returns the stored record. The first finish wins: a
   * run that is no longer `running` is returned unchanged. Throws LooperError('not_found').
   */
  finishRun(id: string, outcome: FinishRun): Promise<RunRecord>;
  /** Throws LooperError('not_found'). */
  getRun(id: string): Promise<RunRecord>;
  /** Oldest first. */
  listRunsForLoop(loopId: string): Promise<RunRecord[]>;
  /** Runs still marked running (optionally on one node), oldest first. */
  listRunningRuns(nodeId?: string): Promise<RunRecord[]>;
}

function toRecord(row: Selectable<RunsTable>): RunRecord {
  return {
    id: row.id as RunId,
    loopId: row.loop_id as LoopId,
    role: row.role,
    vendor: row.vendor,
    model: row.model,
    stage: row.stage,
    attempt: row.attempt,
    status: row.status,
    pid: row.pid,
    pidStartTime: row.pid_start_time,
    nodeId: row.node_id,
    exitCode: row.exit_code,
    signal: row.signal,
    errorKind: row.error_kind,
    errorMessage: row.error_message,
    summary: row.summary,
    result: fromJson<unknown>(row.result, null),
    sessionId: row.session_id,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cachedTokens: row.cached_tokens,
    costUsd: row.cost_usd,
    logPath: row.log_path,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
  };
}

export function createRunsRepo(db: Db, clock: Clock, ids: IdSource): RunsRepo {
  const getRun = async (id: string) => {
    const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new LooperError('not_found', `run ${id} not found`);
    return toRecord(row);
  };

  return {
    async createRun(input) {
      const row = await db
        .insertInto('runs')
        .values({
          id: input.id ?? ids.next('run'),
          loop_id: input.loopId,
          role: input.role,
          vendor: input.vendor,
          model: input.model ?? null,
          stage: input.stage,
          attempt: input.attempt,
          status: 'running',
          node_id: input.nodeId ?? null,
          session_id: input.sessionId ?? null,
          input_tokens: 0,
          output_tokens: 0,
          cached_tokens: 0,
          log_path: input.logPath,
          started_at: clock.now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async setRunPid(id, pid, pidStartTime) {
      await db
        .updateTable('runs')
        .set({ pid, pid_start_time: pidStartTime })
        .where('id', '=', id)
        .execute();
    },

    async setRunSession(id, sessionId) {
      await db.updateTable('runs').set({ session_id: sessionId }).where('id', '=', id).execute();
    },

    async finishRun(id, outcome) {
      const now = clock.now();
      await db
        .updateTable('runs')
        .set((eb) => ({
          status: outcome.status,
          exit_code: outcome.exitCode ?? null,
          signal: outcome.signal ?? null,
          error_kind: outcome.errorKind ?? null,
          error_message: outcome.errorMessage ?? null,
          summary: outcome.summary ?? null,
          result: outcome.result === undefined ? null : toJson(outcome.result),
          ...(outcome.sessionId !== undefined ? { session_id: outcome.sessionId } : {}),
          input_tokens: outcome.inputTokens ?? 0,
          output_tokens: outcome.outputTokens ?? 0,
          cached_tokens: outcome.cachedTokens ?? 0,
          cost_usd: outcome.costUsd ?? null,
          finished_at: now,
          duration_ms: eb(eb.val(now), '-', eb.ref('started_at')),
        }))
        .where('id', '=', id)
        .where('status', '=', 'running')
        .execute();
      return getRun(id);
    },

    getRun,

    async listRunsForLoop(loopId) {
      const rows = await db
        .selectFrom('runs')
        .selectAll()
        .where('loop_id', '=', loopId)
        .orderBy('started_at')
        .orderBy('id')
        .execute();
      return rows.map(toRecord);
    },

    async listRunningRuns(nodeId) {
      let query = db.selectFrom('runs').selectAll().where('status', '=', 'running');
      if (nodeId !== undefined) query = query.where('node_id', '=', nodeId);
      const rows = await query.orderBy('started_at').orderBy('id').execute();
      return rows.map(toRecord);
    },
  };
}
