import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoopView } from '../api/index.js';
import { vendorNames } from '../domain/index.js';
import { vendorHelp } from './command-run.js';
import { runCli, version } from './program.js';
import {
  captureIo,
  closedPort,
  sampleLoop,
  sendData,
  sendJson,
  sseFrame,
  startTestServer,
  type TestServer,
} from './test-server.test-support.js';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A fake looperd that accepts POST /loops and answers GET /loops/loop_1 with `loop.current`. */
async function fakeDaemon(loop: { current: LoopView }): Promise<TestServer> {
  return startTestServer((request, res) => {
    if (request.method === 'POST' && request.url === '/api/v1/loops') {
      return sendData(res, loop.current);
    }
    if (request.url === '/api/v1/loops/loop_1') return sendData(res, loop.current);
    if (request.url.startsWith('/api/v1/loops?')) return sendData(res, [loop.current]);
    sendJson(res, 404, { ok: false, error: { code: 'not_found', message: 'no such route' } });
  });
}

function ioFor(target: TestServer, options: { stdin?: string; tty?: boolean } = {}) {
  return captureIo({ env: { LOOPER_URL: target.url, LOOPER_TOKEN: 'sekret' }, ...options });
}

describe('looper (parsing and exit codes)', () => {
  it('sends repeated --check flags as checks and prints the new loop id', async () => {
    server = await fakeDaemon({ current: sampleLoop() });
    const io = ioFor(server);
    const repo = path.join(io.cwd, 'pager');
    fs.mkdirSync(repo);

    const code = await runCli(
      [
        'run',
        '--repo',
        'pager',
        '--title',
        'Fix it',
        '--body',
        'Details',
        '--check',
        'npm test',
        '--check',
        'npm run lint',
        '--vendor',
        'codex',
        '--base',
        'main',
      ],
      io,
    );

    expect(code).toBe(0);
    expect(io.stdoutText()).toBe('loop_1\n');
    const request = server.requests.find((r) => r.method === 'POST');
    expect(request?.headers.authorization).toBe('Bearer sekret');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      repo,
      title: 'Fix it',
      body: 'Details',
      vendor: 'codex',
      checks: ['npm test', 'npm run lint'],
      base_branch: 'main',
    });
  });

  it('reads the body from stdin with --body-file -', async () => {
    server = await fakeDaemon({ current: sampleLoop() });
    const io = ioFor(server, { stdin: 'from stdin\n' });

    const code = await runCli(['run', '--repo', '.', '--title', 'T', '--body-file', '-'], io);

    expect(code).toBe(0);
    const request = server.requests.find((r) => r.method === 'POST');
    expect(JSON.parse(request?.body ?? '').body).toBe('from stdin\n');
  });

  it('exits 2 without calling the daemon when --body and --body-file are both given', async () => {
    server = await fakeDaemon({ current: sampleLoop() });
    const io = ioFor(server);

    const code = await runCli(
      ['run', '--repo', '.', '--title', 'T', '--body', 'b', '--body-file', 'f.md'],
      io,
    );

    expect(code).toBe(2);
    expect(io.stderrText()).toMatch(/^looper: option '--body-file <file>' cannot be used with/);
    expect(io.stderrText()).toContain('see `looper run --help`');
    expect(server.requests).toEqual([]);
  });

  it('exits 2 on an unknown command, as a JSON envelope with --json', async () => {
    const human = captureIo();
    const json = captureIo();

    expect(await runCli(['frobnicate'], human)).toBe(2);
    expect(await runCli(['--json', 'frobnicate'], json)).toBe(2);

    expect(human.stderrText()).toContain("looper: unknown command 'frobnicate'");
    expect(JSON.parse(json.stdoutText())).toEqual({
      ok: false,
      error: { code: 'bad_request', message: "unknown command 'frobnicate'" },
    });
  });

  it('exits 2 when --title is missing or the vendor is unknown', async () => {
    const noTitle = captureIo();
    const badVendor = captureIo();

    expect(await runCli(['run', '--repo', '.'], noTitle)).toBe(2);
    expect(await runCli(['run', '--repo', '.', '--title', 'T', '--vendor', 'gpt'], badVendor)).toBe(
      2,
    );

    expect(noTitle.stderrText()).toContain("required option '--title <text>' not specified");
    expect(badVendor.stderrText()).toContain("looper: unknown vendor 'gpt'");
    expect(badVendor.stderrText()).toContain(`--vendor: expected one of ${vendorNames.join(', ')}`);
  });

  it('exits 2 on a subcommand typo instead of taking it for an issue URL', async () => {
    const io = captureIo();

    expect(await runCli(['run', 'lsit'], io)).toBe(2);
    expect(io.stderrText()).toContain(
      "'lsit' is not a subcommand of 'run' (list, logs, cancel, retry)",
    );
  });

  it('prints help and the version with exit 0', async () => {
    const help = captureIo();
    const runHelp = captureIo();
    const versionIo = captureIo();

    expect(await runCli(['--help'], help)).toBe(0);
    expect(await runCli(['run', '--help'], runHelp)).toBe(0);
    expect(await runCli(['--version'], versionIo)).toBe(0);
    expect(await runCli(['help', 'run'], captureIo())).toBe(0);
    expect(await runCli(['daemon'], captureIo())).toBe(2);

    expect(help.stdoutText()).toContain('Usage: looper [options] [command]');
    expect(runHelp.stdoutText()).toContain('Examples:');
    expect(runHelp.stdoutText()).toContain('--check <command>');
    expect(versionIo.stdoutText()).toBe(`${version}\n`);
  });

  it('lists every vendor in the help of --vendor', () => {
    expect(vendorHelp).toBe(vendorNames.join(', '));
  });

  it('names each config problem and exits 2 on a bad config', async () => {
    const io = captureIo({ env: { LOOPER_SERVER_PORT: 'many' } });

    const code = await runCli(['run', 'list'], io);

    expect(code).toBe(2);
    expect(io.stderrText()).toMatch(/^looper: .*server\.port/);
  });
});

