// What the runner needs, passed in by the composition root. Every outside system is an interface.
import type { AgentRunner, ProcessResult, ProcessSpec } from '../agents/index.js';
import type { Config } from '../config/index.js';
import type { Clock, IdSource } from '../domain/index.js';
import type { Forge } from '../forge/index.js';
import type { Git } from '../git/index.js';
import type { AppendEvent, EventRecord, Store } from '../store/index.js';

/** Stores an event and hands it to live subscribers (SSE). */
export interface EventSink {
  emit(event: AppendEvent): Promise<EventRecord>;
}

/** The slice of a structured logger the runner and scheduler use. */
export interface RunnerLog {
  info(data: object, message: string): void;
  warn(data: object, message: string): void;
  error(data: object, message: string): void;
}

export interface RunnerDeps {
  store: Store;
  forge: Forge;
  git: Git;
  agents: AgentRunner;
  runProcess: (spec: ProcessSpec) => Promise<ProcessResult>;
  processStartTime: (pid: number) => string | null;
  clock: Clock;
  ids: IdSource;
  config: Config;
  dataDir: string;
  nodeId: string;
  /** The daemon's environment; the agent env allow-list filters it. */
  env: NodeJS.ProcessEnv;
  events: EventSink;
  log: RunnerLog;
}
