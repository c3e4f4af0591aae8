// Test support for the CLI: a tiny node:http server on 127.0.0.1:0 standing in for looperd, and
// CliIo with captured stdout/stderr.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { LoopView } from '../api/index.js';
import type { CliIo } from './context.js';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (
  request: RecordedRequest,
  res: http.ServerResponse,
  req: http.IncomingMessage,
) => void | Promise<void>;

export interface TestServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startTestServer(handler: Handler): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const recorded = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body,
      };
      requests.push(recorded);
      Promise.resolve(handler(recorded, res, req)).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

export function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

export function sendData(res: http.ServerResponse, data: unknown): void {
  sendJson(res, 200, { ok: true, data });
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
}

export interface CapturedIo extends CliIo {
  stdoutText(): string;
  stderrText(): string;
}

/** CliIo for runCli in tests: captured output, an isolated HOME and data dir, given stdin. */
export function captureIo(
  options: { env?: Record<string, string>; stdin?: string; tty?: boolean } = {},
): CapturedIo {
  const home = tempDir();
  let stdout = '';
  let stderr = '';
  const stdinText = options.stdin ?? '';
  return {
    env: {
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      LOOPER_HOME: path.join(home, '.looper'),
      PATH: process.env.PATH,
      ...options.env,
    },
    cwd: home,
    stdout: {
      write: (text: string) => {
        stdout += text;
      },
      columns: 100,
    },
    stderr: {
      write: (text: string) => {
        stderr += text;
      },
      isTTY: options.tty === true,
    },
    stdin: (async function* () {
      yield stdinText;
    })(),
    clock: { now: () => Date.now() },
    daemonEntry: new URL('file:///nonexistent/looperd.js'),
    execPath: process.execPath,
    stdoutText: () => stdout,
    stderrText: () => stderr,
  };
}

export function sampleLoop(overrides: Partial<LoopView> = {}): LoopView {
  return {
    id: 'loop_1',
    project: { id: 'prj_1', name: 'pager', path: '/src/pager', repo: null },
    kind: 'issue',
    number: 1,
    title: 'Fix the off-by-one',
    stage: 'working',
    paused: false,
    reason: null,
    branch: 'looper/1-fix-the-off-by-one',
    pr: null,
    rounds: { plan: 1, local_fix: 0, fix: 0 },
    attempt: 0,
    vendor: 'claude-code',
    model: null,
    checks: ['npm test'],
    cost_usd: 0.12,
    tokens: { input: 12_000, output: 3_400, cached: 0 },
    created_at: '2025-01-01T00:00:00.000Z',
    updated_at: '2025-01-01T00:05:00.000Z',
    finished_at: null,
    runs: [],
    ...overrides,
  };
}

/** One SSE frame the way looperd writes it. */
export function sseFrame(event: {
  id: number;
  type: string;
  loop_id?: string;
  data?: Record<string, unknown>;
}): string {
  const view = {
    id: event.id,
    at: '2025-01-01T00:00:00.000Z',
    type: event.type,
    loop_id: event.loop_id ?? 'loop_1',
    run_id: null,
    data: event.data ?? {},
  };
  return `id: ${view.id}\nevent: ${view.type}\ndata: ${JSON.stringify(view)}\n\n`;
}
