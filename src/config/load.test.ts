import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LooperError } from '../domain/index.js';
import { useConfigHome } from './config-home.test-support.js';
import { defaultConfig } from './index.js';

const fx = useConfigHome();
const { write, load, failure } = fx;

interface Issue {
  file: string;
  key: string;
  reason: string;
  hint?: string;
  line?: number;
}

function issuesOf(error: LooperError): Issue[] {
  return (error.details as { issues: Issue[] }).issues;
}

describe('loadConfig without a file', () => {
  it('serves the defaults with the data dir under the fx.home directory', () => {
    const loaded = load();

    expect(loaded.file).toBeNull();
    expect(loaded.config).toEqual(defaultConfig());
    expect(loaded.config.server).toEqual({ host: '127.0.0.1', port: 7391 });
    expect(loaded.config.loop['max-fix-rounds']).toBe(5);
    expect(loaded.dataDir).toBe(path.join(fx.home, '.looper'));
    expect(loaded.storageUrl).toBe(`sqlite://${path.join(fx.home, '.looper', 'looper.db')}`);
    expect(loaded.warnings).toEqual([]);
  });

  it('takes the data dir from LOOPER_HOME', () => {
    const dataDir = path.join(fx.home, 'data');

    const loaded = load({ env: { LOOPER_HOME: dataDir } });

    expect(loaded.dataDir).toBe(dataDir);
    expect(loaded.storageUrl).toBe(`sqlite://${path.join(dataDir, 'looper.db')}`);
  });
});

describe('config file formats', () => {
  it('reads TOML, including [[projects]] and [roles.<role>]', () => {
    write(
      '.looper/looper.toml',
      [
        '[server]',
        'port = 8001',
        '[roles.reviewer]',
        'vendor = "codex"',
        '[vendors.claude-code]',
        'args = ["--x"]',
        '[[projects]]',
        'repo = "acme/app"',
        'checks = ["npm test"]',
      ].join('\n'),
    );

    const { config, file } = load();

    expect(file).toBe(path.join(fx.home, '.looper', 'looper.toml'));
    expect(config.server.port).toBe(8001);
    expect(config.roles.reviewer?.vendor).toBe('codex');
    expect(config.vendors['claude-code']).toEqual({
      command: 'claude',
      model: '',
      args: ['--x'],
      env: {},
    });
    expect(config.projects).toEqual([
      { repo: 'acme/app', checks: ['npm test'], 'base-branch': 'main', 'max-concurrent': 2 },
    ]);
  });

  it('reads YAML', () => {
    write('.looper/looper.yaml', 'loop:\n  approval: label\n  max-fix-rounds: 7\n');

    const { config } = load();

    expect(config.loop.approval).toBe('label');
    expect(config.loop['max-fix-rounds']).toBe(7);
    expect(config.loop['max-plan-rounds']).toBe(2);
  });

  it('reads JSON', () => {
    write('.looper/looper.json', '{"trust": {"allowed-users": ["alice"]}}');

    expect(load().config.trust['allowed-users']).toEqual(['alice']);
  });

  it('treats an empty file as no settings', () => {
    write('.looper/looper.toml', '\n');

    expect(load().config).toEqual(defaultConfig());
  });

  it('names the file, line and column of a TOML syntax error', () => {
    const file = write('.looper/looper.toml', '[loop]\nmax-fix-rounds = = 3\n');

    const error = failure();

    expect(error.code).toBe('config_invalid');
    expect(error.message).toMatch(/^~\/\.looper\/looper\.toml:2:\d+: invalid TOML/);
    expect(issuesOf(error)[0]).toMatchObject({ file, key: '', line: 2 });
  });

  it('names the line of a YAML syntax error', () => {
    write('.looper/looper.yaml', 'loop:\n  approval: [auto\nserver: 1\n');

    expect(failure().message).toMatch(/^~\/\.looper\/looper\.yaml:\d+:\d+: invalid YAML/);
  });

  it('names the line of a JSON syntax error', () => {
    write('.looper/looper.json', '{\n  "loop": {\n    "approval" "auto"\n  }\n}');

    expect(failure().message).toMatch(/^~\/\.looper\/looper\.json:3:\d+: invalid JSON/);
  });

  it('refuses a top level that is not a table', () => {
    write('.looper/looper.json', '[1, 2]');

    expect(failure().message).toContain('expected a table of sections');
  });
});

