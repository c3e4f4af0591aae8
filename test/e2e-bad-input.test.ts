// E2E: bad input is refused with a precise message and nothing is changed: invalid config files and
// env vars (looper and looperd), API requests without a token, with bad bodies, unknown ids or a
// foreign Host, and CLI usage errors.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest } from './support/agent-scripts.js';
import {
  createLooperEnv,
  type LooperEnv,
  looperdBin,
  makeRepo,
  runNode,
} from './support/looper-harness.js';

let env: LooperEnv | undefined;
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
});

interface ErrorEnvelope {
  ok: false;
  error: {
    code: string;
    message: string;
    details?: { issues?: { path: string; message: string }[] };
  };
}

describe('invalid configuration', () => {
  it('a value of the wrong type names the file, the key and the reason', async () => {
    env = await createLooperEnv({ configToml: '[loop]\nmax-fix-rounds = "five"\n' });
    const file = path.join(env.home, 'config.toml');

    const status = await env.cli(['status']);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain(file);
    expect(status.stderr).toContain('loop.max-fix-rounds');
    expect(status.stderr).toContain('expected a number, got string "five"');
    expect(status.stdout).toBe('');

    const daemon = await runNode([looperdBin], env.env);
    expect(daemon.code).not.toBe(0);
    expect(daemon.stderr).toMatch(
      new RegExp(`^looperd: ${escapeRegExp(file)}: loop\\.max-fix-rounds: expected a number`),
    );
    // Neither started a daemon.
    expect(fs.existsSync(path.join(env.home, 'looperd.lock'))).toBe(false);

    const json = await env.json<ErrorEnvelope>(['status']);
    expect(json.code).toBe(2);
    expect(json.data.ok).toBe(false);
    expect(json.data.error.code).toBe('config_invalid');
    expect(json.data.error.details?.issues).toEqual([
      { file, key: 'loop.max-fix-rounds', reason: 'expected a number, got string "five"' },
    ]);
  });

  it('an unknown key gets a did-you-mean hint', async () => {
    env = await createLooperEnv({ configToml: '[loop]\nmax-fix-round = 3\n' });
    const file = path.join(env.home, 'config.toml');

    for (const result of [await env.cli(['status']), await runNode([looperdBin], env.env)]) {
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(file);
      expect(result.stderr).toContain('loop.max-fix-round');
      expect(result.stderr).toContain('unknown key "max-fix-round" in [loop]');
      expect(result.stderr).toContain('did you mean "max-fix-rounds"');
    }
    expect(fs.existsSync(path.join(env.home, 'looperd.lock'))).toBe(false);
  });

  it('an env var with a bad value is named', async () => {
    env = await createLooperEnv({ env: { LOOPER_SERVER_PORT: 'abc' } });

    for (const result of [await env.cli(['status']), await runNode([looperdBin], env.env)]) {
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('LOOPER_SERVER_PORT');
      expect(result.stderr).toContain('server.port');
      expect(result.stderr).toContain('expected a number, got string "abc"');
    }
    expect(fs.existsSync(path.join(env.home, 'looperd.lock'))).toBe(false);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('the API refuses bad requests', () => {
  it('answers with the error envelope and creates nothing', async () => {
    env = await createLooperEnv();
    const started = await env.cli(['daemon', 'start']);
    expect(started.code).toBe(0);
    const token = env.token();
    const repo = makeRepo({ 'a.txt': 'a\n' });
    const loops = `${env.url}/api/v1/loops`;
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(loops, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const auth = { authorization: `Bearer ${token}` };
    const envelope = async (response: Response) => (await response.json()) as ErrorEnvelope;

    const noToken = await post(JSON.stringify({ repo, title: 't' }));
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('www-authenticate')).toBe('Bearer');
    expect(await envelope(noToken)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const wrongToken = await post(JSON.stringify({ repo, title: 't' }), {
      authorization: `Bearer ${token}x`,
    });
    expect(wrongToken.status).toBe(401);

    const cases: { body: unknown; field: string }[] = [
      { body: { repo }, field: 'title' },
      { body: { repo, title: 't', colour: 'red' }, field: 'colour' },
      { body: { repo, title: 5 }, field: 'title' },
      { body: { repo, title: 't', checks: 'npm test' }, field: 'checks' },
    ];
    for (const { body, field } of cases) {
      const response = await post(JSON.stringify(body), auth);
      expect(response.status, JSON.stringify(body)).toBe(422);
      const error = await envelope(response);
      expect(error.ok).toBe(false);
      expect(error.error.code).toBe('validation_failed');
      const named = (error.error.details?.issues ?? []).some(
        (issue) => issue.path === field || issue.message.includes(`"${field}"`),
      );
      expect(named, JSON.stringify(error)).toBe(true);
    }

    const malformed = await post('{"repo": ', auth);
    expect(malformed.status).toBe(400);
    expect((await envelope(malformed)).error.code).toBe('bad_request');

    const missingRepo = await post(
      JSON.stringify({ repo: path.join(repo, 'does-not-exist'), title: 't' }),
      auth,
    );
    expect(missingRepo.status).toBe(422);
    const missing = await envelope(missingRepo);
    expect(missing.error.code).toBe('validation_failed');
    expect(missing.error.message).toContain('does-not-exist');

    // A vendor that cannot run is refused up front, not as a failed run later.
    const unsupported = await post(JSON.stringify({ repo, title: 't', vendor: 'custom' }), auth);
    expect(unsupported.status).toBe(422);
    const refused = await envelope(unsupported);
    expect(refused.error.code).toBe('config_invalid');
    expect(refused.error.message).toContain('vendors.custom.command');

    const unknown = await fetch(`${env.url}/api/v1/loops/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'loop nope not found' },
    });

    // DNS rebinding: a foreign Host is refused, even for reads and even with the token.
    for (const method of ['GET', 'POST']) {
      const evil = await rawRequest(loops, {
        method,
        headers: { host: 'evil.example', 'content-type': 'application/json', ...auth },
        body: method === 'POST' ? JSON.stringify({ repo, title: 't' }) : undefined,
      });
      expect(evil.status, method).toBe(403);
      expect(JSON.parse(evil.body)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    const local = await rawRequest(`${env.url}/api/v1/healthz`, {
      headers: { host: `localhost:${env.port}` },
    });
    expect(local.status).toBe(200);

    // Nothing of the above created a loop or a project, or touched the repo.
    const list = await fetch(loops);
    expect(await list.json()).toEqual({ ok: true, data: [] });
    const events = await fetch(`${env.url}/api/v1/events`);
    expect(await events.json()).toEqual({ ok: true, data: [] });
    expect(fs.existsSync(path.join(env.home, 'worktrees'))).toBe(false);
  });
});

describe('CLI usage errors', () => {
  it('exit 2 without touching a daemon', async () => {
    env = await createLooperEnv();
    const body = path.join(env.home, 'body.md');
    fs.writeFileSync(body, 'details\n');

    const both = await env.cli([
      'run',
      '--repo',
      'x',
      '--title',
      't',
      '--body',
      'a',
      '--body-file',
      body,
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--body-file.*cannot be used with option '--body/);

    const unknown = await env.cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");

    const unknownJson = await env.json<ErrorEnvelope>(['frobnicate']);
    expect(unknownJson.code).toBe(2);
    expect(unknownJson.data.error.code).toBe('bad_request');

    const noTitle = await env.cli(['run', '--repo', 'x']);
    expect(noTitle.code).toBe(2);
    expect(noTitle.stderr).toContain('--title');

    // Usage errors never autostart the daemon.
    expect(fs.existsSync(path.join(env.home, 'looperd.lock'))).toBe(false);
  });
});
