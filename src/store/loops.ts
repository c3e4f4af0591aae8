// Loops: each loop's durable state machine (the domain LoopState as JSON), its pending effects and
// usage totals. Saves are optimistic: a stale version is a conflict, never a silent overwrite.
import type { Selectable } from 'kysely';
import {
  type Clock,
  type IdSource,
  isTerminalStage,
  type LoopEffect,
  LooperError,
  type LoopId,
  type LoopState,
  newLoopState,
  type ProjectId,
  type Stage,
  stages,
  terminalStages,
  type VendorName,
} from '../domain/index.js';
import { affected, type Db, fromJson, toJson } from './db-helpers.js';
import type { LoopKind, LoopsTable } from './schema.js';

/** Per-loop overrides of the project's choices. */
export interface LoopOptions {
  vendor?: VendorName;
  model?: string;
  checks?: string[];
  /** A PR loop's base branch (read from the PR when the loop starts). */
  prBase?: string;
  /** A review loop's head ref on the forge (`pull/<n>/head`): a fork's PR is read from there. */
  prRef?: string;
}

export interface LoopRecord {
  id: LoopId;
  projectId: ProjectId;
  kind: LoopKind;
  /** Issue or PR number on the forge. */
  number: number;
  title: string;
  body: string;
  stage: Stage;
  paused: boolean;
  state: LoopState;
  branch: string | null;
  prNumber: number | null;
  options: LoopOptions;
  /** Effects recorded with the last transition and not yet applied. */
  pendingEffects: LoopEffect[];
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  version: number;
  createdAt: number;
  updatedAt: number;
  /** Set when the loop reaches a terminal stage; cleared if it leaves one. */
  finishedAt: number | null;
}

export interface CreateLoop {
  /** Default: a new id from the store's IdSource (pass one when it is needed before the insert). */
  id?: string;
  projectId: string;
  kind: LoopKind;
  number: number;
  title: string;
  body?: string;
  options?: LoopOptions;
  branch?: string | null;
  prNumber?: number | null;
  /** Defaults to `newLoopState(now)` (stage `queued`). */
  state?: LoopState;
}

export interface ListLoops {
  stage?: Stage;
  /** Any of these stages. */
  stages?: readonly Stage[];
  /** true: only non-terminal stages; false: only terminal ones. */
  active?: boolean;
  projectId?: string;
  /** Default 100. */
  limit?: number;
  offset?: number;
  /** `created` (default): newest created first; `finished`: most recently ended first. */
  order?: 'created' | 'finished';
}

export interface SaveLoopState {
  state: LoopState;
  pendingEffects: LoopEffect[];
  branch?: string | null;
  prNumber?: number | null;
  options?: LoopOptions;
}

export interface LoopUsage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costUsd: number;
}

export interface LoopsRepo {
  createLoop(input: CreateLoop): Promise<LoopRecord>;
  /** Throws LooperError('not_found'). */
  getLoop(id: string): Promise<LoopRecord>;
  /** Newest first. */
  listLoops(filter?: ListLoops): Promise<LoopRecord[]>;
  /** The loop at a non-terminal stage for this issue/PR, if any (SPEC §2 dedupe). */
  findActiveLoopForTarget(
    projectId: string,
    kind: LoopKind,
    number: number,
  ): Promise<LoopRecord | null>;
  /**
   * Stores a transition's result if the row is still at `expectedVersion`; returns the new version.
   * Throws LooperError('conflict') if someone saved in between, 'not_found' if there is no loop.
   */
  saveLoopState(id: string, save: SaveLoopState, expectedVersion: number): Promise<number>;
  /** Adds one run's usage to the totals. Does not bump `version` (it is not a state change). */
  addLoopUsage(id: string, usage: LoopUsage): Promise<void>;
  /** Every stage, zero when empty. */
  countLoopsByStage(): Promise<Record<Stage, number>>;
}

