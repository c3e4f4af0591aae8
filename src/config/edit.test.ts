import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLooperError, type LooperError } from '../domain/index.js';
import { useConfigHome } from './config-home.test-support.js';
import {
  type ConfigFileOptions,
  locateConfigFile,
  patchConfigFile,
  setConfigValue,
  validateConfigFile,
} from './index.js';

const fx = useConfigHome();

function options(env: NodeJS.ProcessEnv = {}): ConfigFileOptions {
  return { env, homeDir: fx.home, platform: 'linux' };
}

function thrown(action: () => unknown): LooperError {
  try {
    action();
  } catch (error) {
    if (isLooperError(error)) return error;
    throw error;
  }
  throw new Error('expected a LooperError');
}

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe('locateConfigFile', () => {
  it('names <data-dir>/looper.toml when there is no file', () => {
    expect(locateConfigFile(options())).toEqual({
      file: path.join(fx.home, '.looper', 'looper.toml'),
      exists: false,
      format: 'toml',
      via: 'default',
      ignored: [],
      dataDir: path.join(fx.home, '.looper'),
    });
  });

  it('finds the file in discovery order and lists the ones it skips', () => {
    const xdg = fx.write('.config/looper/looper.yaml', 'loop: {}\n');
    const skipped = fx.write('.looper/looper.toml', '');

    expect(locateConfigFile(options())).toMatchObject({
      file: xdg,
      exists: true,
      format: 'yaml',
      via: 'search',
      ignored: [skipped],
    });
  });

  it('takes a file LOOPER_CONFIG names even before it exists', () => {
    const file = path.join(fx.home, 'conf', 'looper.json');

    expect(locateConfigFile(options({ LOOPER_CONFIG: file }))).toMatchObject({
      file,
      exists: false,
      format: 'json',
      via: 'LOOPER_CONFIG',
    });
  });
});

describe('setConfigValue on a TOML file', () => {
  const original = [
    '# my looper',
    '[loop]',
    'max-fix-rounds = 5 # five is plenty',
    '',
    '[server]',
    'port = 8001',
    '',
  ].join('\n');

  it('edits the line in place, keeping comments and the other keys', () => {
    const file = fx.write('.looper/looper.toml', original, 0o640);

    const result = setConfigValue({ ...options(), key: 'loop.max-fix-rounds', value: '7' });

    expect(fs.readFileSync(file, 'utf8')).toBe(original.replace('= 5 #', '= 7 #'));
    expect(result).toMatchObject({ file, created: false, written: true, notes: [] });
    expect(result.changes).toEqual([{ key: 'loop.max-fix-rounds', value: 7, secret: false }]);
    expect(result.config.loop['max-fix-rounds']).toBe(7);
    expect(result.previous?.loop['max-fix-rounds']).toBe(5);
    expect(modeOf(file)).toBe(0o640);
    expect(fx.load().config.server.port).toBe(8001);
  });

  it('creates <data-dir>/looper.toml with mode 600 when there is no file', () => {
    const result = setConfigValue({ ...options(), key: 'roles.reviewer.vendor', value: 'codex' });

    const file = path.join(fx.home, '.looper', 'looper.toml');
    expect(result).toMatchObject({ file, created: true });
    expect(fs.readFileSync(file, 'utf8')).toBe('[roles.reviewer]\nvendor = "codex"\n');
    expect(modeOf(file)).toBe(0o600);
    expect(fx.load().config.roles.reviewer?.vendor).toBe('codex');
  });

  it('refuses a value the schema rejects, naming the file, the key and the reason, and writes nothing', () => {
    const file = fx.write('.looper/looper.toml', original);

    const error = thrown(() =>
      setConfigValue({ ...options(), key: 'loop.max-fix-rounds', value: 'five' }),
    );

    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe(
      `${file}: loop.max-fix-rounds: expected a number, got string "five"`,
    );
    expect(fs.readFileSync(file, 'utf8')).toBe(original);
  });

  it('refuses an unknown key with the closest one, creating nothing', () => {
    const error = thrown(() =>
      setConfigValue({ ...options(), key: 'loop.max-fix-round', value: '1' }),
    );

    expect(error.code).toBe('validation_failed');
    expect(error.message).toBe(
      'loop.max-fix-round: unknown key "max-fix-round" in [loop] (did you mean "loop.max-fix-rounds"?)',
    );
    expect(fs.existsSync(path.join(fx.home, '.looper'))).toBe(false);
  });

  it('rewrites what a line edit cannot do, says the comments are gone and keeps the old text', () => {
    const file = fx.write('.looper/looper.toml', original);

    const result = setConfigValue({
      ...options(),
      key: 'projects',
      value: '[{"repo":"acme/app","checks":["npm test"]}]',
    });

    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain('#');
    expect(text).toContain('[[projects]]');
    expect(fs.readFileSync(`${file}.bak`, 'utf8')).toBe(original);
    expect(modeOf(`${file}.bak`)).toBe(0o600);
    expect(result.notes).toEqual([
      '~/.looper/looper.toml was rewritten from its values, so its comments are gone; the previous text is in ~/.looper/looper.toml.bak',
    ]);
    expect(fx.load().config.projects[0]?.repo).toBe('acme/app');
    expect(fx.load().config.loop['max-fix-rounds']).toBe(5);
  });

  it('adds a list entry at its end only', () => {
    const error = thrown(() =>
      setConfigValue({ ...options(), key: 'projects[1].repo', value: 'acme/app' }),
    );

    expect(error.message).toBe('projects[1]: projects has 0 entries: projects[0] adds one');
    setConfigValue({ ...options(), key: 'projects[0].repo', value: 'acme/app' });
    expect(fx.load().config.projects.map((project) => project.repo)).toEqual(['acme/app']);
  });

  it('refuses to edit a file it cannot parse', () => {
    const file = fx.write('.looper/looper.toml', '[loop\n');

    const error = thrown(() => setConfigValue({ ...options(), key: 'server.port', value: '1' }));

    expect(error.code).toBe('config_invalid');
    expect(error.message.startsWith(`${file}:1:`)).toBe(true);
    expect(error.message).toContain('invalid TOML');
  });
});

