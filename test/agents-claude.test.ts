import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent, AgentRequest } from '../src/agents/index.js';
import { createAgentRunner } from '../src/agents/index.js';
import { parseRoleResult } from '../src/domain/index.js';
import { buggyRepo, git, tempDir } from './support/agent-repo.js';
import {
  type AnthropicServer,
  type Script,
  startAnthropicServer,
  workingDirectoryOf,
} from './support/anthropic-server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const claudeBin = path.join(root, 'node_modules', '.bin', 'claude');
const API_KEY = 'sk-ant-test-not-a-real-key';

let server: AnthropicServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function claudeRequest(repo: string, url: string, overrides: Partial<AgentRequest> = {}) {
  const data = tempDir();
  const events: AgentEvent[] = [];
  const req: AgentRequest = {
    runId: 'run_e2e',
    loopId: 'loop_e2e',
    role: 'worker',
    vendor: 'claude-code',
    prompt: 'Fix add() in calc.js. End with the __LOOPER_RESULT__ line.',
    cwd: repo,
    logPath: path.join(data, 'logs', 'loop_e2e', 'run_e2e.log'),
    runHome: path.join(data, 'runs', 'run_e2e', 'home'),
    timeoutMs: 90_000,
    idleTimeoutMs: 60_000,
    vendorConfig: { command: claudeBin, args: [], env: {} },
    agentEnv: {},
    baseEnv: {
      PATH: process.env.PATH,
      HOME: tempDir(),
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: url,
      GITHUB_TOKEN: 'ghp_must_not_leak',
      GIT_DIR: '/must/not/leak',
      LOOPER_GITHUB_TOKEN: 'must-not-leak',
    },
    onEvent: (e) => events.push(e),
    ...overrides,
  };
  return { req, events };
}

describe('claude-code through the agent runner', () => {
  it('reads, edits a file, reports its result, records usage, and resumes its session', async () => {
    // Claude Code refuses to Write/Edit a file it has not Read in the session, so: Read → Edit →
    // Bash `env` (to see what the agent's tools inherit) → the final answer.
    const script: Script = (r) => {
      if (!r.hasTools) return { text: 'side request' };
      const cwd = workingDirectoryOf(r) ?? '';
      const step = server?.turns.filter((t) => t.hasTools).length ?? 0;
      const file = path.join(cwd, 'calc.js');
      if (step === 1)
        return { text: 'Reading calc.js.', toolUse: { name: 'Read', input: { file_path: file } } };
      if (step === 2) {
        return {
          text: 'add() subtracts; fixing it.',
          toolUse: {
            name: 'Edit',
            input: { file_path: file, old_string: 'a - b', new_string: 'a + b' },
          },
        };
      }
      if (step === 3)
        return { toolUse: { name: 'Bash', input: { command: 'env', description: 'show env' } } };
      if (r.lastUserText.includes('Check again.'))
        return { text: 'Still fixed.\n__LOOPER_RESULT__={"summary":"still fixed"}' };
      return { text: 'Fixed add().\n__LOOPER_RESULT__={"summary":"fixed"}' };
    };
    server = await startAnthropicServer(script);
    const repo = buggyRepo();
    const { req, events } = claudeRequest(repo, server.url);

    const outcome = await createAgentRunner().run(req);

    expect(outcome.errorMessage).toBeNull();
    expect(outcome.status).toBe('succeeded');
    expect(outcome.exitCode).toBe(0);
    expect(fs.readFileSync(path.join(repo, 'calc.js'), 'utf8')).toBe(
      'export const add = (a, b) => a + b;\n',
    );
    expect(git(repo, 'status', '--porcelain')).toContain('calc.js');
    expect(outcome.finalText).toContain('__LOOPER_RESULT__={"summary":"fixed"}');
    expect(parseRoleResult('worker', outcome.finalText)).toEqual({
      ok: true,
      value: { summary: 'fixed' },
    });
    expect(outcome.usage.inputTokens).toBeGreaterThan(0);
    expect(outcome.usage.outputTokens).toBeGreaterThan(0);
    expect(outcome.usage.costUsd).toBeGreaterThan(0);
    expect(outcome.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      events.filter((e) => e.type === 'tool_use').map((e) => e.type === 'tool_use' && e.name),
    ).toEqual(['Read', 'Edit', 'Bash']);

    // The agent's tools saw the per-run HOME and none of the forbidden variables.
    const envDump =
      server.turns.flatMap((t) => t.toolResults).find((t) => t.text.includes('PATH='))?.text ?? '';
    expect(envDump).toContain(`HOME=${req.runHome}`);
    expect(envDump).toContain(`CLAUDE_CONFIG_DIR=${path.join(req.runHome, '.claude')}`);
    expect(envDump).not.toMatch(/GITHUB_TOKEN|GIT_DIR|LOOPER_/);
    // The CLI authenticated with the passed key; the log names the run but holds no secret.
    expect(server.requests.find((r) => r.method === 'POST')?.headers['x-api-key']).toBe(API_KEY);
    const log = fs.readFileSync(req.logPath, 'utf8');
    expect(log).toMatch(/^\[looper\] run=run_e2e loop=loop_e2e vendor=claude-code role=worker/);
    expect(log).toContain('"type":"result"');
    expect(log).not.toContain(API_KEY);
    expect(log.split('\n').slice(0, 5).join('\n')).not.toContain(req.prompt);

    // A later run in a fresh run home resumes the same session (`--resume`) with its history.
    const later = claudeRequest(repo, server.url, { prompt: 'Check again.' }).req;
    const resumed = await createAgentRunner().run({
      ...later,
      runId: 'run_e2e_2',
      runHome: path.join(path.dirname(req.runHome), '..', 'run_e2e_2', 'home'),
      resumeSessionId: outcome.sessionId ?? '',
      resumeFromHome: req.runHome,
    });
    expect(resumed.errorMessage).toBeNull();
    expect(resumed.status).toBe('succeeded');
    expect(resumed.sessionId).toBe(outcome.sessionId);
    expect(resumed.finalText).toContain('__LOOPER_RESULT__={"summary":"still fixed"}');
    const last = server.turns.filter((t) => t.hasTools).at(-1);
    const history = JSON.stringify(last?.body.messages);
    expect(history).toContain('Fix add() in calc.js');
    expect(history).toContain('add() subtracts; fixing it.');
    expect(history).toContain('Check again.');
  });

  it.each([
    {
      status: 429,
      type: 'rate_limit_error',
      message: 'Number of request tokens has exceeded your per-minute rate limit',
      kind: 'rate_limit',
    },
    { status: 529, type: 'overloaded_error', message: 'Overloaded', kind: 'api' },
  ])(
    'fails a run whose API answers $status with error kind $kind, without hanging',
    async ({ status, type, message, kind }) => {
      server = await startAnthropicServer((r) =>
        r.hasTools ? { error: { status, type, message } } : { text: 'side request' },
      );
      const { req } = claudeRequest(buggyRepo(), server.url);
      const started = Date.now();

      const outcome = await createAgentRunner().run(req);

      expect(outcome.status).toBe('failed');
      expect(outcome.errorKind).toBe(kind);
      expect(outcome.exitCode).toBe(1);
      expect(Date.now() - started).toBeLessThan(30_000);
      // CLAUDE_CODE_MAX_RETRIES=2: the first attempt and two retries.
      expect(server.turns.filter((t) => t.hasTools)).toHaveLength(3);
    },
  );
});