function toRecord(row: Selectable<LoopsTable>): LoopRecord {
  return {
    id: row.id as LoopId,
    projectId: row.project_id as ProjectId,
    kind: row.kind,
    number: row.number,
    title: row.title,
    body: row.body,
    stage: row.stage,
    paused: row.paused === 1,
    // The row's kind is authoritative (states stored before PR loops carry none).
    state: { ...fromJson<LoopState>(row.state, newLoopState(row.created_at)), kind: row.kind },
    branch: row.branch,
    prNumber: row.pr_number,
    options: fromJson<LoopOptions>(row.options, {}),
    pendingEffects: fromJson<LoopEffect[]>(row.pending_effects, []),
    costUsd: row.cost_usd,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cachedTokens: row.cached_tokens,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

export function createLoopsRepo(db: Db, clock: Clock, ids: IdSource): LoopsRepo {
  const getLoop = async (id: string) => {
    const row = await db.selectFrom('loops').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new LooperError('not_found', `loop ${id} not found`);
    return toRecord(row);
  };

  return {
    async createLoop(input) {
      const now = clock.now();
      const state = input.state ?? newLoopState(now, input.kind);
      const row = await db
        .insertInto('loops')
        .values({
          id: input.id ?? ids.next('loop'),
          project_id: input.projectId,
          kind: input.kind,
          number: input.number,
          title: input.title,
          body: input.body ?? '',
          stage: state.stage,
          paused: state.paused ? 1 : 0,
          state: toJson(state),
          branch: input.branch ?? null,
          pr_number: input.prNumber ?? null,
          options: toJson(input.options ?? {}),
          pending_effects: '[]',
          cost_usd: 0,
          input_tokens: 0,
          output_tokens: 0,
          cached_tokens: 0,
          version: 1,
          created_at: now,
          updated_at: now,
          finished_at: isTerminalStage(state.stage) ? now : null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    getLoop,

    async listLoops(filter = {}) {
      let query = db.selectFrom('loops').selectAll();
      if (filter.stage) query = query.where('stage', '=', filter.stage);
      if (filter.stages) {
        if (filter.stages.length === 0) return [];
        query = query.where('stage', 'in', [...filter.stages]);
      }
      if (filter.projectId) query = query.where('project_id', '=', filter.projectId);
      if (filter.active !== undefined) {
        query = query.where('stage', filter.active ? 'not in' : 'in', [...terminalStages]);
      }
      if (filter.order === 'finished') query = query.orderBy('finished_at', 'desc');
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit ?? 100)
        .offset(filter.offset ?? 0)
        .execute();
      return rows.map(toRecord);
    },

    async findActiveLoopForTarget(projectId, kind, number) {
      const row = await db
        .selectFrom('loops')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('kind', '=', kind)
        .where('number', '=', number)
        .where('stage', 'not in', [...terminalStages])
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async saveLoopState(id, save, expectedVersion) {
      const now = clock.now();
      const { state } = save;
      const result = await db
        .updateTable('loops')
        .set((eb) => ({
          state: toJson(state),
          stage: state.stage,
          paused: state.paused ? 1 : 0,
          pending_effects: toJson(save.pendingEffects),
          ...(save.branch !== undefined ? { branch: save.branch } : {}),
          ...(save.prNumber !== undefined ? { pr_number: save.prNumber } : {}),
          ...(save.options !== undefined ? { options: toJson(save.options) } : {}),
          version: expectedVersion + 1,
          updated_at: now,
          finished_at: isTerminalStage(state.stage)
            ? eb.fn.coalesce('finished_at', eb.val(now))
            : null,
        }))
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (affected(result) === 1) return expectedVersion + 1;
      const current = await getLoop(id);
      throw new LooperError(
        'conflict',
        `loop ${id} changed meanwhile (version ${current.version}, expected ${expectedVersion})`,
        { details: { loopId: id, version: current.version, expectedVersion } },
      );
    },

    async addLoopUsage(id, usage) {
      const result = await db
        .updateTable('loops')
        .set((eb) => ({
          input_tokens: eb('input_tokens', '+', usage.inputTokens),
          output_tokens: eb('output_tokens', '+', usage.outputTokens),
          cached_tokens: eb('cached_tokens', '+', usage.cachedTokens),
          cost_usd: eb('cost_usd', '+', usage.costUsd),
          updated_at: clock.now(),
        }))
        .where('id', '=', id)
        .executeTakeFirst();
      if (affected(result) === 0) throw new LooperError('not_found', `loop ${id} not found`);
    },

    async countLoopsByStage() {
      const rows = await db
        .selectFrom('loops')
        .select(['stage', (eb) => eb.fn.countAll<number | string>().as('count')])
        .groupBy('stage')
        .execute();
      const counts = Object.fromEntries(stages.map((s) => [s, 0])) as Record<Stage, number>;
      for (const row of rows) counts[row.stage] = Number(row.count);
      return counts;
    },
  };
}
