import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useConfigHome } from './config-home.test-support.js';

const fx = useConfigHome();
const { write, load, failure } = fx;

describe('config file discovery', () => {
  it('prefers an explicit file, then LOOPER_CONFIG, then XDG, then the data dir', () => {
    const explicit = write('elsewhere/a.toml', '[server]\nport = 1001');
    const named = write('named.toml', '[server]\nport = 1002');
    const xdg = write('.config/looper/looper.toml', '[server]\nport = 1003');
    const inData = write('.looper/looper.toml', '[server]\nport = 1004');
    const env = { LOOPER_CONFIG: named };

    expect(load({ env, file: explicit }).file).toBe(explicit);
    expect(load({ env }).file).toBe(named);
    expect(load().file).toBe(xdg);
    fs.rmSync(xdg);
    expect(load().file).toBe(inData);
    expect(load().config.server.port).toBe(1004);
  });

  it('uses $XDG_CONFIG_HOME when set', () => {
    const xdgHome = path.join(fx.home, 'xdg');
    const file = write('xdg/looper/looper.yml', 'server:\n  port: 1005\n');

    const loaded = load({ env: { XDG_CONFIG_HOME: xdgHome } });

    expect(loaded.file).toBe(file);
    expect(loaded.config.server.port).toBe(1005);
  });

  it('searches ~/Library/Application Support/looper on macOS, before the data dir', () => {
    const file = write('Library/Application Support/looper/looper.toml', '[server]\nport = 1006');
    write('.looper/looper.toml', '[server]\nport = 1007');

    expect(load({ platform: 'darwin' }).file).toBe(file);
    expect(load({ platform: 'linux' }).file).toBe(path.join(fx.home, '.looper', 'looper.toml'));
  });

  it('searches the LOOPER_HOME data dir', () => {
    const file = write('data/looper.json', '{"server": {"port": 1008}}');

    expect(load({ env: { LOOPER_HOME: path.join(fx.home, 'data') } }).file).toBe(file);
  });

  it('fails when LOOPER_CONFIG names a missing file', () => {
    const missing = path.join(fx.home, 'nope.toml');

    const error = failure({ env: { LOOPER_CONFIG: missing } });

    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain('~/nope.toml');
    expect(error.message).toContain('LOOPER_CONFIG');
  });

  it('fails when the explicit file is missing', () => {
    expect(failure({ file: path.join(fx.home, 'nope.toml') }).message).toContain('~/nope.toml');
  });

  it('warns about a second file it skips', () => {
    write('.config/looper/looper.toml', '');
    write('.looper/looper.json', '{}');

    expect(load().warnings).toEqual([
      '~/.looper/looper.json is ignored: ~/.config/looper/looper.toml is read first',
    ]);
  });
});
