import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './program.js';
import {
  captureIo,
  sampleLoop,
  sendData,
  startTestServer,
  type TestServer,
} from './test-server.test-support.js';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('looper run <issue-url>', () => {
  it('sends the issue URL (with --vendor) and nothing of --repo/--title', async () => {
    server = await startTestServer((_request, res) => sendData(res, sampleLoop()));
    const io = captureIo({ env: { LOOPER_URL: server.url, LOOPER_TOKEN: 'sekret' } });

    const code = await runCli(
      ['run', 'https://github.com/acme/app/issues/12', '--vendor', 'codex'],
      io,
    );

    expect(code).toBe(0);
    const post = server.requests.find((r) => r.method === 'POST');
    expect(post?.url).toBe('/api/v1/loops');
    expect(JSON.parse(post?.body ?? '{}')).toEqual({
      issue_url: 'https://github.com/acme/app/issues/12',
      vendor: 'codex',
    });
  });

  it('exits 2 for a pull request URL or an issue URL with --title, before calling the daemon', async () => {
    const pull = captureIo();
    const titled = captureIo();

    expect(await runCli(['run', 'https://github.com/acme/app/pull/3'], pull)).toBe(2);
    expect(
      await runCli(['run', 'https://github.com/acme/app/issues/3', '--title', 'T'], titled),
    ).toBe(2);
    expect(pull.stderrText()).toContain("'https://github.com/acme/app/pull/3' is not an issue URL");
    expect(titled.stderrText()).toContain('--title does not go with an issue URL');
  });
});
