// The idempotency journal: each forge or git effect has a key from (loop, stage, attempt, effect);
// a step replayed after a crash finds the key done and reuses its result instead of acting twice.
import type { Selectable } from 'kysely';
import { type Clock, LooperError, type LoopId } from '../domain/index.js';
import { affected, type Db, fromJson, toJson } from './db-helpers.js';
import type { EffectStatus, EffectsTable } from './schema.js';

export interface EffectRecord {
  key: string;
  loopId: LoopId;
  status: EffectStatus;
  result: unknown;
  createdAt: number;
  updatedAt: number;
}

export interface EffectsRepo {
  getEffect(key: string): Promise<EffectRecord | null>;
  /**
   * Records that an effect is starting. If the key exists already, returns it unchanged: `done`
   * means skip the effect and use `result`; `started` means a previous attempt may have acted.
   */
  startEffect(key: string, loopId: string): Promise<EffectRecord>;
  /** Marks the effect done with its result. Throws LooperError('not_found') for an unknown key. */
  finishEffect(key: string, result: unknown): Promise<EffectRecord>;
}

/** The journal key for one effect of one step. */
export function effectKey(loopId: string, stage: string, attempt: number, effect: string): string {
  return `${loopId}:${stage}:${attempt}:${effect}`;
}

function toRecord(row: Selectable<EffectsTable>): EffectRecord {
  return {
    key: row.key,
    loopId: row.loop_id as LoopId,
    status: row.status,
    result: fromJson<unknown>(row.result, null),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createEffectsRepo(db: Db, clock: Clock): EffectsRepo {
  const getEffect = async (key: string) => {
    const row = await db
      .selectFrom('effects')
      .selectAll()
      .where('key', '=', key)
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  };

  return {
    getEffect,

    async startEffect(key, loopId) {
      const now = clock.now();
      await db
        .insertInto('effects')
        .values({
          key,
          loop_id: loopId,
          status: 'started',
          result: null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      const effect = await getEffect(key);
      if (!effect) throw new LooperError('store_failed', `effect ${key} vanished after insert`);
      return effect;
    },

    async finishEffect(key, result) {
      const outcome = await db
        .updateTable('effects')
        .set({ status: 'done', result: toJson(result), updated_at: clock.now() })
        .where('key', '=', key)
        .executeTakeFirst();
      const effect = affected(outcome) === 1 ? await getEffect(key) : null;
      if (!effect) throw new LooperError('not_found', `effect ${key} not found`);
      return effect;
    },
  };
}
