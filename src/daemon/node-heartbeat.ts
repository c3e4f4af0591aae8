// This daemon as a node in the `nodes` table: registered at start, its heartbeat refreshed on a
// timer while it runs, and marked stopped at a graceful shutdown (SPEC §9).
import type { Store } from '../store/index.js';

/** How often a node refreshes its heartbeat; a node silent for three intervals is not alive. */
export const nodeHeartbeatMs = 15_000;

export interface NodeHeartbeatOptions {
  store: Pick<Store, 'nodes'>;
  id: string;
  name: string;
  version: string;
  capacity: number;
  intervalMs?: number;
  log: { warn(data: object, message: string): void };
}

export interface NodeHeartbeat {
  /** Stops the timer and marks the node stopped; call before the store closes. */
  stop(): Promise<void>;
}

export async function startNodeHeartbeat(options: NodeHeartbeatOptions): Promise<NodeHeartbeat> {
  const { store, id } = options;
  const register = () =>
    store.nodes.registerNode({
      id,
      name: options.name,
      version: options.version,
      capacity: options.capacity,
    });
  await register();
  let beat: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    beat = (async () => {
      // A row deleted under us (a cleanup on another node) is put back.
      if (!(await store.nodes.heartbeatNode(id))) await register();
    })().catch((error: unknown) => {
      options.log.warn({ error: String(error) }, 'node heartbeat failed');
    });
  }, options.intervalMs ?? nodeHeartbeatMs);
  // The heartbeat alone must not keep the process alive.
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await beat;
      await store.nodes.stopNode(id);
    },
  };
}
