// The daemon's side of `GET /metrics` and `GET /nodes`: counts and sums from the store, this
// process's own figures, and the GitHub rate limit as the gateway last saw it (no request made).
import type { MetricsSnapshot, NodeView, OpsService, RateLimitSample } from '../api/index.js';
import type { Clock } from '../domain/index.js';
import type { NodeRecord, Store } from '../store/index.js';

/** The process figures a scrape reports; `processFigures()` reads the real ones. */
export interface ProcessFigures {
  residentMemoryBytes: number;
  heapUsedBytes: number;
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  /** Epoch milliseconds the process started. */
  startedAt: number;
}

export function processFigures(): ProcessFigures {
  const cpu = process.cpuUsage();
  return {
    residentMemoryBytes: process.memoryUsage.rss(),
    heapUsedBytes: process.memoryUsage().heapUsed,
    cpuUserSeconds: cpu.user / 1e6,
    cpuSystemSeconds: cpu.system / 1e6,
    startedAt: Math.round(performance.timeOrigin),
  };
}

export interface OpsServiceDeps {
  store: Pick<Store, 'loops' | 'metrics' | 'nodes'>;
  clock: Clock;
  nodeId: string;
  version: string;
  /** When the daemon started serving (epoch ms): uptime counts from here. */
  startedAt: number;
  heartbeatMs: number;
  rateLimits?: () => RateLimitSample[];
  process?: () => ProcessFigures;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function nodeView(
  node: NodeRecord,
  now: number,
  heartbeatMs: number,
  self: string,
): NodeView {
  return {
    id: node.id,
    name: node.name,
    version: node.version,
    capacity: node.capacity,
    started_at: iso(node.startedAt),
    heartbeat_at: iso(node.heartbeatAt),
    stopped_at: node.stoppedAt === null ? null : iso(node.stoppedAt),
    alive: node.stoppedAt === null && now - node.heartbeatAt <= 3 * heartbeatMs,
    current: node.id === self,
  };
}

export function createOpsService(deps: OpsServiceDeps): OpsService {
  const { store } = deps;
  return {
    async metrics(): Promise<MetricsSnapshot> {
      const [loopsByStage, queue, runs, usage, eventsTotal] = await Promise.all([
        store.loops.countLoopsByStage(),
        store.metrics.countQueueEntries(),
        store.metrics.countRuns(),
        store.metrics.usageTotals(),
        store.metrics.eventsTotal(),
      ]);
      const figures = (deps.process ?? processFigures)();
      return {
        version: deps.version,
        nodeVersion: process.version,
        loopsByStage,
        queueEntries: queue.map((q) => ({ queue: q.queue, state: q.status, count: q.count })),
        runs,
        costUsd: usage.costUsd,
        tokens: {
          input: usage.inputTokens,
          output: usage.outputTokens,
          cached: usage.cachedTokens,
        },
        eventsTotal,
        githubRateLimits: deps.rateLimits?.() ?? [],
        process: {
          residentMemoryBytes: figures.residentMemoryBytes,
          heapUsedBytes: figures.heapUsedBytes,
          cpuUserSeconds: figures.cpuUserSeconds,
          cpuSystemSeconds: figures.cpuSystemSeconds,
          startTimeSeconds: figures.startedAt / 1000,
          uptimeSeconds: Math.max(0, Math.round((deps.clock.now() - deps.startedAt) / 1000)),
        },
      };
    },

    async listNodes() {
      const now = deps.clock.now();
      return (await store.nodes.listNodes()).map((node) =>
        nodeView(node, now, deps.heartbeatMs, deps.nodeId),
      );
    },
  };
}
