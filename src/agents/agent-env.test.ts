import { describe, expect, it } from 'vitest';
import { buildAgentEnv } from './agent-env.js';

const base: NodeJS.ProcessEnv = {
  PATH: '/usr/bin:/bin',
  HOME: '/root',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  LC_CTYPE: 'en_US.UTF-8',
  TERM: 'xterm',
  TZ: 'UTC',
  TMPDIR: '/var/tmp',
  USER: 'root',
  SSH_AUTH_SOCK: '/tmp/agent.sock',
  GIT_DIR: '/repo/.git',
  GIT_ASKPASS: '/bin/askpass',
  GITHUB_TOKEN: 'ghp_secret',
  GH_TOKEN: 'gho_secret',
  LOOPER_GITHUB_TOKEN: 'ghp_looper',
  LOOPER_CONFIG: '/etc/looper.toml',
  ANTHROPIC_API_KEY: 'sk-ant',
  OPENAI_API_KEY: 'sk-openai',
};

describe('buildAgentEnv', () => {
  it('passes only the allow-list, the vendor variables and the extras, with HOME set', () => {
    const env = buildAgentEnv({
      base,
      home: '/data/runs/r1/home',
      vendorVars: ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL'],
      extra: { HTTPS_PROXY: 'http://proxy:3128' },
    });

    expect(env).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/data/runs/r1/home',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      LC_CTYPE: 'en_US.UTF-8',
      TERM: 'xterm',
      TZ: 'UTC',
      TMPDIR: '/var/tmp',
      ANTHROPIC_API_KEY: 'sk-ant',
      HTTPS_PROXY: 'http://proxy:3128',
    });
  });

  it('omits allow-listed names the daemon does not have', () => {
    const env = buildAgentEnv({ base: { PATH: '/bin' }, home: '/h', vendorVars: [], extra: {} });

    expect(env).toEqual({ PATH: '/bin', HOME: '/h' });
  });

  it('drops git variables, forge tokens and Looper settings even when configured as extras', () => {
    const env = buildAgentEnv({
      base,
      home: '/h',
      vendorVars: ['GITHUB_TOKEN', 'LOOPER_GITHUB_TOKEN'],
      extra: {
        GIT_SSH_COMMAND: 'ssh -i key',
        git_dir: '/x',
        GITHUB_TOKEN: 'ghp_x',
        GH_TOKEN: 'gho_x',
        LOOPER_TOKEN: 't',
        KEEP_ME: 'yes',
      },
    });

    expect(Object.keys(env).filter((k) => /^(git_|looper_)|^(github|gh)_token$/i.test(k))).toEqual(
      [],
    );
    expect(env.KEEP_ME).toBe('yes');
  });

  it('keeps HOME pointed at the run home whatever the extras say', () => {
    const env = buildAgentEnv({ base, home: '/h', vendorVars: [], extra: { HOME: '/root' } });

    expect(env.HOME).toBe('/h');
  });
});
