import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentRequest } from '../vendor.js';
import { claudeCodeVendor } from './claude-code.js';
import { findOnPath } from './vendor-command.js';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
}

function request(overrides: Partial<AgentRequest> = {}): AgentRequest {
  return {
    runId: 'run_1',
    loopId: 'loop_1',
    role: 'worker',
    vendor: 'claude-code',
    prompt: 'Fix the bug',
    cwd: '/tmp',
    logPath: '/tmp/run.log',
    runHome: '/tmp/home',
    timeoutMs: 1000,
    idleTimeoutMs: 1000,
    vendorConfig: { command: '/opt/claude', args: [], env: {} },
    agentEnv: {},
    baseEnv: { HOME: tempDir(), PATH: '' },
    ...overrides,
  };
}

describe('claudeCodeVendor.build', () => {
  it('runs print mode with stream-json, no permission prompts and the prompt on stdin', () => {
    const home = tempDir();

    const invocation = claudeCodeVendor().build(
      request({
        model: 'sonnet',
        maxTurns: 30,
        vendorConfig: { command: '/opt/claude', args: ['--effort', 'high'], env: {} },
      }),
      home,
    );

    expect(invocation.command).toBe('/opt/claude');
    expect(invocation.args).toEqual([
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--dangerously-skip-permissions',
      '--model',
      'sonnet',
      '--max-turns',
      '30',
      '--effort',
      'high',
    ]);
    expect(invocation.stdin).toBe('Fix the bug');
    expect(invocation.args).not.toContain('Fix the bug');
  });

  it('isolates the config dir under the run home and sets unattended defaults', () => {
    const home = tempDir();

    const { env } = claudeCodeVendor().build(request(), home);

    expect(env).toEqual({
      CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
      IS_SANDBOX: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_CODE_MAX_RETRIES: '2',
    });
    expect(fs.statSync(path.join(home, '.claude')).isDirectory()).toBe(true);
  });

  it('leaves a default to the configured env when the user set it', () => {
    const { env } = claudeCodeVendor().build(
      request({ vendorConfig: { args: [], env: { CLAUDE_CODE_MAX_RETRIES: '5' } } }),
      tempDir(),
    );

    expect(env).not.toHaveProperty('CLAUDE_CODE_MAX_RETRIES');
  });

  it('copies the logged-in user credentials into the run config dir', () => {
    const userHome = tempDir();
    fs.mkdirSync(path.join(userHome, '.claude'));
    fs.writeFileSync(path.join(userHome, '.claude', '.credentials.json'), '{"claudeAiOauth":{}}');
    const runHome = tempDir();

    claudeCodeVendor().build(request({ baseEnv: { HOME: userHome } }), runHome);

    const copied = path.join(runHome, '.claude', '.credentials.json');
    expect(fs.readFileSync(copied, 'utf8')).toBe('{"claudeAiOauth":{}}');
    expect(fs.statSync(copied).mode & 0o777).toBe(0o600);
  });

  it('prefers the daemon CLAUDE_CONFIG_DIR credentials when that is set', () => {
    const configDir = tempDir();
    fs.writeFileSync(path.join(configDir, '.credentials.json'), '{"from":"config-dir"}');
    const runHome = tempDir();

    claudeCodeVendor().build(
      request({ baseEnv: { HOME: tempDir(), CLAUDE_CONFIG_DIR: configDir } }),
      runHome,
    );

    expect(fs.readFileSync(path.join(runHome, '.claude', '.credentials.json'), 'utf8')).toBe(
      '{"from":"config-dir"}',
    );
  });

  it('resumes a session with the project files of the run that had it', () => {
    const earlier = tempDir();
    const session = path.join('.claude', 'projects', '-work-tree', 'sess-1.jsonl');
    fs.mkdirSync(path.dirname(path.join(earlier, session)), { recursive: true });
    fs.writeFileSync(path.join(earlier, session), '{}\n');
    const runHome = tempDir();

    const { args } = claudeCodeVendor().build(
      request({ resumeSessionId: 'sess-1', resumeFromHome: earlier }),
      runHome,
    );

    expect(args.slice(4, 7)).toEqual(['--dangerously-skip-permissions', '--resume', 'sess-1']);
    expect(fs.readFileSync(path.join(runHome, session), 'utf8')).toBe('{}\n');
  });

  it('finds claude on PATH when no command is configured', () => {
    const bin = tempDir();
    fs.writeFileSync(path.join(bin, 'claude'), '#!/bin/sh\n', { mode: 0o755 });

    const invocation = claudeCodeVendor().build(
      request({
        vendorConfig: { args: [], env: {} },
        baseEnv: { HOME: tempDir(), PATH: `/nonexistent:${bin}` },
      }),
      tempDir(),
    );

    expect(invocation.command).toBe(path.join(bin, 'claude'));
  });

  it('falls back to the claude installed with this package when PATH has none', () => {
    const invocation = claudeCodeVendor().build(
      request({
        vendorConfig: { args: [], env: {} },
        baseEnv: { HOME: tempDir(), PATH: '/nonexistent' },
      }),
      tempDir(),
    );

    expect(invocation.command).toMatch(/@anthropic-ai[/\\]claude-code[/\\]bin[/\\]claude/);
    expect(fs.existsSync(invocation.command)).toBe(true);
  });
});

describe('findOnPath', () => {
  it('skips files that are not executable', () => {
    const bin = tempDir();
    fs.writeFileSync(path.join(bin, 'claude'), 'not executable', { mode: 0o644 });

    expect(findOnPath('claude', bin)).toBeNull();
  });
});
