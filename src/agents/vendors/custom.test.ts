import { describe, expect, it } from 'vitest';
import { LooperError } from '../../domain/index.js';
import type { AgentRequest } from '../vendor.js';
import { customParser, customVendor } from './custom.js';

function request(overrides: Partial<AgentRequest> = {}): AgentRequest {
  return {
    runId: 'run_1',
    loopId: 'loop_1',
    role: 'worker',
    vendor: 'custom',
    prompt: 'Fix the bug',
    cwd: '/tmp',
    logPath: '/tmp/run.log',
    runHome: '/tmp/home',
    timeoutMs: 1000,
    idleTimeoutMs: 1000,
    vendorConfig: { command: './agent.sh', args: ['--fast'], env: {} },
    agentEnv: {},
    baseEnv: {},
    ...overrides,
  };
}

describe('customVendor.build', () => {
  it('runs the configured command with the prompt on stdin and in the environment', () => {
    const invocation = customVendor().build(request({ model: 'm1' }), '/tmp/home');

    expect(invocation).toEqual({
      command: './agent.sh',
      args: ['--fast'],
      stdin: 'Fix the bug',
      env: {
        LOOPER_PROMPT: 'Fix the bug',
        LOOPER_ROLE: 'worker',
        LOOPER_RUN_ID: 'run_1',
        LOOPER_MODEL: 'm1',
      },
    });
  });

  it('leaves LOOPER_MODEL out when no model is set', () => {
    expect(customVendor().build(request(), '/tmp/home').env).not.toHaveProperty('LOOPER_MODEL');
  });

  it('is a configuration error without a command', () => {
    const build = () =>
      customVendor().build(request({ vendorConfig: { args: [], env: {} } }), '/tmp/home');

    expect(build).toThrow(LooperError);
    expect(build).toThrow(/vendors\.custom\.command/);
  });
});

describe('customParser', () => {
  it('takes JSON lines with a known event type as events', () => {
    const parser = customParser();

    expect(parser.feed('{"type":"usage","inputTokens":5,"outputTokens":2}')).toEqual([
      { type: 'usage', inputTokens: 5, outputTokens: 2, cachedTokens: 0, costUsd: null },
    ]);
    expect(parser.feed('{"type":"result","text":"done"}')).toEqual([
      { type: 'result', text: 'done', isError: false, sessionId: null, numTurns: null },
    ]);
    expect(parser.feed('{"type":"error","kind":"quota","message":"out of credit"}')).toEqual([
      { type: 'error', kind: 'quota', message: 'out of credit' },
    ]);
    expect(parser.feed('{"type":"tool_use","name":"sh","input":{"cmd":"ls"}}')).toEqual([
      { type: 'tool_use', name: 'sh', input: '{"cmd":"ls"}' },
    ]);
  });

  it('treats every other line as plain text', () => {
    const parser = customParser();

    for (const line of [
      'hello',
      '{"type":"other"}',
      '{"type":"usage","inputTokens":"many"}',
      '{nope',
      '[1]',
    ]) {
      expect(parser.feed(line)).toEqual([{ type: 'text', text: line }]);
    }
    expect(parser.end()).toEqual([]);
  });
});
