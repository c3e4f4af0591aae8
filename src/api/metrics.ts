// The metrics `GET /metrics` exposes, named once here (the scrape contract): the daemon's snapshot
// in, Prometheus families out. Fixed label sets (stages, queues) are emitted with zeros.
import { queueNames, stages } from '../domain/index.js';
import type { MetricFamily } from './metrics-format.js';
import type { MetricsSnapshot } from './ops-dto.js';

const queueStates = ['queued', 'claimed', 'done'] as const;

function gauge(name: string, help: string, value: number): MetricFamily {
  return { name, help, type: 'gauge', samples: [{ value }] };
}

function counter(name: string, help: string, value: number): MetricFamily {
  return { name, help, type: 'counter', samples: [{ value }] };
}

export function metricFamilies(snapshot: MetricsSnapshot): MetricFamily[] {
  const queueCount = (queue: string, state: string) =>
    snapshot.queueEntries
      .filter((e) => e.queue === queue && e.state === state)
      .reduce((sum, e) => sum + e.count, 0);
  const running = snapshot.runs
    .filter((r) => r.status === 'running')
    .reduce((sum, r) => sum + r.count, 0);
  const finished = snapshot.runs.filter((r) => r.status !== 'running');
  const proc = snapshot.process;
  return [
    {
      name: 'looper_build_info',
      help: 'Looper build information; always 1.',
      type: 'gauge',
      samples: [{ labels: { version: snapshot.version, nodejs: snapshot.nodeVersion }, value: 1 }],
    },
    {
      name: 'looper_loops',
      help: 'Loops by stage.',
      type: 'gauge',
      samples: stages.map((stage) => ({ labels: { stage }, value: snapshot.loopsByStage[stage] })),
    },
    {
      name: 'looper_queue_entries',
      help: 'Queue entries by queue and state (done entries are kept as history).',
      type: 'gauge',
      samples: queueNames.flatMap((queue) =>
        queueStates.map((state) => ({ labels: { queue, state }, value: queueCount(queue, state) })),
      ),
    },
    gauge('looper_runs_running', 'Agent runs running now.', running),
    {
      name: 'looper_runs_total',
      // Finished runs only: a running one would leave its series when it ends, and a counter's
      // series must never go down. Running ones are looper_runs_running.
      help: 'Agent runs finished, by role, vendor and final status.',
      type: 'counter',
      samples: finished.map((r) => ({
        labels: { role: r.role, vendor: r.vendor, status: r.status },
        value: r.count,
      })),
    },
    counter(
      'looper_loop_cost_usd_total',
      'Agent cost reported by the vendors, in USD.',
      snapshot.costUsd,
    ),
    {
      name: 'looper_tokens_total',
      help: 'Model tokens used by agent runs, by kind.',
      type: 'counter',
      samples: (['input', 'output', 'cached'] as const).map((kind) => ({
        labels: { kind },
        value: snapshot.tokens[kind],
      })),
    },
    counter('looper_events_total', 'Events appended to the event log.', snapshot.eventsTotal),
    {
      name: 'looper_github_rate_limit_remaining',
      help: "Requests left in GitHub's rate-limit window, as its latest response said.",
      type: 'gauge',
      samples: snapshot.githubRateLimits.map((r) => ({
        labels: { resource: r.resource },
        value: r.remaining,
      })),
    },
    {
      name: 'looper_github_rate_limit_limit',
      help: "Size of GitHub's rate-limit window, as its latest response said.",
      type: 'gauge',
      samples: snapshot.githubRateLimits.map((r) => ({
        labels: { resource: r.resource },
        value: r.limit,
      })),
    },
    {
      name: 'looper_github_rate_limit_reset_timestamp_seconds',
      help: "When GitHub's rate-limit window resets, in Unix seconds.",
      type: 'gauge',
      samples: snapshot.githubRateLimits.map((r) => ({
        labels: { resource: r.resource },
        value: Math.round(r.resetAt / 1000),
      })),
    },
    gauge('looper_uptime_seconds', 'Seconds since looperd started.', proc.uptimeSeconds),
    gauge(
      'process_resident_memory_bytes',
      'Resident memory size in bytes.',
      proc.residentMemoryBytes,
    ),
    gauge('nodejs_heap_size_used_bytes', 'V8 heap in use, in bytes.', proc.heapUsedBytes),
    counter(
      'process_cpu_user_seconds_total',
      'User CPU time spent, in seconds.',
      proc.cpuUserSeconds,
    ),
    counter(
      'process_cpu_system_seconds_total',
      'System CPU time spent, in seconds.',
      proc.cpuSystemSeconds,
    ),
    counter(
      'process_cpu_seconds_total',
      'User and system CPU time spent, in seconds.',
      proc.cpuUserSeconds + proc.cpuSystemSeconds,
    ),
    gauge(
      'process_start_time_seconds',
      'Start time of the process since the Unix epoch, in seconds.',
      proc.startTimeSeconds,
    ),
  ];
}
