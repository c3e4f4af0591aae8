// Shapes of the operational endpoints: `GET /nodes` (snake_case on the wire) and the snapshot the
// daemon hands `GET /metrics`, which the API renders as Prometheus text (never sent as JSON).
import type { QueueName, Role, RunStatus, Stage } from '../domain/index.js';

export interface NodeView {
  id: string;
  /** The host name the node runs on. */
  name: string;
  version: string;
  /** Loops it runs at once (`daemon.max-concurrent-loops`). */
  capacity: number;
  started_at: string;
  heartbeat_at: string;
  /** When it stopped gracefully; null while it runs, or when it died without stopping. */
  stopped_at: string | null;
  /** Not stopped, and its heartbeat is at most three heartbeat intervals old. */
  alive: boolean;
  /** The node answering this request. */
  current: boolean;
}

/** What GitHub's `x-ratelimit-*` headers said on the gateway's latest response, per resource. */
export interface RateLimitSample {
  /** `core`, `graphql`, `search`… */
  resource: string;
  limit: number;
  remaining: number;
  /** Epoch milliseconds. */
  resetAt: number;
}

/** The facts `GET /metrics` exposes; counts from the store are for every node sharing it. */
export interface MetricsSnapshot {
  version: string;
  /** `process.version` of the daemon. */
  nodeVersion: string;
  /** Every stage, zero included. */
  loopsByStage: Record<Stage, number>;
  queueEntries: { queue: QueueName; state: 'queued' | 'claimed' | 'done'; count: number }[];
  runs: { role: Role; vendor: string; status: RunStatus; count: number }[];
  costUsd: number;
  tokens: { input: number; output: number; cached: number };
  eventsTotal: number;
  /** Empty without a GitHub gateway, or before it has seen a response. */
  githubRateLimits: RateLimitSample[];
  process: {
    residentMemoryBytes: number;
    heapUsedBytes: number;
    cpuUserSeconds: number;
    cpuSystemSeconds: number;
    /** Epoch seconds. */
    startTimeSeconds: number;
    uptimeSeconds: number;
  };
}