describe('looper run --wait', () => {
  /** Serves the loop; each read by the follower moves it on, the second one to `final`. */
  async function finishingDaemon(final: LoopView): Promise<TestServer> {
    const loop = { current: sampleLoop({ stage: 'working' }) };
    let stream: http.ServerResponse | undefined;
    let reads = 0;
    return startTestServer((request, res) => {
      if (request.method === 'POST') return sendData(res, loop.current);
      if (request.url.startsWith('/api/v1/events/stream')) {
        stream = res;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('retry: 3000\n\n');
        return;
      }
      reads += 1;
      sendData(res, loop.current);
      if (stream === undefined) return;
      if (reads !== 1) return;
      stream.write(sseFrame({ id: 1, type: 'run.started', data: { role: 'worker' } }));
      loop.current = final;
      stream.write(
        sseFrame({ id: 2, type: 'loop.stage', data: { from: 'working', to: final.stage } }),
      );
    });
  }

  it('prints only the final loop as JSON and exits 0 when it ends ready', async () => {
    const final = sampleLoop({ stage: 'ready', finished_at: '2025-01-01T00:09:00.000Z' });
    server = await finishingDaemon(final);
    const io = ioFor(server);

    const code = await runCli(['run', '--repo', '.', '--title', 'T', '--wait', '--json'], io);

    expect(code).toBe(0);
    expect(JSON.parse(io.stdoutText())).toEqual(final);
  });

  it("exits 1 with the loop's reason when it ends needs_human", async () => {
    const final = sampleLoop({ stage: 'needs_human', reason: 'no progress: same failure twice' });
    server = await finishingDaemon(final);
    const json = ioFor(server);

    const code = await runCli(['run', '--repo', '.', '--title', 'T', '--wait', '--json'], json);

    expect(code).toBe(1);
    expect(JSON.parse(json.stdoutText()).stage).toBe('needs_human');
  });

  it('prints progress lines on a terminal and the reason on failure', async () => {
    const final = sampleLoop({ stage: 'failed', reason: 'git push rejected' });
    server = await finishingDaemon(final);
    const io = ioFor(server, { tty: true });

    const code = await runCli(['run', '--repo', '.', '--title', 'T', '--wait'], io);

    expect(code).toBe(1);
    expect(io.stdoutText()).toBe('loop_1\n');
    expect(io.stderrText()).toMatch(/\[00:0\d\] worker started/);
    expect(io.stderrText()).toMatch(/\[00:0\d\] stage working → failed/);
    expect(io.stderrText()).toContain('looper: loop loop_1 ended failed: git push rejected');
  });
});

describe('looper daemon status and run list', () => {
  it('says no daemon runs and exits 1', async () => {
    const port = await closedPort();
    const io = captureIo({ env: { LOOPER_URL: `http://127.0.0.1:${port}` } });

    const code = await runCli(['--json', 'daemon', 'status'], io);

    expect(code).toBe(1);
    expect(JSON.parse(io.stdoutText())).toMatchObject({ running: false, pid: null });
  });

  it('renders loops as an aligned table', async () => {
    server = await fakeDaemon({ current: sampleLoop() });
    const io = ioFor(server);

    const code = await runCli(['run', 'list', '--active'], io);

    expect(code).toBe(0);
    const [header, row] = io.stdoutText().trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+STAGE\s+PROJECT\s+COST\s+UPDATED\s+TITLE$/);
    expect(row).toMatch(/^loop_1\s+working\s+pager\s+\$0\.12\s+.+ ago\s+Fix the off-by-one$/);
    expect(header?.indexOf('STAGE')).toBe(row?.indexOf('working'));
    expect(server.requests[0]?.url).toBe('/api/v1/loops?active=true&limit=50');
  });

  it('finds the daemon from the config file given with --config', async () => {
    server = await fakeDaemon({ current: sampleLoop() });
    const io = captureIo();
    const file = path.join(io.cwd, 'custom.toml');
    fs.writeFileSync(file, `[server]\nhost = "127.0.0.1"\nport = ${server.port}\n`);

    const code = await runCli(['--json', '--config', 'custom.toml', 'run', 'list'], io);

    expect(code).toBe(0);
    expect(JSON.parse(io.stdoutText())).toEqual([sampleLoop()]);
    expect(server.requests[0]?.url).toBe('/api/v1/loops?limit=50');
  });

  it('refuses an unknown stage with exit 2', async () => {
    const io = captureIo();

    expect(await runCli(['run', 'list', '--stage', 'done'], io)).toBe(2);
    expect(io.stderrText()).toContain("looper: unknown stage 'done'");
  });
});
