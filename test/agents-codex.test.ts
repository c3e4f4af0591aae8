import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent, AgentRequest } from '../src/agents/index.js';
import { createAgentRunner } from '../src/agents/index.js';
import { parseRoleResult } from '../src/domain/index.js';
import { buggyRepo, tempDir } from './support/agent-repo.js';
import {
  type OpenAiScript,
  type OpenAiServer,
  startOpenAiServer,
} from './support/openai-server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const codexBin = path.join(root, 'node_modules', '.bin', 'codex');
const API_KEY = 'sk-scripted-codex-test-key';
const RESULT = '__LOOPER_RESULT__={"summary":"fixed add"}';
const PATCH = [
  '*** Begin Patch',
  '*** Update File: calc.js',
  '@@',
  '-export const add = (a, b) => a - b;',
  '+export const add = (a, b) => a + b;',
  '*** End Patch',
  '',
].join('\n');

let server: OpenAiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Codex reaches the scripted server as a custom provider given by `-c` overrides. */
function codexRequest(repo: string, url: string, overrides: Partial<AgentRequest> = {}) {
  const data = tempDir();
  const events: AgentEvent[] = [];
  const req: AgentRequest = {
    runId: 'run_codex',
    loopId: 'loop_codex',
    role: 'worker',
    vendor: 'codex',
    model: 'gpt-5.5',
    prompt: 'Fix add() in calc.js. End with the __LOOPER_RESULT__ line.',
    cwd: repo,
    logPath: path.join(data, 'logs', 'run.log'),
    runHome: path.join(data, 'runs', 'run_codex'),
    timeoutMs: 60_000,
    idleTimeoutMs: 30_000,
    vendorConfig: {
      command: codexBin,
      args: [
        '-c',
        'model_provider=scripted',
        '-c',
        `model_providers.scripted.base_url=${url}`,
        '-c',
        'model_providers.scripted.env_key=SCRIPTED_OPENAI_KEY',
        '-c',
        'model_providers.scripted.wire_api=responses',
        '-c',
        'model_providers.scripted.name=Scripted',
      ],
      env: { SCRIPTED_OPENAI_KEY: API_KEY },
    },
    agentEnv: {},
    baseEnv: {
      PATH: process.env.PATH,
      HOME: tempDir(),
      GITHUB_TOKEN: 'ghp_must_not_leak',
      LOOPER_GITHUB_TOKEN: 'must-not-leak',
    },
    onEvent: (e) => events.push(e),
    ...overrides,
  };
  return { req, events };
}

describe('codex through the agent runner', () => {
  it('reads, patches a file, reports its result and usage, and resumes its thread', async () => {
    const script: OpenAiScript = (r) => {
      if (r.turn === 1)
        return {
          text: 'Reading calc.js.',
          toolCall: { name: 'exec_command', arguments: { cmd: 'cat calc.js' } },
        };
      if (r.turn === 2) return { toolCall: { name: 'apply_patch', input: PATCH } };
      if (r.turn === 3) return { toolCall: { name: 'exec_command', arguments: { cmd: 'env' } } };
      if (r.turn === 4) return { text: `Fixed add().\n${RESULT}` };
      return { text: `Still fixed.\n${RESULT}` };
    };
    server = await startOpenAiServer(script);
    const repo = buggyRepo();
    const { req, events } = codexRequest(repo, server.url);

    const outcome = await createAgentRunner().run(req);

    expect(outcome.errorMessage).toBeNull();
    expect(outcome.status).toBe('succeeded');
    expect(fs.readFileSync(path.join(repo, 'calc.js'), 'utf8')).toBe(
      'export const add = (a, b) => a + b;\n',
    );
    expect(outcome.finalText).toBe(`Fixed add().\n${RESULT}`);
    expect(parseRoleResult('worker', outcome.finalText)).toEqual({
      ok: true,
      value: { summary: 'fixed add' },
    });
    expect(outcome.usage.inputTokens).toBeGreaterThan(0);
    expect(outcome.usage.outputTokens).toBeGreaterThan(0);
    expect(outcome.usage.cachedTokens).toBeGreaterThan(0);
    expect(outcome.usage.costUsd).toBeNull();
    expect(outcome.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      events.filter((e) => e.type === 'tool_use').map((e) => e.type === 'tool_use' && e.name),
    ).toEqual(['shell', 'apply_patch', 'shell']);
    // The agent's tools saw the per-run HOME and CODEX_HOME and none of the forbidden variables.
    const envDump = server.turns[3]?.toolOutputs[0]?.text ?? '';
    expect(envDump).toContain(`HOME=${req.runHome}`);
    expect(envDump).toContain(`CODEX_HOME=${path.join(req.runHome, '.codex')}`);
    expect(envDump).not.toMatch(/GITHUB_TOKEN|LOOPER_/);
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(fs.readFileSync(req.logPath, 'utf8')).not.toContain(API_KEY);

    // A later run in a fresh run home continues the same thread with its history.
    const resumed = await createAgentRunner().run({
      ...codexRequest(repo, server.url).req,
      prompt: 'Check again.',
      resumeSessionId: outcome.sessionId ?? '',
      resumeFromHome: req.runHome,
    });

    expect(resumed.status).toBe('succeeded');
    expect(resumed.sessionId).toBe(outcome.sessionId);
    expect(resumed.finalText).toBe(`Still fixed.\n${RESULT}`);
    const history = JSON.stringify(server.turns[4]?.body.input);
    expect(history).toContain('Fix add() in calc.js');
    expect(history).toContain('Check again.');
  });

  it.each([
    { code: 'rate_limit_exceeded', message: 'Rate limit reached for requests', kind: 'rate_limit' },
    {
      code: 'insufficient_quota',
      message: 'You exceeded your current quota, please check your plan and billing details.',
      kind: 'quota',
    },
  ])(
    'fails a run whose API answers 429 $code with error kind $kind, quickly',
    async ({ code, message, kind }) => {
      server = await startOpenAiServer(() => ({
        error: { status: 429, message, type: code, code },
      }));
      const { req } = codexRequest(buggyRepo(), server.url);
      const started = Date.now();

      const outcome = await createAgentRunner().run(req);

      expect(outcome.status).toBe('failed');
      expect(outcome.errorKind).toBe(kind);
      expect(outcome.exitCode).toBe(1);
      expect(Date.now() - started).toBeLessThan(20_000);
    },
  );
});
