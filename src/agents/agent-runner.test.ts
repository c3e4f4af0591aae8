import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAgentRunner, maskArgs, vendorFor } from './agent-runner.js';
import type { AgentEvent, AgentRequest } from './vendor.js';

/** A request for the `custom` vendor running `sh -c <script>` in a temp worktree. */
function shRequest(script: string, overrides: Partial<AgentRequest> = {}): AgentRequest {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
  const cwd = path.join(dir, 'worktree');
  fs.mkdirSync(cwd);
  return {
    runId: 'run_1',
    loopId: 'loop_1',
    role: 'worker',
    vendor: 'custom',
    prompt: 'the prompt text',
    cwd,
    logPath: path.join(dir, 'logs', 'run_1.log'),
    runHome: path.join(dir, 'home'),
    timeoutMs: 20_000,
    idleTimeoutMs: 20_000,
    vendorConfig: { command: 'sh', args: ['-c', script], env: {} },
    agentEnv: {},
    baseEnv: { PATH: '/usr/local/bin:/usr/bin:/bin' },
    ...overrides,
  };
}

const run = (req: AgentRequest) => createAgentRunner().run(req);

describe('agent runner with the custom vendor', () => {
  it('succeeds with the printed text as final text and forwards every event', async () => {
    const events: AgentEvent[] = [];
    const script = [
      'echo working',
      `echo '{"type":"tool_use","name":"sh","input":"ls"}'`,
      'echo \'__LOOPER_RESULT__={"summary":"ok"}\'',
    ].join('; ');

    const outcome = await run(shRequest(script, { onEvent: (e) => events.push(e) }));

    expect(outcome).toMatchObject({ status: 'succeeded', exitCode: 0, errorKind: null });
    expect(outcome.finalText).toBe('working\n__LOOPER_RESULT__={"summary":"ok"}');
    expect(events.map((e) => e.type)).toEqual(['text', 'tool_use', 'text']);
  });

  it('takes the result event text over plain text and sums usage events', async () => {
    const script = [
      'echo chatter',
      `echo '{"type":"usage","inputTokens":10,"outputTokens":2,"cachedTokens":1,"costUsd":0.5}'`,
      `echo '{"type":"usage","inputTokens":5,"outputTokens":1}'`,
      `echo '{"type":"session","sessionId":"s-1"}'`,
      `echo '{"type":"result","text":"final answer"}'`,
    ].join('; ');

    const outcome = await run(shRequest(script));

    expect(outcome.finalText).toBe('final answer');
    expect(outcome.usage).toEqual({
      inputTokens: 15,
      outputTokens: 3,
      cachedTokens: 1,
      costUsd: 0.5,
    });
    expect(outcome.sessionId).toBe('s-1');
  });

  it('fails a run that exits 0 with an error result, with the error kind', async () => {
    const script = [
      `echo '{"type":"error","kind":"rate_limit","message":"slow down"}'`,
      `echo '{"type":"result","text":"API Error","isError":true}'`,
    ].join('; ');

    const outcome = await run(shRequest(script));

    expect(outcome).toMatchObject({
      status: 'failed',
      exitCode: 0,
      errorKind: 'rate_limit',
      errorMessage: 'slow down',
    });
  });

  it('reports a non-zero exit without an error event as a crash naming stderr', async () => {
    const outcome = await run(shRequest('echo partial; echo "boom: disk full" >&2; exit 2'));

    expect(outcome).toMatchObject({ status: 'failed', exitCode: 2, errorKind: 'crash' });
    expect(outcome.errorMessage).toBe('agent exited with code 2: boom: disk full');
    expect(outcome.outputTail).toContain('partial');
    expect(outcome.outputTail).toContain('boom: disk full');
  });

  it('times out on wall time and on silence', async () => {
    const wall = await run(
      shRequest('while true; do echo tick; sleep 0.05; done', { timeoutMs: 300 }),
    );
    const idle = await run(shRequest('sleep 100', { idleTimeoutMs: 300 }));

    expect(wall).toMatchObject({ status: 'timed_out', errorKind: 'timeout' });
    expect(idle).toMatchObject({ status: 'timed_out', errorKind: 'idle_timeout' });
  });

  it('cancels through the request signal once the agent has started', async () => {
    const controller = new AbortController();

    const outcome = await run(
      shRequest('sleep 100', { signal: controller.signal, onSpawn: () => controller.abort() }),
    );

    expect(outcome.status).toBe('cancelled');
  });

  it('reports an executable that cannot be started', async () => {
    const req = shRequest('');
    req.vendorConfig = { command: '/nonexistent/agent', args: [], env: {} };

    const outcome = await run(req);

    expect(outcome).toMatchObject({ status: 'failed', errorKind: 'spawn_failed' });
    expect(outcome.errorMessage).toContain('ENOENT');
  });

  it('gives the agent the allow-listed env, its prompt variables and the run home only', async () => {
    const req = shRequest('env', {
      agentEnv: { FROM_AGENT_ENV: 'a', GH_TOKEN: 'no' },
      baseEnv: {
        PATH: '/usr/bin:/bin',
        GITHUB_TOKEN: 'ghp_no',
        GIT_DIR: '/no',
        LOOPER_TOKEN: 'no',
        OTHER: 'no',
      },
    });
    req.vendorConfig.env = { FROM_VENDOR_ENV: 'v' };

    const outcome = await run(req);

    const names = outcome.finalText
      .split('\n')
      .map((line) => line.split('=')[0])
      .filter((name) => name && name !== 'PWD' && name !== 'SHLVL' && name !== '_')
      .sort();
    expect(names).toEqual([
      'FROM_AGENT_ENV',
      'FROM_VENDOR_ENV',
      'HOME',
      'LOOPER_PROMPT',
      'LOOPER_ROLE',
      'LOOPER_RUN_ID',
      'PATH',
    ]);
    expect(outcome.finalText).toContain(`HOME=${req.runHome}`);
    expect(fs.statSync(req.runHome).isDirectory()).toBe(true);
  });

  it('logs a header without the prompt or secrets, then the output with secrets redacted', async () => {
    const req = shRequest('echo "my key is $ANTHROPIC_API_KEY"', {
      baseEnv: { PATH: '/usr/bin:/bin' },
      agentEnv: { ANTHROPIC_API_KEY: 'sk-ant-very-secret' },
    });
    req.vendorConfig.args.push('--api-key', 'sk-in-args-secret', 'the prompt text');

    await run(req);

    const log = fs.readFileSync(req.logPath, 'utf8');
    expect(log).toMatch(/^\[looper\] run=run_1 loop=loop_1 vendor=custom role=worker/);
    expect(log).toContain('--api-key ***');
    expect(log).toContain('<prompt: 15 chars>');
    expect(log).toContain('env=ANTHROPIC_API_KEY,HOME,LOOPER_PROMPT');
    expect(log).toContain('my key is ***');
    expect(log).not.toContain('sk-ant-very-secret');
    expect(log).not.toContain('sk-in-args-secret');
  });
});

describe('vendorFor', () => {
  it.each(['claude-code', 'codex', 'opencode', 'cursor', 'gemini', 'custom'] as const)(
    'builds the %s adapter',
    (name) => {
      const vendor = vendorFor(name);

      expect(vendor.name).toBe(name);
      expect(typeof vendor.parser().feed).toBe('function');
    },
  );
});

describe('maskArgs', () => {
  it('masks secret flag values in both forms and quotes arguments with spaces', () => {
    expect(maskArgs(['--token', 'abc', '--auth-key=xyz', '--model', 'a b', 'P'], 'P')).toEqual([
      '--token',
      '***',
      '--auth-key=***',
      '--model',
      '"a b"',
      '<prompt: 1 chars>',
    ]);
  });
});
