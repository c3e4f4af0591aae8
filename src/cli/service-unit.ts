// What `looper daemon install` writes: a systemd user unit (Linux) or a launchd agent (macOS) that
// runs looperd with this node binary, data dir and config. Pure text builders and their paths.
import { isAbsolute, join } from 'node:path';

export type ServiceManager = 'systemd' | 'launchd';

export const systemdUnitName = 'looperd.service';
export const launchdLabel = 'dev.looper.looperd';

export interface ServiceSpec {
  /** The node binary (`process.execPath`). */
  execPath: string;
  /** dist/looperd.js. */
  script: string;
  dataDir: string;
  /** `<data dir>/logs/daemon.log`: looperd's stdout and stderr. */
  logFile: string;
  /** Variables the service runs with (LOOPER_HOME, LOOPER_CONFIG, PATH…). */
  env: Record<string, string>;
  /** How long the manager waits for a graceful stop before it kills (grace + margin). */
  stopTimeoutSecs: number;
}

export function serviceManagerFor(platform: NodeJS.Platform): ServiceManager | null {
  if (platform === 'linux') return 'systemd';
  if (platform === 'darwin') return 'launchd';
  return null;
}

/** `$XDG_CONFIG_HOME/systemd/user/looperd.service` or `~/Library/LaunchAgents/<label>.plist`. */
export function serviceFile(
  manager: ServiceManager,
  env: Record<string, string | undefined>,
  home: string,
): string {
  if (manager === 'launchd') return join(home, 'Library', 'LaunchAgents', `${launchdLabel}.plist`);
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(home, '.config');
  return join(base, 'systemd', 'user', systemdUnitName);
}

/** A word of ExecStart or an Environment= assignment, quoted for systemd (`%` is a specifier). */
function systemdQuote(word: string): string {
  const escaped = word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%');
  return `"${escaped}"`;
}

/** ExecStart also expands `$VAR`: a literal `$` is `$$`. */
function execWord(word: string): string {
  return systemdQuote(word).replace(/\$/g, '$$$$');
}

/** systemd takes a plain path for WorkingDirectory= and append: (no quotes); `%` still doubles. */
function systemdPath(path: string): string {
  return path.replace(/%/g, '%%');
}

export function systemdUnit(spec: ServiceSpec): string {
  const environment = Object.entries(spec.env).map(
    ([name, value]) => `Environment=${systemdQuote(`${name}=${value}`)}`,
  );
  return [
    '# Written by `looper daemon install`; `looper daemon uninstall` removes it.',
    '[Unit]',
    'Description=Looper daemon (looperd)',
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${execWord(spec.execPath)} ${execWord(spec.script)}`,
    ...environment,
    `WorkingDirectory=${systemdPath(spec.dataDir)}`,
    // looperd stops its agents itself on SIGTERM within the grace period; only then kill the rest.
    'KillMode=mixed',
    `TimeoutStopSec=${spec.stopTimeoutSecs}`,
    'Restart=on-failure',
    'RestartSec=5',
    `StandardOutput=append:${systemdPath(spec.logFile)}`,
    `StandardError=append:${systemdPath(spec.logFile)}`,
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function launchdPlist(spec: ServiceSpec): string {
  const string = (value: string) => `<string>${xml(value)}</string>`;
  const env = Object.entries(spec.env).flatMap(([name, value]) => [
    `      <key>${xml(name)}</key>`,
    `      ${string(value)}`,
  ]);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<!-- Written by `looper daemon install`; `looper daemon uninstall` removes it. -->',
    '<plist version="1.0">',
    '  <dict>',
    '    <key>Label</key>',
    `    ${string(launchdLabel)}`,
    '    <key>ProgramArguments</key>',
    '    <array>',
    `      ${string(spec.execPath)}`,
    `      ${string(spec.script)}`,
    '    </array>',
    '    <key>EnvironmentVariables</key>',
    '    <dict>',
    ...env,
    '    </dict>',
    '    <key>WorkingDirectory</key>',
    `    ${string(spec.dataDir)}`,
    '    <key>RunAtLoad</key>',
    '    <true/>',
    // Restarted after a crash, not after a clean stop (`looper daemon stop`).
    '    <key>KeepAlive</key>',
    '    <dict>',
    '      <key>SuccessfulExit</key>',
    '      <false/>',
    '    </dict>',
    '    <key>ExitTimeOut</key>',
    `    <integer>${spec.stopTimeoutSecs}</integer>`,
    '    <key>StandardOutPath</key>',
    `    ${string(spec.logFile)}`,
    '    <key>StandardErrorPath</key>',
    `    ${string(spec.logFile)}`,
    '  </dict>',
    '</plist>',
    '',
  ].join('\n');
}

export function serviceText(manager: ServiceManager, spec: ServiceSpec): string {
  return manager === 'systemd' ? systemdUnit(spec) : launchdPlist(spec);
}

/** The commands that load a written service and start it, and that stop and unload it. */
export function serviceCommands(manager: ServiceManager, file: string) {
  if (manager === 'systemd') {
    return {
      install: [
        ['systemctl', '--user', 'daemon-reload'],
        ['systemctl', '--user', 'enable', '--now', systemdUnitName],
      ],
      /** Before the file is removed. */
      uninstall: [['systemctl', '--user', 'disable', '--now', systemdUnitName]],
      /** After it is removed. */
      afterRemove: [['systemctl', '--user', 'daemon-reload']],
    };
  }
  return {
    install: [['launchctl', 'load', '-w', file]],
    uninstall: [['launchctl', 'unload', '-w', file]],
    afterRemove: [] as string[][],
  };
}
