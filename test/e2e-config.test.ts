// E2E: configuration through the built bins: `looper config path|view|get|set|validate` on real
// files without a daemon, then `GET|PATCH /config` against a real looperd, which keeps running
// with the config it loaded while the file changes under it.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLooperEnv, type LooperEnv } from './support/looper-harness.js';

let env: LooperEnv | undefined;
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
});

interface Envelope<T> {
  ok: boolean;
  data: T;
  error?: { code: string; message: string; details?: { issues: { key: string; hint?: string }[] } };
}

async function api<T>(
  looper: LooperEnv,
  method: 'GET' | 'PATCH',
  body?: unknown,
  token: string | null = looper.token(),
): Promise<{ status: number; text: string; json: Envelope<T> }> {
  const res = await fetch(`${looper.url}/api/v1/config`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as Envelope<T> };
}

describe('looper config', () => {
  it('finds, sets, reads, views and validates the config file without a daemon', async () => {
    env = await createLooperEnv();
    const file = path.join(env.home, 'looper.toml');

    const where = await env.json(['config', 'path']);
    expect(where).toMatchObject({ code: 0, data: { file, exists: false, via: 'default' } });

    const set = await env.cli(['config', 'set', 'loop.max-fix-rounds', '7']);
    expect(set.code).toBe(0);
    expect(set.stdout).toBe(`set loop.max-fix-rounds = 7 in ${file} (created it, mode 600)\n`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const secret = await env.cli(['config', 'set', 'github.token', 'ghp_e2e_s3cret']);
    expect(secret.stdout).toContain('github.token (secret, not shown)');
    expect((await env.cli(['config', 'get', 'github.token'])).stdout).toBe('****\n');
    expect((await env.cli(['config', 'get', 'loop.max-fix-rounds'])).stdout).toBe('7\n');

    const view = await env.json<{ sources: Record<string, string>; config: unknown }>([
      'config',
      'view',
      '--sources',
    ]);
    expect(view.data.sources).toMatchObject({
      'loop.max-fix-rounds': 'file',
      'server.port': 'LOOPER_SERVER_PORT',
      'loop.approval': 'default',
    });
    expect(JSON.stringify(view.data)).not.toContain('ghp_e2e_s3cret');

    const unknown = await env.cli(['config', 'get', 'loop.max-fix-round']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('did you mean "loop.max-fix-rounds"?');

    const refused = await env.cli(['config', 'set', 'loop.approval', 'sometimes']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${file}: loop.approval: expected one of "auto", "label"`);
    expect(fs.readFileSync(file, 'utf8')).not.toContain('sometimes');

    expect(await env.cli(['config', 'validate'])).toMatchObject({
      code: 0,
      stdout: `${file}: valid\n`,
    });
    const bad = path.join(env.home, 'bad.yaml');
    fs.writeFileSync(bad, 'loop:\n  max-fix-rounds: many\nservr: {}\n');
    const invalid = await env.cli(['config', 'validate', bad]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain(`${bad}: loop.max-fix-rounds: expected a number`);
    expect(invalid.stdout).toContain(`${bad}: servr: unknown section "servr"`);
  });

  it('GET /config shows the running config; PATCH writes the file, validated, for the next start', async () => {
    env = await createLooperEnv();
    const file = path.join(env.home, 'looper.toml');
    fs.writeFileSync(file, '# tuned by hand\n[loop]\nmax-fix-rounds = 4\n', { mode: 0o600 });
    const started = await env.json<{ pid: number }>(['daemon', 'start']);
    expect(started.code).toBe(0);

    // `config set` while the daemon runs: written, and the daemon needs a restart.
    const set = await env.cli(['config', 'set', 'loop.max-plan-rounds', '1']);
    expect(set.code).toBe(0);
    expect(set.stderr).toContain(`looperd (pid ${started.data.pid}) keeps the config it started`);

    const shown = await api<{ file: string; config: { loop: Record<string, unknown> } }>(
      env,
      'GET',
      undefined,
      null,
    );
    expect(shown.status).toBe(200);
    expect(shown.json.data).toMatchObject({
      file,
      file_exists: true,
      config: { loop: { 'max-fix-rounds': 4, 'max-plan-rounds': 2 } },
      restart_required: true,
    });

    const anonymous = await api(env, 'PATCH', { loop: { approval: 'label' } }, null);
    expect(anonymous.status).toBe(401);

    const patched = await api<{ config: { github: { token: string } } }>(env, 'PATCH', {
      loop: { approval: 'label', 'max-fix-rounds': null },
      github: { token: 'ghp_patched_s3cret' },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.data).toMatchObject({
      file,
      created: false,
      changed: [
        { key: 'loop.approval', value: 'label', secret: false },
        { key: 'loop.max-fix-rounds', value: null, secret: false },
        { key: 'github.token', value: '****', secret: true },
      ],
      config: { loop: { approval: 'label', 'max-fix-rounds': 5 }, github: { token: '****' } },
      restart_required: true,
    });
    expect(patched.text).not.toContain('ghp_patched_s3cret');
    expect(fs.readFileSync(file, 'utf8')).toBe(
      '# tuned by hand\n[loop]\nmax-plan-rounds = 1\napproval = "label"\n\n[github]\ntoken = "ghp_patched_s3cret"\n',
    );

    const invalid = await api(env, 'PATCH', { loop: { 'max-fix-round': 1, approval: 'never' } });
    expect(invalid.status).toBe(422);
    expect(invalid.json.error?.code).toBe('config_invalid');
    const issues = invalid.json.error?.details?.issues ?? [];
    expect(issues.map((issue) => issue.key).sort()).toEqual([
      'loop.approval',
      'loop.max-fix-round',
    ]);
    expect(issues.find((issue) => issue.key === 'loop.max-fix-round')?.hint).toBe(
      'did you mean "max-fix-rounds"?',
    );

    // The running daemon still has the config it loaded; the CLI reads the file.
    const running = await api<{ config: { loop: Record<string, unknown> } }>(env, 'GET');
    expect(running.json.data.config.loop).toMatchObject({ approval: 'auto', 'max-fix-rounds': 4 });
    expect((await env.cli(['config', 'get', 'loop.approval'])).stdout).toBe('label\n');
  });
});
