import { describe, expect, it } from 'vitest';
import {
  launchdPlist,
  type ServiceSpec,
  serviceFile,
  serviceManagerFor,
  systemdUnit,
} from './service-unit.js';

const spec: ServiceSpec = {
  execPath: '/opt/node 20/bin/node',
  script: '/usr/lib/node_modules/looper/dist/looperd.js',
  dataDir: '/home/ann/.looper',
  logFile: '/home/ann/.looper/logs/daemon.log',
  env: { LOOPER_HOME: '/home/ann/.looper', PATH: '/usr/bin:/bin', LOOPER_SERVER_PORT: '7400' },
  stopTimeoutSecs: 45,
};

describe('service units', () => {
  it('picks systemd on Linux and launchd on macOS, nothing elsewhere', () => {
    expect(serviceManagerFor('linux')).toBe('systemd');
    expect(serviceManagerFor('darwin')).toBe('launchd');
    expect(serviceManagerFor('win32')).toBeNull();
  });

  it('puts the unit under $XDG_CONFIG_HOME (an absolute one), else ~/.config', () => {
    expect(serviceFile('systemd', { XDG_CONFIG_HOME: '/x/cfg' }, '/home/ann')).toBe(
      '/x/cfg/systemd/user/looperd.service',
    );
    expect(serviceFile('systemd', { XDG_CONFIG_HOME: 'relative' }, '/home/ann')).toBe(
      '/home/ann/.config/systemd/user/looperd.service',
    );
    expect(serviceFile('launchd', {}, '/Users/ann')).toBe(
      '/Users/ann/Library/LaunchAgents/dev.looper.looperd.plist',
    );
  });

  it('writes a systemd user unit that runs looperd with this node and stops it gracefully', () => {
    const unit = systemdUnit(spec);
    expect(unit).toContain(
      'ExecStart="/opt/node 20/bin/node" "/usr/lib/node_modules/looper/dist/looperd.js"\n',
    );
    expect(unit).toContain('Environment="LOOPER_HOME=/home/ann/.looper"\n');
    expect(unit).toContain('Environment="PATH=/usr/bin:/bin"\n');
    expect(unit).toContain('Environment="LOOPER_SERVER_PORT=7400"\n');
    expect(unit).toContain('KillMode=mixed\n');
    expect(unit).toContain('TimeoutStopSec=45\n');
    expect(unit).toContain('StandardOutput=append:/home/ann/.looper/logs/daemon.log\n');
    expect(unit).toContain('[Install]\nWantedBy=default.target\n');
  });

  it('escapes what systemd would otherwise expand or split', () => {
    const unit = systemdUnit({
      ...spec,
      execPath: '/opt/100%/$HOME/"node"',
      env: { LOOPER_NAME: 'a "b" \\ 50% $X' },
    });
    expect(unit).toContain('ExecStart="/opt/100%%/$$HOME/\\"node\\""');
    expect(unit).toContain('Environment="LOOPER_NAME=a \\"b\\" \\\\ 50%% $X"');
  });

  it('writes a launchd agent with XML-escaped values', () => {
    const plist = launchdPlist({ ...spec, env: { LOOPER_HOME: '/Users/a&b/<x>' } });
    expect(plist).toContain('<key>Label</key>\n    <string>dev.looper.looperd</string>');
    expect(plist).toContain(
      '<array>\n      <string>/opt/node 20/bin/node</string>\n      <string>/usr/lib/node_modules/looper/dist/looperd.js</string>\n    </array>',
    );
    expect(plist).toContain(
      '<key>LOOPER_HOME</key>\n      <string>/Users/a&amp;b/&lt;x&gt;</string>',
    );
    expect(plist).toContain('<key>ExitTimeOut</key>\n    <integer>45</integer>');
    expect(plist).toContain('<key>SuccessfulExit</key>\n      <false/>');
    expect(plist).toContain(
      '<key>StandardErrorPath</key>\n    <string>/home/ann/.looper/logs/daemon.log</string>',
    );
  });
});
