// Intake bookkeeping: webhook deliveries seen (GitHub may deliver one more than once) and the forge
// cache of ETags and bodies, so an unchanged poll is a free 304.
import type { Clock } from '../domain/index.js';
import { type Db, isUniqueViolation } from './db-helpers.js';

export interface CachedResponse {
  etag: string | null;
  body: string;
  updatedAt: number;
}

export interface IntakeRepo {
  /** Records a delivery id; false when it was seen before (the delivery is a duplicate). */
  recordDelivery(id: string, event: string, action: string | null): Promise<boolean>;
  getCached(key: string): Promise<CachedResponse | null>;
  putCached(key: string, etag: string | null, body: string): Promise<void>;
}

export function createIntakeRepo(db: Db, clock: Clock): IntakeRepo {
  return {
    async recordDelivery(id, event, action) {
      try {
        await db
          .insertInto('webhook_deliveries')
          .values({ id, event, action, received_at: clock.now() })
          .execute();
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
    async getCached(key) {
      const row = await db
        .selectFrom('forge_cache')
        .selectAll()
        .where('key', '=', key)
        .executeTakeFirst();
      return row ? { etag: row.etag, body: row.body, updatedAt: row.updated_at } : null;
    },
    async putCached(key, etag, body) {
      await db
        .insertInto('forge_cache')
        .values({ key, etag, body, updated_at: clock.now() })
        .onConflict((oc) => oc.column('key').doUpdateSet({ etag, body, updated_at: clock.now() }))
        .execute();
    },
  };
}