describe('setConfigValue on YAML and JSON files', () => {
  it('keeps YAML comments and the other keys', () => {
    const file = fx.write(
      '.config/looper/looper.yaml',
      '# home settings\nloop:\n  approval: label # ask me first\n',
    );

    setConfigValue({ ...options(), key: 'trust.allowed-users', value: 'alice,bob' });

    expect(fs.readFileSync(file, 'utf8')).toBe(
      '# home settings\nloop:\n  approval: label # ask me first\ntrust:\n  allowed-users:\n    - alice\n    - bob\n',
    );
    expect(fx.load().config.trust['allowed-users']).toEqual(['alice', 'bob']);
  });

  it('keeps the other keys, their order and the indentation of a JSON file', () => {
    const file = fx.write('.looper/looper.json', '{\n    "server": { "port": 8001 }\n}\n');

    setConfigValue({ ...options(), key: 'loop.auto-merge', value: 'true' });

    expect(fs.readFileSync(file, 'utf8')).toBe(
      '{\n    "server": {\n        "port": 8001\n    },\n    "loop": {\n        "auto-merge": true\n    }\n}\n',
    );
  });
});

describe('secrets', () => {
  it('masks a secret it sets, and makes a file readable by others private', () => {
    const file = fx.write('.looper/looper.toml', '[github]\nbot-login = "bot"\n', 0o644);

    const result = setConfigValue({ ...options(), key: 'github.token', value: 'ghp_s3cret' });

    expect(result.changes).toEqual([{ key: 'github.token', value: '****', secret: true }]);
    expect(modeOf(file)).toBe(0o600);
    expect(result.notes).toEqual([
      '~/.looper/looper.toml holds secrets: made it private (mode 600)',
    ]);
    expect(fx.load().config.github.token).toBe('ghp_s3cret');
  });

  it('never repeats a secret in a refusal', () => {
    const error = thrown(() =>
      setConfigValue({ ...options(), key: 'storage.url', value: 'mysql://me:hunter2@db/looper' }),
    );

    expect(error.message).not.toContain('hunter2');
    expect(error.message).toContain('storage.url');
  });
});

