// Aggregates for `GET /metrics`: a handful of grouped counts and sums, cheap enough per scrape
// (each one query over an indexed or small table; events use max(id), not a count).
import type { QueueName, Role, RunStatus, VendorName } from '../domain/index.js';
import type { Db } from './db-helpers.js';
import type { QueueStatus } from './schema.js';

export interface QueueCount {
  queue: QueueName;
  status: QueueStatus;
  count: number;
}

export interface RunCount {
  role: Role;
  vendor: VendorName;
  status: RunStatus;
  count: number;
}

export interface UsageTotals {
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
}

export interface MetricsRepo {
  countQueueEntries(): Promise<QueueCount[]>;
  countRuns(): Promise<RunCount[]>;
  /** Cost and tokens summed over every loop. */
  usageTotals(): Promise<UsageTotals>;
  /** Events ever appended: ids are never reused, so the highest id is the count (0 when none). */
  eventsTotal(): Promise<number>;
}

export function createMetricsRepo(db: Db): MetricsRepo {
  return {
    async countQueueEntries() {
      const rows = await db
        .selectFrom('queue_entries')
        .select(['queue', 'status', (eb) => eb.fn.countAll<number | string>().as('count')])
        .groupBy(['queue', 'status'])
        .execute();
      return rows.map((row) => ({
        queue: row.queue,
        status: row.status,
        count: Number(row.count),
      }));
    },

    async countRuns() {
      const rows = await db
        .selectFrom('runs')
        .select(['role', 'vendor', 'status', (eb) => eb.fn.countAll<number | string>().as('count')])
        .groupBy(['role', 'vendor', 'status'])
        .execute();
      return rows.map((row) => ({
        role: row.role,
        vendor: row.vendor,
        status: row.status,
        count: Number(row.count),
      }));
    },

    async usageTotals() {
      const row = await db
        .selectFrom('loops')
        .select((eb) => [
          eb.fn.sum<number | string | null>('cost_usd').as('cost'),
          eb.fn.sum<number | string | null>('input_tokens').as('input'),
          eb.fn.sum<number | string | null>('output_tokens').as('output'),
          eb.fn.sum<number | string | null>('cached_tokens').as('cached'),
        ])
        .executeTakeFirst();
      return {
        costUsd: Number(row?.cost ?? 0),
        inputTokens: Number(row?.input ?? 0),
        outputTokens: Number(row?.output ?? 0),
        cachedTokens: Number(row?.cached ?? 0),
      };
    },

    async eventsTotal() {
      const row = await db
        .selectFrom('events')
        .select((eb) => eb.fn.max<number | string | null>('id').as('last'))
        .executeTakeFirst();
      return Number(row?.last ?? 0);
    },
  };
}
