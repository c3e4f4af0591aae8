// The composition root: the only place that knows every concrete class. Builds the store, forge, git,
// agents, runner, scheduler, service and API once, recovers what a crash left, and starts serving.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  createAgentRunner,
  killProcessGroup,
  processStartTime,
  runProcess,
} from '../agents/index.js';
import { createApiApp, startApiServer } from '../api/index.js';
import { collectSecrets, type LoadedConfig } from '../config/index.js';
import { createLocalForge, type ProjectRef } from '../forge/index.js';
import { createGit } from '../git/index.js';
import { createLoopRunner } from '../runner/index.js';
import {
  createAdmission,
  createIntake,
  createMergeWatch,
  createPoller,
  createScheduler,
  recover,
} from '../scheduler/index.js';
import { createIdSource, openStore } from '../store/index.js';
import { createConfigAdmin } from './config-admin.js';
import { createEventBus } from './event-bus.js';
import {
  buildGitHubForge,
  gitHubAccess,
  gitHubPollSource,
  gitHubPullSnapshots,
  gitHubWebhooks,
} from './github-wiring.js';
import { acquireLock } from './lock-file.js';
import { createLogger } from './logger.js';
import { createLooperService } from './looper-service.js';
import { nodeHeartbeatMs, startNodeHeartbeat } from './node-heartbeat.js';
import { ensureNodeId } from './node-id.js';
import { createOpsService } from './ops-service.js';
import { createProjectAdmin } from './project-admin.js';
import { resolveGitHubToken, syncProjects } from './projects.js';
import { createRateLimitWatch } from './rate-limit-watch.js';
import { systemClock } from './system.js';
import { ensureToken } from './token.js';
import { looperVersion } from './version.js';
import { readForwardedRepos } from './webhook-forward-choice.js';
import { createWebhookForwarder } from './webhook-forwarder.js';
import { createWebhookSecret } from './webhook-secret.js';

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
  const githubToken = resolveGitHubToken(config, options.env);
  // github.webhook-secret, else the one `looper webhook enable` generated into the data dir.
  const webhookSecret = createWebhookSecret(dataDir, config.github['webhook-secret']);
  const log = createLogger(dataDir, [
    token,
    githubToken,
    webhookSecret.current(),
    ...collectSecrets(config),
  ]);
  const clock = systemClock;
  const ids = createIdSource(clock);
  const nodeId = ensureNodeId(dataDir);
  const store = await openStore({ url: config.storage.url, dataDir, clock, ids });
  const bus = createEventBus(store, (error) =>
    log.warn({ error: String(error) }, 'event listener failed'),
  );
  const forge = createLocalForge(store);
  const git = createGit({ dataDir, clock });
  const projects = await syncProjects(store, config);
  // With a token, projects added later through the API (`looper project add`) reach GitHub too.
  const hasGitHubProject = (await store.projects.listProjects()).some((p) => p.forge === 'github');
  // What GitHub's rate-limit headers last said, for `GET /metrics` (no request of its own).
  const rateLimits = createRateLimitWatch();
  const github =
    hasGitHubProject || githubToken !== ''
      ? buildGitHubForge(config, githubToken, store, log, rateLimits.fetch)
      : null;
  const runner = createLoopRunner({
    store,
    forge,
    ...(github
      ? { access: gitHubAccess({ forge: github, git, config, dataDir, token: githubToken }) }
      : {}),
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
    backoff: {
      baseMs: config.scheduler.retry['base-delay-secs'] * 1000,
      maxMs: config.scheduler.retry['max-delay-secs'] * 1000,
    },
    admission: createAdmission({
      store,
      clock,
      projects: config.projects,
      maxNewPrsPerHour: config.loop['max-new-prs-per-hour'],
    }),
  });
  const intake = createIntake({
    store,
    events: bus,
    runner,
    enqueue: (loopId, queue) => scheduler.enqueue(loopId, queue),
    trustFor: () => github ?? { permissionOf: async () => 'none' },
    config,
  });
  // GitHub PRs as last seen with their ETags: the merge watch and `GET /loops` share them.
  const pullSnapshots = github ? gitHubPullSnapshots(github, store) : null;
  const mergeWatch = createMergeWatch({
    store,
    runner,
    enqueue: (loopId, queue) => scheduler.enqueue(loopId, queue),
    log,
    ...(pullSnapshots
      ? {
          headOf: async (project, number) =>
            (await pullSnapshots.cached(project, number))?.headSha ?? null,
        }
      : {}),
  });
  const poller = github
    ? createPoller({
        store,
        watch: (loopId) => mergeWatch.look(loopId),
        watchesAuthors: (project) =>
          config.projects.some(
            (p) =>
              p.repo?.toLowerCase() === project.repo?.toLowerCase() &&
              (p.auto?.authors.length ?? 0) > 0,
          ),
        intake,
        sourceFor: () => gitHubPollSource(github, store),
        intervalMs: config.daemon['poll-interval-secs'] * 1000,
        log,
      })
    : null;
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
  // This daemon in the nodes table (SPEC §9): registered now, heartbeats, marked stopped at the end.
  const heartbeat = await startNodeHeartbeat({
    store,
    id: nodeId,
    name: hostname(),
    version: looperVersion,
    capacity: config.daemon['max-concurrent-loops'],
    intervalMs: nodeHeartbeatMs,
    log,
  });
  const service = createLooperService({
    store,
    forge,
    ...(github
      ? {
          hostedForge: github,
          github,
          ...(pullSnapshots
            ? {
                pullSnapshot: (ref: ProjectRef, number: number) => pullSnapshots.read(ref, number),
              }
            : {}),
        }
      : {}),
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
  // `looper webhook enable --forward`: gh relays deliveries to this daemon's own receiver.
  let receiverUrl = '';
  const forwarder = createWebhookForwarder({
    dataDir,
    env: options.env,
    receiverUrl: () => receiverUrl,
    secret: () => webhookSecret.ensure(),
    githubHost: ghHost(config.github['api-url']),
    events: bus,
    log,
    clock,
    runProcess,
  });
  const webhooks = github
    ? gitHubWebhooks({
        secret: () => webhookSecret.current(),
        store,
        intake,
        mergeWatch,
        isSelf: async (login) => {
          const me =
            config.github['bot-login'] ||
            (await github.getAuthenticatedUser().catch(() => null))?.login ||
            '';
          return me !== '' && login.toLowerCase() === me.toLowerCase();
        },
      })
    : undefined;
  const app = createApiApp({
    service,
    token,
    host,
    port,
    version: looperVersion,
    logger: log,
    ...(webhooks ? { webhooks } : {}),
    config: createConfigAdmin({ loaded: options.loaded, env: options.env, log }),
    ops: createOpsService({
      store,
      clock,
      nodeId,
      version: looperVersion,
      startedAt: clock.now(),
      heartbeatMs: nodeHeartbeatMs,
      rateLimits: () => rateLimits.samples(),
    }),
    projects: createProjectAdmin({
      store,
      github,
      git,
      config,
      configFile: options.loaded.file,
      events: bus,
      secret: webhookSecret,
      log,
      ...(github ? { forwarding: { forwarder, dataDir } } : {}),
    }),
  });
  const server = await startApiServer(app, { host, port });
  receiverUrl = `${loopbackUrl(host, server.port)}/webhooks/github`;
  scheduler.start();
  if (github) {
    poller?.start();
    const forwardable = new Set(
      (await store.projects.listProjects()).flatMap((p) => (p.forge === 'github' ? [p.repo] : [])),
    );
    for (const repo of readForwardedRepos(dataDir)) {
      if (forwardable.has(repo)) forwarder.start(repo);
      else log.warn({ repo }, 'webhook forwarding chosen for a repository that is no project');
    }
    for (const project of projects.filter((p) => p.forge === 'github')) {
      // Labels get their colours once; a failure here only costs colours, GitHub creates missing labels.
      github
        .ensureLabels({ id: project.id, repo: project.repo, path: project.path })
        .catch((error: unknown) => {
          log.warn({ repo: project.repo, error: String(error) }, 'could not create Looper labels');
        });
    }
  }
  // Finished loops' worktrees past `worktrees.retention-hours` are removed hourly (dirty ones stay).
  const gc = setInterval(() => {
    service.cleanupWorktrees({ force: false }).catch((error: unknown) => {
      log.warn({ error: String(error) }, 'worktree cleanup failed');
    });
  }, 3_600_000);
  gc.unref();
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
        clearInterval(gc);
        poller?.stop();
        await forwarder.stopAll();
        await scheduler.stop(graceMs);
        await server.close();
        await heartbeat.stop().catch((error: unknown) => {
          log.warn({ error: String(error) }, 'could not mark this node stopped');
        });
        await store.close();
        log.info({}, 'looperd stopped');
        log.flush();
        releaseLock();
      })();
      return stopped;
    },
  };
}

/** The daemon's own URL as a local client reaches it (a wildcard bind is reached on loopback). */
function loopbackUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** `--github-host` for gh: none for github.com, else the API URL's host (GitHub Enterprise). */
function ghHost(apiUrl: string): string | null {
  const { host } = new URL(apiUrl);
  return host === 'api.github.com' ? null : host;
}