describe('layering', () => {
  it('merges defaults, file, env and overrides key by key, later layers winning', () => {
    write(
      '.looper/looper.toml',
      '[server]\nhost = "0.0.0.0"\nport = 8000\n[loop]\napproval = "label"',
    );

    const { config } = load({
      env: { LOOPER_SERVER_PORT: '8100', LOOPER_LOOP_MAX_FIX_ROUNDS: '7' },
      overrides: { loop: { 'max-fix-rounds': 9 }, server: { host: undefined } },
    });

    expect(config.server).toEqual({ host: '0.0.0.0', port: 8100 });
    expect(config.loop.approval).toBe('label');
    expect(config.loop['max-fix-rounds']).toBe(9);
    expect(config.loop['max-plan-rounds']).toBe(2);
  });

  it('replaces arrays whole rather than merging them', () => {
    write('.looper/looper.toml', '[trust]\nallowed-users = ["a", "b"]');

    const { config } = load({ overrides: { trust: { 'allowed-users': ['c'] } } });

    expect(config.trust['allowed-users']).toEqual(['c']);
  });

  it('resolves sqlite and postgres storage URLs', () => {
    const pg = 'postgres://looper@db/looper';
    expect(load({ env: { LOOPER_STORAGE_URL: pg } }).storageUrl).toBe(pg);
    expect(load({ env: { LOOPER_STORAGE_URL: 'sqlite://x.db' } }).storageUrl).toBe(
      `sqlite://${path.join(fx.home, '.looper', 'x.db')}`,
    );
    expect(load({ env: { LOOPER_STORAGE_URL: 'sqlite:///var/l.db' } }).storageUrl).toBe(
      'sqlite:///var/l.db',
    );
  });
});

describe('validation errors', () => {
  it('names the file, the key and the reason of a wrong type', () => {
    const file = write('.looper/looper.toml', '[loop]\nmax-fix-rounds = "five"');

    const error = failure();

    expect(error.message).toBe(
      '~/.looper/looper.toml: loop.max-fix-rounds: expected a number, got string "five"',
    );
    expect(issuesOf(error)).toEqual([
      { file, key: 'loop.max-fix-rounds', reason: 'expected a number, got string "five"' },
    ]);
  });

  it('suggests the closest key for an unknown one', () => {
    write('.looper/looper.toml', '[loop]\nmax-fix-round = 3');

    expect(failure().message).toBe(
      '~/.looper/looper.toml: loop.max-fix-round: unknown key "max-fix-round" in [loop] ' +
        '(did you mean "max-fix-rounds"?)',
    );
  });

  it('suggests the closest section for an unknown one', () => {
    write('.looper/looper.toml', '[servr]\nport = 1');

    const [issue] = issuesOf(failure());

    expect(issue?.reason).toBe('unknown section "servr"');
    expect(issue?.hint).toBe('did you mean "server"?');
  });

  it('reads snake_case keys as near misses of the kebab-case ones', () => {
    write('.looper/looper.yaml', 'agent:\n  timeout_secs: 5\n');

    expect(issuesOf(failure())[0]?.hint).toBe('did you mean "timeout-secs"?');
  });

  it('reports every issue at once, one line each', () => {
    write(
      '.looper/looper.toml',
      '[server]\nport = 70000\n[loop]\napproval = "manual"\n[[projects]]\nbase-branch = "dev"',
    );

    const lines = failure().message.split('\n');

    expect(lines).toEqual([
      '~/.looper/looper.toml: server.port: must be at most 65535, got number 70000',
      '~/.looper/looper.toml: loop.approval: expected one of "auto", "label", got string "manual"',
      '~/.looper/looper.toml: projects[0]: a project needs "repo" (owner/name) or "path" ' +
        '(a local clone), or both',
    ]);
  });

  it('names an override as the source of its bad value', () => {
    const error = failure({ overrides: { server: { port: -1 } } });

    expect(issuesOf(error)[0]).toMatchObject({ file: 'overrides', key: 'server.port' });
  });
});

describe('secret file permissions', () => {
  it('warns when a file holding secrets is readable by others', () => {
    write('.looper/looper.toml', '[github]\ntoken = "ghp_x"', 0o644);

    const { warnings } = load();

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('~/.looper/looper.toml holds secrets (github.token)');
    expect(warnings[0]).toContain('chmod 600');
  });

  it('warns about a password inside a URL', () => {
    write('.looper/looper.toml', '[storage]\nurl = "postgres://u:pw@db/x"', 0o640);

    expect(load().warnings[0]).toContain('(storage.url)');
  });

  it('stays quiet for a private file or a file without secrets', () => {
    write('.looper/looper.toml', '[github]\ntoken = "ghp_x"', 0o600);
    expect(load().warnings).toEqual([]);

    write('.looper/looper.toml', '[github]\ntoken = ""\n[server]\nport = 1', 0o644);
    expect(load().warnings).toEqual([]);
  });
});
