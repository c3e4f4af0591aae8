import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusView } from '../api/index.js';
import { LooperError } from '../domain/index.js';
import { ApiClient } from './client.js';
import type { Target } from './context.js';
import { ensureDaemon, startDaemon } from './daemon-process.js';
import { createOutput } from './output.js';
import {
  captureIo,
  closedPort,
  sendData,
  startTestServer,
  type TestServer,
  tempDir,
} from './test-server.test-support.js';

let server: TestServer | undefined;
const started: number[] = [];

afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid);
    } catch {
      // Already gone.
    }
  }
});

function targetFor(baseUrl: string, dataDir: string): Target {
  return {
    baseUrl,
    dataDir,
    explicitUrl: false,
    configFile: undefined,
    tokenFile: path.join(dataDir, 'token'),
    shutdownGraceSecs: 1,
  };
}

function status(dataDir: string): StatusView {
  return {
    version: '0.1.0',
    pid: 4242,
    node: 'test',
    data_dir: dataDir,
    storage: 'sqlite',
    started_at: '2025-01-01T00:00:00.000Z',
    uptime_s: 5,
    loops: { active: 0, by_stage: {} },
    queue: { queued: 0, claimed: 0 },
    runs: { running: 0 },
    limits: { max_concurrent_loops: 4 },
  };
}

/** A stand-in looperd: answers /healthz on FAKE_PORT, or fails at once with FAKE_FAIL. */
function fakeLooperd(dir: string): URL {
  const file = path.join(dir, 'fake-looperd.mjs');
  fs.writeFileSync(
    file,
    [
      "import http from 'node:http';",
      "if (process.env.FAKE_FAIL) { console.error('boom: address in use'); process.exit(3); }",
      'http.createServer((req, res) => {',
      "  res.writeHead(200, { 'content-type': 'application/json' });",
      "  res.end(JSON.stringify({ ok: true, data: { status: 'ok', version: 'fake' } }));",
      "}).listen(Number(process.env.FAKE_PORT), '127.0.0.1', () => console.log('listening ' + process.env.LOOPER_HOME));",
    ].join('\n'),
  );
  return pathToFileURL(file);
}

describe('ensureDaemon', () => {
  it('uses a running daemon that serves the same data dir', async () => {
    const dataDir = tempDir();
    server = await startTestServer((request, res) => {
      if (request.url === '/api/v1/healthz') return sendData(res, { status: 'ok' });
      sendData(res, status(dataDir));
    });
    const io = captureIo();
    const out = createOutput({ json: false, stdout: io.stdout, stderr: io.stderr });

    const result = await ensureDaemon(
      targetFor(server.url, dataDir),
      new ApiClient({ baseUrl: server.url }),
      io,
      out,
    );

    expect(result?.pid).toBe(4242);
    expect(io.stderrText()).toBe('');
  });

  it('refuses a daemon that serves another data dir', async () => {
    const ours = tempDir();
    const theirs = tempDir();
    server = await startTestServer((_request, res) => sendData(res, status(theirs)));
    const io = captureIo();
    const out = createOutput({ json: false, stdout: io.stdout, stderr: io.stderr });

    const error = await ensureDaemon(
      targetFor(server.url, ours),
      new ApiClient({ baseUrl: server.url }),
      io,
      out,
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(LooperError);
    expect((error as LooperError).code).toBe('conflict');
    expect((error as LooperError).message).toContain(
      `another looperd (pid 4242, data dir ${theirs})`,
    );
    expect((error as LooperError).message).toContain(`this CLI uses data dir ${ours}`);
  });
});

describe('startDaemon', () => {
  it('spawns looperd detached, logs to <dataDir>/logs/daemon.log and waits for /healthz', async () => {
    const dataDir = tempDir();
    const port = await closedPort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const io = {
      ...captureIo({ env: { FAKE_PORT: String(port) } }),
      daemonEntry: fakeLooperd(dataDir),
    };
    const client = new ApiClient({ baseUrl });

    const daemon = await startDaemon(targetFor(baseUrl, dataDir), client, io);
    started.push(daemon.pid);

    expect(daemon.pid).toBeGreaterThan(0);
    expect(daemon.logFile).toBe(path.join(dataDir, 'logs', 'daemon.log'));
    expect(await client.healthy()).toBe(true);
    expect(fs.readFileSync(daemon.logFile, 'utf8')).toContain(`listening ${dataDir}`);
  });

  it('fails with the end of the daemon log when looperd exits early', async () => {
    const dataDir = tempDir();
    const port = await closedPort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const io = {
      ...captureIo({ env: { FAKE_PORT: String(port), FAKE_FAIL: '1' } }),
      daemonEntry: fakeLooperd(dataDir),
    };

    const error = await startDaemon(targetFor(baseUrl, dataDir), new ApiClient({ baseUrl }), io)
      .then(() => undefined)
      .catch((caught: unknown) => caught);

    expect((error as LooperError).code).toBe('daemon_unreachable');
    expect((error as LooperError).message).toContain('looperd exited (3) before it answered');
    expect((error as LooperError).message).toContain('boom: address in use');
  });
});