describe('custom vendor through the agent runner', () => {
  it('runs a script with the prompt on stdin and in LOOPER_PROMPT and parses its output', async () => {
    const dir = tempDir();
    const agent = path.join(dir, 'agent.mjs');
    fs.writeFileSync(
      agent,
      [
        '#!/usr/bin/env node',
        "let input = '';",
        "process.stdin.on('data', (d) => (input += d));",
        "process.stdin.on('end', () => {",
        "  console.log('stdin=' + input + ' env=' + process.env.LOOPER_PROMPT + ' role=' + process.env.LOOPER_ROLE);",
        "  console.log(JSON.stringify({ type: 'usage', inputTokens: 12, outputTokens: 3, costUsd: 0.01 }));",
        "  console.log('cwd=' + process.cwd());",
        '  console.log(\'__LOOPER_RESULT__={"summary":"custom done"}\');',
        '});',
      ].join('\n'),
      { mode: 0o755 },
    );
    const repo = buggyRepo();
    const data = tempDir();

    const outcome = await createAgentRunner().run({
      runId: 'run_c',
      loopId: 'loop_c',
      role: 'fixer',
      vendor: 'custom',
      prompt: 'do it',
      cwd: repo,
      logPath: path.join(data, 'run.log'),
      runHome: path.join(data, 'home'),
      timeoutMs: 20_000,
      idleTimeoutMs: 20_000,
      vendorConfig: { command: agent, args: [], env: {} },
      agentEnv: {},
      baseEnv: { PATH: process.env.PATH },
    });

    expect(outcome.status).toBe('succeeded');
    expect(outcome.finalText).toBe(
      `stdin=do it env=do it role=fixer\ncwd=${fs.realpathSync(repo)}\n__LOOPER_RESULT__={"summary":"custom done"}`,
    );
    expect(outcome.usage).toEqual({
      inputTokens: 12,
      outputTokens: 3,
      cachedTokens: 0,
      costUsd: 0.01,
    });
    expect(parseRoleResult('fixer', outcome.finalText)).toEqual({
      ok: true,
      value: { summary: 'custom done' },
    });
  });
});
