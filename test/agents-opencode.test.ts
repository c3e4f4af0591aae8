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
const opencodeBin = path.join(root, 'node_modules', '.bin', 'opencode');
const API_KEY = 'sk-scripted-opencode-test-key';
const RESULT = '__LOOPER_RESULT__={"summary":"fixed add"}';

let server: OpenAiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The provider comes in OPENCODE_CONFIG_CONTENT (`vendors.opencode.env`), bundled AI SDK package. */
function opencodeRequest(repo: string, url: string, overrides: Partial<AgentRequest> = {}) {
  const data = tempDir();
  const events: AgentEvent[] = [];
  const config = {
    provider: {
      scripted: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Scripted',
        options: { baseURL: url, apiKey: '{env:SCRIPTED_OPENAI_KEY}' },
        models: { model: { name: 'Scripted model' } },
      },
    },
  };
  const req: AgentRequest = {
    runId: 'run_opencode',
    loopId: 'loop_opencode',
    role: 'worker',
    vendor: 'opencode',
    model: 'scripted/model',
    prompt: 'Fix add() in calc.js. End with the __LOOPER_RESULT__ line.',
    cwd: repo,
    logPath: path.join(data, 'logs', 'run.log'),
    runHome: path.join(data, 'runs', 'run_opencode'),
    timeoutMs: 45_000,
    idleTimeoutMs: 30_000,
    vendorConfig: {
      command: opencodeBin,
      args: [],
      env: { OPENCODE_CONFIG_CONTENT: JSON.stringify(config), SCRIPTED_OPENAI_KEY: API_KEY },
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

describe('opencode through the agent runner', () => {
  it('reads, edits a file, reports its result and usage, and resumes its session', async () => {
    let step = 0;
    const file = (r: string) => path.join(r, 'calc.js');
    const repo = buggyRepo();
    const script: OpenAiScript = (r) => {
      // The session title is asked first, without tools.
      if (!r.hasTools) return { text: 'Fix add' };
      step += 1;
      if (step === 1)
        return {
          text: 'Reading calc.js.',
          toolCall: { name: 'read', arguments: { filePath: file(repo) } },
        };
      if (step === 2) {
        return {
          toolCall: {
            name: 'edit',
            arguments: { filePath: file(repo), oldString: 'a - b', newString: 'a + b' },
          },
        };
      }
      if (step === 3)
        return {
          toolCall: { name: 'bash', arguments: { command: 'env', description: 'show env' } },
        };
      if (step === 4) return { text: `Fixed add().\n${RESULT}` };
      return { text: `Still fixed.\n${RESULT}` };
    };
    server = await startOpenAiServer(script);
    const { req, events } = opencodeRequest(repo, server.url);

    const outcome = await createAgentRunner().run(req);

    expect(outcome.errorMessage).toBeNull();
    expect(outcome.status).toBe('succeeded');
    expect(fs.readFileSync(file(repo), 'utf8')).toBe('export const add = (a, b) => a + b;\n');
    expect(outcome.finalText).toBe(`Fixed add().\n${RESULT}`);
    expect(parseRoleResult('worker', outcome.finalText).ok).toBe(true);
    expect(outcome.usage.inputTokens).toBeGreaterThan(0);
    expect(outcome.usage.outputTokens).toBeGreaterThan(0);
    expect(outcome.sessionId).toMatch(/^ses_/);
    expect(
      events.filter((e) => e.type === 'tool_use').map((e) => e.type === 'tool_use' && e.name),
    ).toEqual(['read', 'edit', 'bash']);
    // The prompt arrived on stdin; the tools saw the per-run HOME and XDG dirs only.
    expect(server.turns.find((t) => t.hasTools)?.lastUserText).toContain('Fix add() in calc.js');
    const envDump =
      server.turns.flatMap((t) => t.toolOutputs).find((o) => o.text.includes('PATH='))?.text ?? '';
    expect(envDump).toContain(`HOME=${req.runHome}`);
    expect(envDump).toContain(`XDG_DATA_HOME=${path.join(req.runHome, '.local', 'share')}`);
    expect(envDump).not.toMatch(/GITHUB_TOKEN|LOOPER_/);
    expect(server.requests.find((r) => r.method === 'POST')?.headers.authorization).toBe(
      `Bearer ${API_KEY}`,
    );
    expect(fs.readFileSync(req.logPath, 'utf8')).not.toContain(API_KEY);

    const resumed = await createAgentRunner().run({
      ...opencodeRequest(repo, server.url).req,
      prompt: 'Check again.',
      resumeSessionId: outcome.sessionId ?? '',
      resumeFromHome: req.runHome,
    });

    expect(resumed.status).toBe('succeeded');
    expect(resumed.sessionId).toBe(outcome.sessionId);
    expect(resumed.finalText).toBe(`Still fixed.\n${RESULT}`);
    const history = JSON.stringify(server.turns.at(-1)?.body.messages);
    expect(history).toContain('Fix add() in calc.js');
    expect(history).toContain('Check again.');
  });

  it.each([
    {
      code: 'insufficient_quota',
      message: 'You exceeded your current quota, please check your plan and billing details.',
      kind: 'quota',
      attempts: 1,
    },
    {
      code: 'rate_limit_exceeded',
      message: 'Rate limit reached for requests',
      kind: 'rate_limit',
      attempts: 3,
    },
  ])(
    'stops OpenCode retrying a 429 $code and fails the run as $kind',
    async ({ code, message, kind, attempts }) => {
      // OpenCode retries 429 without limit and prints nothing on stdout meanwhile: Looper reads the
      // retries on stderr and gives up (quota at once, rate limits after three attempts).
      server = await startOpenAiServer((r) =>
        r.hasTools ? { error: { status: 429, message, type: code, code } } : { text: 'title' },
      );
      const { req } = opencodeRequest(buggyRepo(), server.url, { timeoutMs: 40_000 });
      const started = Date.now();

      const outcome = await createAgentRunner().run(req);

      expect(outcome.status).toBe('failed');
      expect(outcome.errorKind).toBe(kind);
      expect(outcome.errorMessage).toContain(message);
      expect(server.turns.filter((t) => t.hasTools)).toHaveLength(attempts);
      expect(Date.now() - started).toBeLessThan(30_000);
    },
  );
});
