import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './program.js';
import { type CapturedIo, captureIo } from './test-server.test-support.js';

const dataDir = (io: CapturedIo) => io.env.LOOPER_HOME ?? '';
const configFile = (io: CapturedIo) => path.join(dataDir(io), 'looper.toml');

async function run(io: CapturedIo, ...argv: string[]) {
  const before = { out: io.stdoutText().length, err: io.stderrText().length };
  const code = await runCli(argv, io);
  return {
    code,
    stdout: io.stdoutText().slice(before.out),
    stderr: io.stderrText().slice(before.err),
  };
}

describe('looper config path', () => {
  it('names where a file would be created when there is none', async () => {
    const io = captureIo();

    const text = await run(io, 'config', 'path');
    const json = await run(io, 'config', 'path', '--json');

    expect(text).toMatchObject({ code: 0, stdout: `${configFile(io)}\n` });
    expect(text.stderr).toContain('does not exist yet');
    expect(JSON.parse(json.stdout)).toEqual({
      file: configFile(io),
      exists: false,
      format: 'toml',
      via: 'default',
      ignored: [],
    });
  });

  it('names the file --config gives', async () => {
    const io = captureIo();
    fs.writeFileSync(path.join(io.cwd, 'mine.yaml'), 'loop: {}\n');

    const result = await run(io, '--config', 'mine.yaml', 'config', 'path', '--json');

    expect(JSON.parse(result.stdout)).toMatchObject({
      file: path.join(io.cwd, 'mine.yaml'),
      exists: true,
      via: 'option',
    });
  });
});

describe('looper config set, get and view', () => {
  it('sets a key in a new file, reads it back, and shows where each value comes from', async () => {
    const io = captureIo({ env: { LOOPER_SERVER_PORT: '8123' } });

    const set = await run(io, 'config', 'set', 'loop.max-fix-rounds', '7');
    const get = await run(io, 'config', 'get', 'loop.max-fix-rounds');
    const view = await run(io, 'config', 'view', '--sources', '--json');
    const table = await run(io, 'config', 'view', '--sources');

    expect(set).toEqual({
      code: 0,
      stdout: `set loop.max-fix-rounds = 7 in ${configFile(io)} (created it, mode 600)\n`,
      stderr: '',
    });
    expect(fs.statSync(configFile(io)).mode & 0o777).toBe(0o600);
    expect(get).toMatchObject({ code: 0, stdout: '7\n' });
    const { sources, file } = JSON.parse(view.stdout);
    expect(file).toBe(configFile(io));
    expect(sources['loop.max-fix-rounds']).toBe('file');
    expect(sources['server.port']).toBe('LOOPER_SERVER_PORT');
    expect(sources['server.host']).toBe('default');
    expect(table.stdout).toMatch(/^loop\.max-fix-rounds +7 +file$/m);
  });

  it('prints text values bare, and lists as JSON', async () => {
    const io = captureIo();
    await run(io, 'config', 'set', 'trust.allowed-users', 'alice, bob');

    expect((await run(io, 'config', 'get', 'server.host')).stdout).toBe('127.0.0.1\n');
    expect((await run(io, 'config', 'get', 'trust.allowed-users')).stdout).toBe(
      '["alice","bob"]\n',
    );
  });

  it('exits 2 with a hint for an unknown key, and 1 for a known key that is not set', async () => {
    const io = captureIo();

    const unknown = await run(io, 'config', 'get', 'loop.max-fix-round');
    const unset = await run(io, 'config', 'get', 'agent.max-turns', '--json');

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('did you mean "loop.max-fix-rounds"?');
    expect(unset.code).toBe(1);
    expect(JSON.parse(unset.stdout)).toEqual({
      key: 'agent.max-turns',
      value: null,
      set: false,
      source: 'default',
    });
  });

  it('takes a secret from stdin and never prints it', async () => {
    const io = captureIo({ stdin: 'ghp_s3cret\n' });

    const set = await run(io, 'config', 'set', 'github.token', '-');
    const get = await run(io, 'config', 'get', 'github.token');
    const view = await run(io, 'config', 'view');
    const json = await run(io, 'config', 'view', '--json');

    expect(set.stdout).toBe(
      `set github.token (secret, not shown) in ${configFile(io)} (created it, mode 600)\n`,
    );
    expect(get.stdout).toBe('****\n');
    expect(view.stdout).toContain('github.token = "****"');
    for (const output of [set, get, view, json]) {
      expect(output.stdout + output.stderr).not.toContain('ghp_s3cret');
    }
    expect(fs.readFileSync(configFile(io), 'utf8')).toBe('[github]\ntoken = "ghp_s3cret"\n');
  });

  it('refuses a value that does not fit, naming the file, the key and the reason, writing nothing', async () => {
    const io = captureIo();

    const result = await run(io, 'config', 'set', 'server.port', 'eighty');

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `looper: ${configFile(io)}: server.port: expected a number, got string "eighty"\n`,
    );
    expect(fs.existsSync(configFile(io))).toBe(false);
  });

  it('tells a running daemon needs a restart, at its old address when the address changes', async () => {
    const io = captureIo();
    fs.mkdirSync(dataDir(io), { recursive: true });
    // This test process stands in for looperd: its pid holds the data dir's lock.
    fs.writeFileSync(path.join(dataDir(io), 'looperd.lock'), `${process.pid}\n`);

    const rounds = await run(io, 'config', 'set', 'loop.max-fix-rounds', '3', '--json');
    const port = await run(io, 'config', 'set', 'server.port', '8200');

    expect(JSON.parse(rounds.stdout)).toMatchObject({
      restart_required: true,
      daemon_pid: process.pid,
    });
    expect(rounds.stderr).toContain(
      `looperd (pid ${process.pid}) keeps the config it started with; restart it to apply this`,
    );
    expect(port.stderr).toContain(
      `looperd (pid ${process.pid}) still listens on http://127.0.0.1:7391; restart it there`,
    );
    expect(port.stderr).toContain('LOOPER_URL=http://127.0.0.1:7391 looper daemon stop');
  });
});

describe('looper config validate', () => {
  it('exits 1 listing every problem of a file, and 0 for a valid one', async () => {
    const io = captureIo();
    const bad = path.join(io.cwd, 'bad.toml');
    fs.writeFileSync(bad, '[loop]\nmax-fix-rounds = "five"\n[servr]\nport = 1\n');
    fs.writeFileSync(path.join(io.cwd, 'good.json'), '{"loop": {"max-fix-rounds": 3}}');

    const invalid = await run(io, 'config', 'validate', 'bad.toml');
    const valid = await run(io, 'config', 'validate', 'good.json');

    expect(invalid.code).toBe(1);
    expect(invalid.stdout.trim().split('\n').sort()).toEqual([
      `${bad}: loop.max-fix-rounds: expected a number, got string "five"`,
      `${bad}: servr: unknown section "servr" (did you mean "server"?)`,
    ]);
    expect(valid).toMatchObject({ code: 0, stdout: `${path.join(io.cwd, 'good.json')}: valid\n` });
  });

  it('checks the config in use with the environment when no file is named', async () => {
    const io = captureIo({ env: { LOOPER_LOOP_MAX_FIX_ROUND: '3' } });

    const result = await run(io, 'config', 'validate', '--json');

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      file: null,
      valid: false,
      issues: [{ file: 'env LOOPER_LOOP_MAX_FIX_ROUND', key: 'loop.max-fix-round' }],
    });
  });
});
