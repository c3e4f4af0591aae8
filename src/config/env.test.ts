import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLooperError, type LooperError } from '../domain/index.js';
import { defaultConfig, loadConfig } from './index.js';

let home: string;

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
});

afterEach(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

function withEnv(env: NodeJS.ProcessEnv) {
  return loadConfig({ env, homeDir: home, platform: 'linux' });
}

function failure(env: NodeJS.ProcessEnv): LooperError {
  try {
    withEnv(env);
  } catch (error) {
    if (isLooperError(error)) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('LOOPER_<SECTION>_<KEY> variables', () => {
  it('coerces numbers, booleans and enums to the schema types', () => {
    const { config } = withEnv({
      LOOPER_SERVER_PORT: '8000',
      LOOPER_LOOP_MAX_FIX_ROUNDS: '7',
      LOOPER_LOOP_MAX_COST_USD: '2.5',
      LOOPER_LOOP_AUTO_MERGE: 'true',
      LOOPER_AGENT_VENDOR: 'custom',
      LOOPER_DAEMON_MAX_CONCURRENT_LOOPS: '2',
      LOOPER_GITHUB_WRITE_BURST: '5',
    });

    expect(config.server.port).toBe(8000);
    expect(config.loop['max-fix-rounds']).toBe(7);
    expect(config.loop['max-cost-usd']).toBe(2.5);
    expect(config.loop['auto-merge']).toBe(true);
    expect(config.agent.vendor).toBe('custom');
    expect(config.daemon['max-concurrent-loops']).toBe(2);
    expect(config.github['write-burst']).toBe(5);
  });

  it('parses JSON for arrays and tables', () => {
    const { config } = withEnv({
      LOOPER_TRUST_ALLOWED_USERS: '["alice","bob"]',
      LOOPER_AGENT_ENV: '{"FOO":"1"}',
      LOOPER_PROJECTS: '[{"repo":"acme/app"}]',
    });

    expect(config.trust['allowed-users']).toEqual(['alice', 'bob']);
    expect(config.agent.env).toEqual({ FOO: '1' });
    expect(config.projects[0]?.repo).toBe('acme/app');
  });

  it('reaches nested tables, including vendor names with dashes', () => {
    const { config } = withEnv({
      LOOPER_VENDORS_CUSTOM_COMMAND: '/x/agent',
      LOOPER_VENDORS_CLAUDE_CODE_COMMAND: '/opt/claude',
      LOOPER_VENDORS_CLAUDE_CODE_ARGS: '["--verbose"]',
      LOOPER_ROLES_PLAN_REVIEWER_MODEL: 'o3',
      LOOPER_ROLES_REVIEWER_TIMEOUT_SECS: '60',
    });

    expect(config.vendors.custom.command).toBe('/x/agent');
    expect(config.vendors['claude-code']).toEqual({
      command: '/opt/claude',
      model: '',
      args: ['--verbose'],
      env: {},
    });
    expect(config.roles.plan_reviewer?.model).toBe('o3');
    expect(config.roles.reviewer?.['timeout-secs']).toBe(60);
  });

  it('sets one entry of an env table, keeping the name as written', () => {
    const { config } = withEnv({
      LOOPER_AGENT_ENV_ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
      LOOPER_VENDORS_CODEX_ENV_Mixed_Case: 'x',
    });

    expect(config.agent.env).toEqual({ ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' });
    expect(config.vendors.codex.env).toEqual({ Mixed_Case: 'x' });
  });

  it('treats an empty value as unset for numbers, lists and tables but not strings', () => {
    const { config } = withEnv({
      LOOPER_SERVER_PORT: '',
      LOOPER_TRUST_ALLOWED_USERS: ' ',
      LOOPER_AGENT_MAX_TURNS: '',
      LOOPER_VENDORS_CLAUDE_CODE_COMMAND: '',
    });

    expect(config.server.port).toBe(7391);
    expect(config.trust['allowed-users']).toEqual([]);
    expect(config.agent['max-turns']).toBeUndefined();
    expect(config.vendors['claude-code'].command).toBe('');
  });

  it('leaves reserved and unrelated LOOPER_ names alone', () => {
    const loaded = withEnv({
      LOOPER_HOME: path.join(home, 'data'),
      LOOPER_PROMPT: 'p',
      LOOPER_ROLE: 'worker',
      LOOPER_RUN_ID: 'run_1',
      LOOPER_MODEL: 'm',
      LOOPER_TOKEN: 't',
      LOOPER_URL: 'http://x',
      LOOPER_SOMETHING_ELSE: '1',
      PATH: '/usr/bin',
    });

    expect(loaded.config).toEqual(defaultConfig());
    expect(loaded.warnings).toEqual([]);
  });

  it('warns about a variable whose section looks misspelt', () => {
    expect(withEnv({ LOOPER_SERVR_PORT: '1' }).warnings).toEqual([
      'LOOPER_SERVR_PORT is ignored: no config section "servr" (did you mean "server"?)',
    ]);
  });

  it('names the variable of a value of the wrong type', () => {
    expect(failure({ LOOPER_SERVER_PORT: 'eighty' }).message).toBe(
      'env LOOPER_SERVER_PORT: server.port: expected a number, got string "eighty"',
    );
  });

  it('names the variable of an unknown key in a known section, with a suggestion', () => {
    expect(failure({ LOOPER_LOOP_MAX_FIX_ROUND: '3' }).message).toBe(
      'env LOOPER_LOOP_MAX_FIX_ROUND: loop.max-fix-round: unknown key "max-fix-round" in [loop] ' +
        '(did you mean LOOPER_LOOP_MAX_FIX_ROUNDS?)',
    );
    expect(failure({ LOOPER_ROLES_REVIWER_MODEL: 'x' }).message).toContain(
      'did you mean LOOPER_ROLES_REVIEWER_MODEL?',
    );
  });

  it('reports JSON that does not parse', () => {
    const message = failure({ LOOPER_TRUST_ALLOWED_USERS: 'alice' }).message;

    expect(message).toContain('env LOOPER_TRUST_ALLOWED_USERS: trust.allowed-users: expected JSON');
  });

  it('names the variable when its JSON holds a bad value', () => {
    expect(failure({ LOOPER_LOOP: '{"approval":"never"}' }).message).toMatch(
      /^env LOOPER_LOOP: loop\.approval: expected one of/,
    );
  });
});
