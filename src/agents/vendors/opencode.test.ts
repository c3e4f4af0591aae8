import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAgentRunner } from '../agent-runner.js';
import { opencodeVendor } from './opencode.js';
import { tempDir, vendorRequest } from './vendor-request.test-support.js';

describe('opencodeVendor.build', () => {
  it('runs `run --format json` in the worktree with its own XDG dirs and the prompt on stdin', () => {
    const home = tempDir();

    const invocation = opencodeVendor().build(
      vendorRequest({ vendor: 'opencode', model: 'anthropic/claude-sonnet-4-5' }),
      home,
    );

    expect(invocation.args).toEqual([
      'run',
      '--format',
      'json',
      '--dir',
      '/work/tree',
      '--auto',
      '--print-logs',
      '--log-level',
      'ERROR',
      '--model',
      'anthropic/claude-sonnet-4-5',
    ]);
    expect(invocation.stdin).toBe('Fix the bug');
    expect(invocation.env).toEqual({
      OPENCODE_DISABLE_AUTOUPDATE: '1',
      OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
      XDG_STATE_HOME: path.join(home, '.local', 'state'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
    });
  });

  it('turns max turns into the build agent steps inside the configured inline config', () => {
    const config = { provider: { p: { npm: '@ai-sdk/openai-compatible' } } };

    const { env } = opencodeVendor().build(
      vendorRequest({
        maxTurns: 12,
        vendorConfig: { args: [], env: { OPENCODE_CONFIG_CONTENT: JSON.stringify(config) } },
      }),
      tempDir(),
    );

    expect(JSON.parse(env.OPENCODE_CONFIG_CONTENT ?? '')).toEqual({
      ...config,
      agent: { build: { steps: 12 } },
    });
  });

  it('resumes a session with the database of the run that had it, and copies the login', () => {
    const earlier = tempDir();
    const data = path.join('.local', 'share', 'opencode');
    fs.mkdirSync(path.join(earlier, data), { recursive: true });
    fs.writeFileSync(path.join(earlier, data, 'opencode.db'), 'db');
    const userHome = tempDir();
    fs.mkdirSync(path.join(userHome, data), { recursive: true });
    fs.writeFileSync(path.join(userHome, data, 'auth.json'), '{"anthropic":{}}');
    const runHome = tempDir();

    const { args } = opencodeVendor().build(
      vendorRequest({
        resumeSessionId: 'ses_1',
        resumeFromHome: earlier,
        baseEnv: { HOME: userHome },
      }),
      runHome,
    );

    expect(args.slice(-2)).toEqual(['--session', 'ses_1']);
    expect(fs.readFileSync(path.join(runHome, data, 'opencode.db'), 'utf8')).toBe('db');
    expect(fs.readFileSync(path.join(runHome, data, 'auth.json'), 'utf8')).toBe('{"anthropic":{}}');
  });
});

describe('opencode through the agent runner', () => {
  it('stops a CLI that keeps retrying a spent quota and fails the run as quota at once', async () => {
    const dir = tempDir();
    const fake = path.join(dir, 'opencode');
    // Like OpenCode on a 429 insufficient_quota: a retried stream error on stderr, then silence.
    fs.writeFileSync(
      fake,
      [
        '#!/bin/sh',
        'cat > /dev/null',
        'echo \'level=ERROR message="stream error" small=false agent=build error.error="AI_APICallError: You exceeded your current quota, please check your plan and billing details."\' >&2',
        'sleep 30',
      ].join('\n'),
      { mode: 0o755 },
    );
    const started = Date.now();

    const outcome = await createAgentRunner().run(
      vendorRequest({
        vendor: 'opencode',
        cwd: dir,
        logPath: path.join(dir, 'run.log'),
        runHome: path.join(dir, 'home'),
        timeoutMs: 60_000,
        idleTimeoutMs: 60_000,
        vendorConfig: { command: fake, args: [], env: {} },
      }),
    );

    expect(outcome.status).toBe('failed');
    expect(outcome.errorKind).toBe('quota');
    expect(outcome.errorMessage).toContain('You exceeded your current quota');
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
