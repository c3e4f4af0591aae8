// Nodes: each running looperd registers itself (name, version, capacity), heartbeats while it runs
// and marks itself stopped at a graceful shutdown. `GET /nodes` reads them; multi-node shares them.
import type { Selectable } from 'kysely';
import type { Clock } from '../domain/index.js';
import { affected, type Db } from './db-helpers.js';
import type { NodesTable } from './schema.js';

export interface NodeRecord {
  id: string;
  /** The host name it runs on. */
  name: string;
  version: string;
  /** Loops it runs at once (`daemon.max-concurrent-loops`). */
  capacity: number;
  startedAt: number;
  heartbeatAt: number;
  /** Set when it stopped gracefully; null while it runs or when it died without a word. */
  stoppedAt: number | null;
}

export interface RegisterNode {
  id: string;
  name: string;
  version: string;
  capacity: number;
}

export interface NodesRepo {
  /** Inserts or refreshes the node as just started: heartbeat now, not stopped. */
  registerNode(input: RegisterNode): Promise<NodeRecord>;
  /** Refreshes the heartbeat; false when the node is not registered (or is marked stopped). */
  heartbeatNode(id: string): Promise<boolean>;
  /** Marks the node stopped (a graceful shutdown). */
  stopNode(id: string): Promise<void>;
  /** Every node that ever registered, the most recently started first. */
  listNodes(): Promise<NodeRecord[]>;
}

function toRecord(row: Selectable<NodesTable>): NodeRecord {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    capacity: row.capacity,
    startedAt: Number(row.started_at),
    heartbeatAt: Number(row.heartbeat_at),
    stoppedAt: row.stopped_at === null ? null : Number(row.stopped_at),
  };
}

export function createNodesRepo(db: Db, clock: Clock): NodesRepo {
  return {
    async registerNode(input) {
      const now = clock.now();
      const row = {
        name: input.name,
        version: input.version,
        capacity: input.capacity,
        started_at: now,
        heartbeat_at: now,
        stopped_at: null,
      };
      await db
        .insertInto('nodes')
        .values({ id: input.id, ...row })
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute();
      return toRecord({ id: input.id, ...row });
    },

    async heartbeatNode(id) {
      const result = await db
        .updateTable('nodes')
        .set({ heartbeat_at: clock.now() })
        .where('id', '=', id)
        .where('stopped_at', 'is', null)
        .executeTakeFirst();
      return affected(result) > 0;
    },

    async stopNode(id) {
      const now = clock.now();
      await db
        .updateTable('nodes')
        .set({ heartbeat_at: now, stopped_at: now })
        .where('id', '=', id)
        .execute();
    },

    async listNodes() {
      const rows = await db
        .selectFrom('nodes')
        .selectAll()
        .orderBy('started_at', 'desc')
        .orderBy('id')
        .execute();
      return rows.map(toRecord);
    },
  };
}
