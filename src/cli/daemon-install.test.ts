import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './program.js';
import { type CapturedIo, captureIo, closedPort, tempDir } from './test-server.test-support.js';

let bin: string;
let record: string;
let looperd: URL;
let dir: string;

beforeEach(() => {
  dir = tempDir();
  bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  record = path.join(dir, 'systemctl.calls');
  const script = path.join(dir, 'looperd.js');
  fs.writeFileSync(script, '// stands in for dist/looperd.js\n');
  looperd = pathToFileURL(script);
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A stand-in `systemctl` first on PATH: records its arguments, exits with FAKE_SYSTEMCTL_EXIT. */
function standInSystemctl(): void {
  const file = path.join(bin, 'systemctl');
  fs.writeFileSync(
    file,
    `#!/bin/sh\necho "$*" >> '${record}'\n[ -n "$FAKE_SYSTEMCTL_EXIT" ] && { echo 'unit failed' >&2; exit "$FAKE_SYSTEMCTL_EXIT"; }\nexit 0\n`,
  );
  fs.chmodSync(file, 0o755);
}

function calls(): string[] {
  return fs.existsSync(record) ? fs.readFileSync(record, 'utf8').trimEnd().split('\n') : [];
}

async function io(env: Record<string, string> = {}): Promise<CapturedIo> {
  const captured = captureIo({
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      LOOPER_SERVER_PORT: String(await closedPort()),
      ...env,
    },
  });
  return { ...captured, daemonEntry: looperd };
}

function unitPath(captured: CapturedIo): string {
  return path.join(captured.env.XDG_CONFIG_HOME as string, 'systemd', 'user', 'looperd.service');
}

describe('looper daemon install | uninstall (systemd)', () => {
  it('writes the user unit, reloads systemd and enables it now; uninstall reverses it', async () => {
    standInSystemctl();
    const install = await io({ LOOPER_GITHUB_TOKEN: 'ghp_secret', LOOPER_LOG_LEVEL: 'debug' });
    expect(await runCli(['daemon', 'install', '--json'], install)).toBe(0);

    const unit = unitPath(install);
    const text = fs.readFileSync(unit, 'utf8');
    const dataDir = install.env.LOOPER_HOME as string;
    expect(text).toContain(
      `ExecStart="${process.execPath}" "${path.join(path.dirname(record), 'looperd.js')}"`,
    );
    expect(text).toContain(`Environment="LOOPER_HOME=${dataDir}"`);
    expect(text).toContain(`Environment="PATH=${bin}:/usr/bin:/bin"`);
    expect(text).toContain('Environment="LOOPER_LOG_LEVEL=debug"');
    expect(text).toContain(`Environment="LOOPER_SERVER_PORT=${install.env.LOOPER_SERVER_PORT}"`);
    // Secrets stay out of the unit file, and the user is told.
    expect(text).not.toContain('ghp_secret');
    expect(install.stderrText()).toContain('LOOPER_GITHUB_TOKEN');
    // systemd opens the log before looperd runs: the directory must exist.
    expect(fs.existsSync(path.join(dataDir, 'logs'))).toBe(true);
    expect(calls()).toEqual(['--user daemon-reload', '--user enable --now looperd.service']);
    expect(JSON.parse(install.stdoutText())).toMatchObject({
      manager: 'systemd',
      path: unit,
      installed: true,
      started: true,
      stopped_pid: null,
      commands: [
        { command: 'systemctl --user daemon-reload', ran: true, exit_code: 0 },
        { command: 'systemctl --user enable --now looperd.service', ran: true, exit_code: 0 },
      ],
    });

    const uninstall = await io();
    expect(await runCli(['daemon', 'uninstall'], { ...uninstall, env: install.env })).toBe(0);
    expect(fs.existsSync(unit)).toBe(false);
    expect(calls().slice(2)).toEqual([
      '--user disable --now looperd.service',
      '--user daemon-reload',
    ]);

    // Not installed: says so and succeeds, running nothing.
    const again = await io();
    expect(await runCli(['daemon', 'uninstall'], { ...again, env: install.env })).toBe(0);
    expect(again.stdoutText()).toContain('not installed');
    expect(calls()).toHaveLength(4);
  });

  it('--print shows the unit and writes nothing', async () => {
    standInSystemctl();
    const captured = await io();
    expect(await runCli(['daemon', 'install', '--print'], captured)).toBe(0);
    expect(captured.stdoutText()).toContain('[Service]\nType=simple\nExecStart=');
    expect(fs.existsSync(unitPath(captured))).toBe(false);
    expect(calls()).toEqual([]);
  });

  it('without systemctl, writes the unit and prints what to run', async () => {
    const captured = await io({ PATH: bin });
    expect(await runCli(['daemon', 'install'], captured)).toBe(0);
    expect(fs.existsSync(unitPath(captured))).toBe(true);
    expect(captured.stdoutText()).toContain(
      'run these yourself:\n  systemctl --user daemon-reload\n  systemctl --user enable --now looperd.service',
    );
  });

  it('fails with systemctl’s message when enabling the unit fails', async () => {
    standInSystemctl();
    const captured = await io({ FAKE_SYSTEMCTL_EXIT: '5' });
    expect(await runCli(['daemon', 'install'], captured)).toBe(1);
    expect(captured.stderrText()).toContain(
      '`systemctl --user daemon-reload` failed (exit 5): unit failed',
    );
    expect(calls()).toEqual(['--user daemon-reload']);
  });
});
