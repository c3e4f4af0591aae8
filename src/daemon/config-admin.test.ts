import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { isLooperError, LooperError } from '../domain/index.js';
import { createConfigAdmin } from './config-admin.js';

let home = '';
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
});
afterEach(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

function admin(configText?: string) {
  const env = {
    HOME: home,
    LOOPER_HOME: path.join(home, '.looper'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
  };
  if (configText !== undefined) {
    fs.mkdirSync(env.LOOPER_HOME, { recursive: true });
    fs.writeFileSync(path.join(env.LOOPER_HOME, 'looper.toml'), configText, { mode: 0o600 });
  }
  const logged: object[] = [];
  const loaded = loadConfig({ env });
  const service = createConfigAdmin({ loaded, env, log: { info: (obj) => logged.push(obj) } });
  return { service, logged, file: path.join(env.LOOPER_HOME, 'looper.toml') };
}

describe('the daemon config service', () => {
  it('shows the running config with secrets masked and its file', async () => {
    const { service, file } = admin('[github]\ntoken = "ghp_s3cret"\n');

    const view = await service.getConfig();

    expect(view).toMatchObject({ file, file_exists: true, restart_required: false });
    expect(view.config).toMatchObject({ github: { token: '****' } });
    expect(JSON.stringify(view)).not.toContain('ghp_s3cret');
  });

  it('writes a patch to the file, keeps running the loaded config, and says a restart applies it', async () => {
    const { service, file, logged } = admin('[loop]\nmax-fix-rounds = 5\n');

    const patched = await service.patchConfig({
      loop: { 'max-fix-rounds': 7 },
      github: { token: 'ghp_new' },
    });
    const after = await service.getConfig();

    expect(patched).toMatchObject({
      file,
      created: false,
      changed: [
        { key: 'loop.max-fix-rounds', value: 7, secret: false },
        { key: 'github.token', value: '****', secret: true },
      ],
      restart_required: true,
    });
    expect(patched.config).toMatchObject({
      loop: { 'max-fix-rounds': 7 },
      github: { token: '****' },
    });
    expect(JSON.stringify(patched)).not.toContain('ghp_new');
    expect(fs.readFileSync(file, 'utf8')).toContain('token = "ghp_new"');
    expect(after.config).toMatchObject({ loop: { 'max-fix-rounds': 5 } });
    expect(after.restart_required).toBe(true);
    expect(logged).toEqual([{ file, keys: ['loop.max-fix-rounds', 'github.token'] }]);
  });

  it('creates <data-dir>/looper.toml when the daemon started without a file', async () => {
    const { service, file } = admin();

    expect(await service.getConfig()).toMatchObject({ file, file_exists: false });
    const patched = await service.patchConfig({ 'daemon.poll-interval-secs': 5 });

    expect(patched.created).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe('[daemon]\npoll-interval-secs = 5\n');
  });

  it('refuses an invalid patch with config_invalid and leaves the file alone', async () => {
    const { service, file } = admin('[loop]\nmax-fix-rounds = 5\n');

    const error = await service.patchConfig({ loop: { 'max-fix-round': 1 } }).catch((e) => e);

    expect(isLooperError(error)).toBe(true);
    expect((error as LooperError).code).toBe('config_invalid');
    expect((error as LooperError).message).toContain('did you mean "max-fix-rounds"?');
    expect(fs.readFileSync(file, 'utf8')).toBe('[loop]\nmax-fix-rounds = 5\n');
    expect(error).toBeInstanceOf(LooperError);
  });
});
