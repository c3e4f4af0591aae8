// Events: the append-only record of what happened. The SSE stream is this table read forward from
// a cursor, so ids only ever grow.
import type { Selectable } from 'kysely';
import type { Clock, LoopId, RunId } from '../domain/index.js';
import { type Db, fromJson, toJson } from './db-helpers.js';
import type { EventsTable } from './schema.js';

export interface EventRecord {
  /** Strictly increasing; use as the cursor for `listEvents({ after })`. */
  id: number;
  at: number;
  loopId: LoopId | null;
  runId: RunId | null;
  type: string;
  data: Record<string, unknown>;
}

export interface AppendEvent {
  loopId?: string | null;
  runId?: string | null;
  type: string;
  data?: Record<string, unknown>;
}

export interface ListEvents {
  /** Only events with a greater id. */
  after?: number;
  loopId?: string;
  /** Default 1000. */
  limit?: number;
}

export interface EventsRepo {
  appendEvent(input: AppendEvent): Promise<EventRecord>;
  /** Ascending by id. */
  listEvents(query?: ListEvents): Promise<EventRecord[]>;
  /** The loop's newest event of this type (e.g. its last `step.failed`), or null. */
  latestEvent(query: { loopId: string; type: string }): Promise<EventRecord | null>;
  /** 0 when there are none. */
  latestEventId(): Promise<number>;
}

function toRecord(row: Selectable<EventsTable>): EventRecord {
  return {
    id: Number(row.id),
    at: row.at,
    loopId: row.loop_id as LoopId | null,
    runId: row.run_id as RunId | null,
    type: row.type,
    data: fromJson<Record<string, unknown>>(row.data, {}),
  };
}

export function createEventsRepo(db: Db, clock: Clock): EventsRepo {
  return {
    async appendEvent(input) {
      const row = await db
        .insertInto('events')
        .values({
          at: clock.now(),
          loop_id: input.loopId ?? null,
          run_id: input.runId ?? null,
          type: input.type,
          data: toJson(input.data ?? {}),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async listEvents(query = {}) {
      let select = db.selectFrom('events').selectAll();
      if (query.after !== undefined) select = select.where('id', '>', query.after);
      if (query.loopId !== undefined) select = select.where('loop_id', '=', query.loopId);
      const rows = await select
        .orderBy('id')
        .limit(query.limit ?? 1000)
        .execute();
      return rows.map(toRecord);
    },

    async latestEvent(query) {
      const row = await db
        .selectFrom('events')
        .selectAll()
        .where('loop_id', '=', query.loopId)
        .where('type', '=', query.type)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async latestEventId() {
      const row = await db
        .selectFrom('events')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirst();
      return Number(row?.id ?? 0);
    },
  };
}