describe('patchConfigFile', () => {
  it('applies a merge patch: nested keys, a removal with null, a new section', () => {
    const file = fx.write(
      '.looper/looper.toml',
      '[loop]\napproval = "label"\nmax-fix-rounds = 5\n\n[server]\nport = 8001\n',
    );

    const result = patchConfigFile({
      ...options(),
      patch: { loop: { 'max-fix-rounds': 2, approval: null }, daemon: { 'poll-interval-secs': 5 } },
    });

    expect(fs.readFileSync(file, 'utf8')).toBe(
      '[loop]\nmax-fix-rounds = 2\n\n[server]\nport = 8001\n\n[daemon]\npoll-interval-secs = 5\n',
    );
    expect(result.changes.map((change) => change.key)).toEqual([
      'loop.max-fix-rounds',
      'loop.approval',
      'daemon.poll-interval-secs',
    ]);
    expect(result.config.loop.approval).toBe('auto');
  });

  it('names every bad key, with a hint for an unknown one, and writes nothing', () => {
    const file = fx.write('.looper/looper.toml', '[loop]\napproval = "label"\n');

    const error = thrown(() =>
      patchConfigFile({
        ...options(),
        patch: { loop: { 'max-fix-round': 2, approval: 'never' }, server: { port: 'x' } },
      }),
    );

    expect(error.code).toBe('config_invalid');
    const issues = (error.details as { issues: { key: string; hint?: string }[] }).issues;
    expect(issues.map((issue) => issue.key).sort()).toEqual([
      'loop.approval',
      'loop.max-fix-round',
      'server.port',
    ]);
    expect(issues.find((issue) => issue.key === 'loop.max-fix-round')?.hint).toBe(
      'did you mean "max-fix-rounds"?',
    );
    expect(fs.readFileSync(file, 'utf8')).toBe('[loop]\napproval = "label"\n');
  });

  it('edits [roles.plan-reviewer] under the spelling the file uses', () => {
    const file = fx.write('.looper/looper.toml', '[roles.plan-reviewer]\nmodel = "o3"\n');

    patchConfigFile({ ...options(), patch: { roles: { plan_reviewer: { vendor: 'codex' } } } });

    expect(fs.readFileSync(file, 'utf8')).toBe(
      '[roles.plan-reviewer]\nmodel = "o3"\nvendor = "codex"\n',
    );
    expect(fx.load().config.roles.plan_reviewer).toEqual({ model: 'o3', vendor: 'codex' });
  });

  it('writes nothing for an empty patch', () => {
    const result = patchConfigFile({ ...options(), patch: {} });

    expect(result.written).toBe(false);
    expect(fs.existsSync(result.file)).toBe(false);
  });

  it('says when an env variable overrides a key it wrote', () => {
    const result = patchConfigFile({
      ...options({ LOOPER_SERVER_PORT: '9100' }),
      patch: { server: { port: 9000 } },
    });

    expect(result.notes).toEqual(['LOOPER_SERVER_PORT in the environment overrides server.port']);
    expect(result.config.server.port).toBe(9100);
    expect(result.sourceOf(['server', 'port'])).toBe('LOOPER_SERVER_PORT');
  });
});

describe('validateConfigFile', () => {
  it('lists every problem of a file with its key, and nothing for a valid one', () => {
    const bad = fx.write(
      'bad.toml',
      '[loop]\nmax-fix-rounds = "five"\napprove = "label"\n[servr]\nport = 1\n',
    );
    const good = fx.write('good.yaml', 'loop:\n  max-fix-rounds: 3\n');

    const issues = validateConfigFile(bad);

    expect(issues.map((issue) => `${issue.key}: ${issue.reason}`).sort()).toEqual([
      'loop.approve: unknown key "approve" in [loop]',
      'loop.max-fix-rounds: expected a number, got string "five"',
      'servr: unknown section "servr"',
    ]);
    expect(issues.every((issue) => issue.file === bad)).toBe(true);
    expect(validateConfigFile(good)).toEqual([]);
  });
});
