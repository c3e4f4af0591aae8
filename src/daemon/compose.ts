// The composition root: the only place that knows every concrete class. Builds the store, forge, git,
// agents, runner, scheduler, service and API once, recovers what a crash left, and starts serving.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  createAgentRunner,
  killProcessGroup,
  processStartTime,
  runProcess,
} from '../agents/index.js';
import { createApiApp, startApiServer } from '../api/index.js';
import { collectSecrets, type LoadedConfig } from '../config/index.js';
import { createLocalForge } from '../forge/index.js';
import { createGit } from '../git/index.js';
import { createLoopRunner } from '../runner/index.js';
import { createScheduler, recover } from '../scheduler/index.js';
import { createIdSource, openStore } from '../store/index.js';
import { createEventBus } from './event-bus.js';
import { acquireLock } from './lock-file.js';
import { createLogger } from './logger.js';
import { createLooperService } from './looper-service.js';
import { ensureNodeId } from './node-id.js';
import { systemClock } from './system.js';
import { ensureToken } from './token.js';
import { looperVersion } from './version.js';

export interface DaemonOptions {
  loaded: LoadedConfig;
  env: NodeJS.ProcessEnv;
  /** Called when the API asks the daemon to stop (`POST /shutdown`). */
  onShutdownRequest: () => void;
}

export interface Daemon {
  url: string;
  port: number;
  dataDir: string;
  token: string;
  /** Stops claiming, gives running steps the grace period, closes the API and the store. */
  stop(graceMs?: number): Promise<void>;
}

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { dataDir } = options.loaded;
  mkdirSync(join(dataDir, 'logs'), { recursive: true, mode: 0o700 });
  const lock = acquireLock(join(dataDir, 'looperd.lock'));
  try {
    return await build(options, lock.release);
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function build(options: DaemonOptions, releaseLock: () => void): Promise<Daemon> {
  const { config, dataDir, storageUrl } = options.loaded;
  const token = ensureToken(dataDir);
  const log = createLogger(dataDir, [token, ...collectSecrets(config)]);
  const clock = systemClock;
  const ids = createIdSource(clock);
  const nodeId = ensureNodeId(dataDir);
  const store = await openStore({ url: config.storage.url, dataDir, clock, ids });
  const bus = createEventBus(store, (error) =>
    log.warn({ error: String(error) }, 'event listener failed'),
  );
  const forge = createLocalForge(store);
  const git = createGit({ dataDir, clock });
  const runner = createLoopRunner({
    store,
    forge,
    git,
    agents: createAgentRunner(),
    runProcess,
    processStartTime,
    clock,
    ids,
    config,
    dataDir,
    nodeId,
    env: options.env,
    events: bus,
    log,
  });
  const scheduler = createScheduler({
    store,
    runner,
    clock,
    log,
    nodeId,
    maxConcurrent: config.daemon['max-concurrent-loops'],
    leaseMs: config.daemon['lease-secs'] * 1000,
  });
  await recover({
    store,
    nodeId,
    log,
    now: () => clock.now(),
    processes: {
      startTime: processStartTime,
      killGroup: (pid, signal) => killProcessGroup(pid, signal),
    },
    emit: (event) => bus.emit(event),
  });
  const service = createLooperService({
    store,
    forge,
    git,
    runner,
    scheduler,
    bus,
    clock,
    config,
    dataDir,
    nodeId,
    version: looperVersion,
    startedAt: clock.now(),
    storage: storageUrl.startsWith('sqlite://') ? 'sqlite' : (storageUrl.split(':')[0] ?? 'sqlite'),
    requestShutdown: options.onShutdownRequest,
  });
  const { host, port } = config.server;
  const app = createApiApp({ service, token, host, port, version: looperVersion, logger: log });
  const server = await startApiServer(app, { host, port });
  scheduler.start();
  const url = `http://${host}:${server.port}`;
  log.info(
    { url, dataDir, nodeId, version: looperVersion, config: options.loaded.file },
    'looperd started',
  );
  let stopped: Promise<void> | null = null;
  return {
    url,
    port: server.port,
    dataDir,
    token,
    stop(graceMs = config.daemon['shutdown-grace-secs'] * 1000) {
      stopped ??= (async () => {
        log.info({ graceMs }, 'looperd stopping');
        await scheduler.stop(graceMs);
        await server.close();
        await store.close();
        log.info({}, 'looperd stopped');
        log.flush();
        releaseLock();
      })();
      return stopped;
    },
  };
}
