import { afterEach, describe, expect, it } from 'vitest';
import type { FailureView, QueueEntryView } from '../api/index.js';
import { runCli } from './program.js';
import {
  captureIo,
  type RecordedRequest,
  sendData,
  sendJson,
  startTestServer,
  type TestServer,
} from './test-server.test-support.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const now = Date.parse('2030-01-01T00:01:00.000Z');

function entry(id: string, overrides: Partial<QueueEntryView> = {}): QueueEntryView {
  return {
    id,
    loop_id: `loop_${id}`,
    project: { id: 'prj_1', name: 'pager', path: '/src/pager', repo: null },
    number: 4,
    title: 'Fix the pager',
    stage: 'queued',
    paused: false,
    queue: 'manual',
    state: 'queued',
    owner: null,
    lease_expires_at: null,
    not_before: '2030-01-01T00:00:00.000Z',
    attempts: 0,
    last_error: null,
    enqueued_at: '2030-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A fake looperd: `GET /queue` answers `entries`, `DELETE /queue/:id` removes (409 for `busy`). */
async function fakeDaemon(
  entries: QueueEntryView[],
  options: { busy?: string; failures?: FailureView[] } = {},
): Promise<TestServer> {
  return startTestServer((request, res) => {
    const url = new URL(request.url, 'http://x');
    if (request.method === 'GET' && url.pathname === '/api/v1/queue') {
      const state = url.searchParams.get('state');
      const queue = url.searchParams.get('queue');
      return sendData(
        res,
        entries.filter((e) => (!state || e.state === state) && (!queue || e.queue === queue)),
      );
    }
    if (request.method === 'DELETE' && url.pathname.startsWith('/api/v1/queue/')) {
      const id = url.pathname.slice('/api/v1/queue/'.length);
      const found = entries.find((e) => e.id === id);
      if (id === options.busy) {
        return sendJson(res, 409, {
          ok: false,
          error: { code: 'conflict', message: `queue entry ${id} is claimed by node-b` },
        });
      }
      if (!found)
        return sendJson(res, 404, { ok: false, error: { code: 'not_found', message: id } });
      const by = url.searchParams.get('by');
      return sendData(res, {
        entry: found,
        loop_id: found.loop_id,
        cancelled: true,
        stage: 'cancelled',
        reason: `removed from the queue by ${by}`,
      });
    }
    if (request.method === 'GET' && url.pathname === '/api/v1/failures') {
      const limit = Number(url.searchParams.get('limit'));
      return sendData(res, (options.failures ?? []).slice(0, limit));
    }
    sendJson(res, 404, { ok: false, error: { code: 'not_found', message: 'no such route' } });
  });
}

function ioFor(target: TestServer, options: { stdin?: string; stdinTty?: boolean } = {}) {
  const io = captureIo({
    env: { LOOPER_URL: target.url, LOOPER_TOKEN: 'sekret' },
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
  });
  io.clock = { now: () => now };
  if (options.stdinTty) Object.assign(io.stdin, { isTTY: true });
  return io;
}

const deletes = (requests: RecordedRequest[]) =>
  requests.filter((r) => r.method === 'DELETE').map((r) => new URL(r.url, 'http://x'));

describe('looper queue list', () => {
  it('prints the entries as a table in the order the daemon gives', async () => {
    server = await fakeDaemon([
      entry('q_1', {
        state: 'claimed',
        owner: 'node-a',
        lease_expires_at: '2030-01-01T00:01:45.000Z',
        stage: 'working',
      }),
      entry('q_2', { queue: 'auto', not_before: '2030-01-01T00:01:30.000Z', attempts: 2 }),
    ]);
    const io = ioFor(server);

    const code = await runCli(['queue', 'list'], io);

    expect(code).toBe(0);
    const lines = io.stdoutText().split('\n');
    expect(lines[0]).toMatch(/^ENTRY\s+LOOP\s+QUEUE\s+STATE\s+STAGE\s+TARGET\s+TRIES\s+ENQUEUED/);
    expect(lines[1]).toContain('claimed by node-a (lease ends in 45s)');
    expect(lines[1]).toContain('pager#4');
    expect(lines[2]).toContain('queued (due in 30s)');
    expect(io.stdoutText()).toContain('2 entries: 1 queued, 1 claimed');
  });

  it('passes --queue on, prints JSON with --json, and refuses an unknown queue with exit 2', async () => {
    server = await fakeDaemon([entry('q_1'), entry('q_2', { queue: 'auto' })]);
    const io = ioFor(server);

    const code = await runCli(['queue', 'list', '--queue', 'auto', '--json'], io);
    const bad = await runCli(['queue', 'list', '--queue', 'soon'], ioFor(server));

    expect(code).toBe(0);
    expect((JSON.parse(io.stdoutText()) as QueueEntryView[]).map((e) => e.id)).toEqual(['q_2']);
    expect(server.requests.map((r) => r.url)).toEqual(['/api/v1/queue?queue=auto']);
    expect(bad).toBe(2);
  });
});

describe('looper queue clear', () => {
  it('without --yes and without a terminal on stdin is a usage error and changes nothing', async () => {
    server = await fakeDaemon([entry('q_1')]);
    const io = ioFor(server);

    const code = await runCli(['queue', 'clear'], io);

    expect(code).toBe(2);
    expect(io.stderrText()).toContain('pass --yes');
    expect(server.requests).toEqual([]);
  });

  it('asks on a terminal; "n" removes nothing and exits 1', async () => {
    server = await fakeDaemon([entry('q_1')]);
    const io = ioFor(server, { stdin: 'n\n', stdinTty: true });

    const code = await runCli(['queue', 'clear'], io);

    expect(code).toBe(1);
    expect(io.stderrText()).toContain('This removes 1 waiting entry and cancels its loop');
    expect(io.stderrText()).toContain('Go ahead? [y/N]');
    expect(deletes(server.requests)).toEqual([]);
  });

  it('asks on a terminal; "y" removes the waiting entries only, naming who removed them', async () => {
    server = await fakeDaemon([
      entry('q_1', { state: 'claimed', owner: 'node-a' }),
      entry('q_2'),
      entry('q_3'),
    ]);
    const io = ioFor(server, { stdin: 'y\n', stdinTty: true });

    const code = await runCli(['queue', 'clear'], io);

    expect(code).toBe(0);
    const removed = deletes(server.requests);
    expect(removed.map((u) => u.pathname)).toEqual(['/api/v1/queue/q_2', '/api/v1/queue/q_3']);
    expect(removed[0]?.searchParams.get('by')).toMatch(/looper queue clear/);
    expect(io.stdoutText()).toContain('removed  q_2  loop_q_2 cancelled');
    expect(io.stdoutText()).toContain('2 removed, 0 skipped');
  });

  it('with --yes does not ask, and reports an entry claimed meanwhile as skipped', async () => {
    server = await fakeDaemon([entry('q_1'), entry('q_2', { queue: 'auto' })], { busy: 'q_1' });
    const io = ioFor(server);

    const code = await runCli(['queue', 'clear', '--yes', '--json'], io);

    expect(code).toBe(0);
    expect(io.stderrText()).not.toContain('Go ahead');
    const result = JSON.parse(io.stdoutText()) as {
      removed: { loop_id: string }[];
      skipped: { id: string; code: string }[];
    };
    expect(result.removed.map((r) => r.loop_id)).toEqual(['loop_q_2']);
    expect(result.skipped).toMatchObject([{ id: 'q_1', code: 'conflict' }]);
  });

  it('--queue limits what is cleared', async () => {
    server = await fakeDaemon([entry('q_1'), entry('q_2', { queue: 'auto' })]);
    const io = ioFor(server);

    const code = await runCli(['queue', 'clear', '--queue', 'auto', '-y'], io);

    expect(code).toBe(0);
    expect(deletes(server.requests).map((u) => u.pathname)).toEqual(['/api/v1/queue/q_2']);
    expect(server.requests[0]?.url).toBe('/api/v1/queue?queue=auto&state=queued');
  });
});

describe('looper failures', () => {
  const failure: FailureView = {
    loop_id: 'loop_9',
    project: { id: 'prj_1', name: 'pager', path: '/src/pager', repo: null },
    kind: 'issue',
    number: 7,
    title: 'Retry me',
    stage: 'needs_human',
    stopped_at: 'planning',
    reason: 'agent exited 1 (gave up after 3 attempts)',
    finished_at: '2030-01-01T00:00:00.000Z',
    last_failure: {
      event_id: 12,
      at: '2030-01-01T00:00:00.000Z',
      stage: 'planning',
      attempt: 3,
      failure_class: 'transient',
      reason: 'agent exited 1',
    },
  };

  it('prints each failure with its reason, failure class and next steps', async () => {
    server = await fakeDaemon([], { failures: [failure] });
    const io = ioFor(server);

    const code = await runCli(['failures'], io);

    expect(code).toBe(0);
    const text = io.stdoutText();
    expect(text).toContain('loop_9  needs_human at planning · pager#7 · ended 1m00s ago');
    expect(text).toContain('reason: agent exited 1 (gave up after 3 attempts)');
    expect(text).toContain('last failed step: transient at planning, attempt 3');
    expect(text).toContain('next: looper inspect loop_9  ·  looper run retry loop_9');
    expect(server.requests.map((r) => r.url)).toEqual(['/api/v1/failures?limit=20']);
  });

  it('--json adds the next steps to each view; a bad --limit is a usage error', async () => {
    server = await fakeDaemon([], { failures: [failure] });
    const io = ioFor(server);

    const code = await runCli(['failures', '--limit', '5', '--json'], io);
    const bad = await runCli(['failures', '--limit', 'lots'], ioFor(server));

    expect(code).toBe(0);
    expect(JSON.parse(io.stdoutText())).toEqual([
      { ...failure, next: ['looper inspect loop_9', 'looper run retry loop_9'] },
    ]);
    expect(bad).toBe(2);
  });

  it('says so when nothing failed', async () => {
    server = await fakeDaemon([]);
    const io = ioFor(server);
    expect(await runCli(['failures'], io)).toBe(0);
    expect(io.stdoutText()).toContain('no loops ended needs_human or failed');
  });
});
