// The GitHub gateway's write limiter against a bare local HTTP server: a token bucket lets
// `writeBurst` writes go at once, then one per `writeSpacingMs`; reads never wait on it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubForge, type GitHubForge, type ProjectRef } from '../src/forge/index.js';

const project: ProjectRef = { id: 'p1', repo: 'acme/app', path: null };

interface Arrival {
  method: string;
  path: string;
  at: number;
}

/** Answers every request at once (`[]`) and records when each arrived. */
async function recordingServer() {
  const arrivals: Arrival[] = [];
  const waiters: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    arrivals.push({ method: req.method ?? '', path: req.url ?? '', at: performance.now() });
    for (const wake of waiters.splice(0)) wake();
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('[]'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const writes = () => arrivals.filter((a) => a.method === 'POST');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    writes,
    /** Resolves once `count` writes have arrived. */
    async writesArrived(count: number): Promise<Arrival[]> {
      while (writes().length < count) await new Promise<void>((wake) => waiters.push(wake));
      return writes();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

async function setup(writeSpacingMs: number, writeBurst: number) {
  const server = await recordingServer();
  close = server.close;
  const forge = (): GitHubForge =>
    createGitHubForge({
      apiUrl: server.url,
      token: 'ghp_write_burst_test',
      throttle: { retries: 0, writeSpacingMs, writeBurst },
    });
  return { server, forge };
}

describe('GitHub write spacing', () => {
  it.each([3, 1])('sends a burst of %i writes at once and holds the next', async (burst) => {
    const { server, forge } = await setup(60_000, burst);
    const client = forge();

    // One write more than the burst, all asked for at once.
    const writes = Array.from({ length: burst + 1 }, (_, i) =>
      client.addLabels(project, i + 1, ['looper:planning']),
    );
    await Promise.all(writes.slice(0, burst));
    // A read through the same client is not held by the write bucket: once it has come back,
    // the held write would have arrived too if the bucket let it pass.
    await client.listComments(project, 1);

    expect(server.writes().map((w) => w.path)).toEqual(
      Array.from({ length: burst }, (_, i) => `/repos/acme/app/issues/${i + 1}/labels`),
    );
    // Each client has its own bucket: a second gateway's writes do not wait on the first's.
    await forge().addLabels(project, 99, ['looper:planning']);
    expect(server.writes().at(-1)?.path).toBe('/repos/acme/app/issues/99/labels');
    expect(server.writes()).toHaveLength(burst + 1);
  });

  it('after the burst, lets one write through per spacing', async () => {
    const spacingMs = 300;
    const { server, forge } = await setup(spacingMs, 2);
    const client = forge();

    await Promise.all(
      Array.from({ length: 4 }, (_, i) => client.addLabels(project, i + 1, ['looper:planning'])),
    );
    const [first, second, third, fourth] = (await server.writesArrived(4)).map((w) => w.at);

    // The burst left together; each later write waited for the bucket to regain one write (the
    // margin absorbs the first request's connection set-up).
    const margin = spacingMs / 3;
    expect(Number(second) - Number(first)).toBeLessThan(spacingMs - margin);
    expect(Number(third) - Number(first)).toBeGreaterThanOrEqual(spacingMs - margin);
    expect(Number(fourth) - Number(third)).toBeGreaterThanOrEqual(spacingMs - margin);
    expect(Number(fourth) - Number(first)).toBeLessThan(spacingMs * 2 + 1000);
  });

  it('does not space writes when the spacing is 0', async () => {
    const { server, forge } = await setup(0, 1);
    const client = forge();

    await Promise.all(
      Array.from({ length: 5 }, (_, i) => client.addLabels(project, i + 1, ['looper:planning'])),
    );

    expect(server.writes()).toHaveLength(5);
  });
});
