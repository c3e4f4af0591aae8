import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent, AgentRequest } from '../src/agents/index.js';
import { createAgentRunner } from '../src/agents/index.js';
import { parseRoleResult } from '../src/domain/index.js';
import { buggyRepo, tempDir } from './support/agent-repo.js';
import {
  type GeminiScript,
  type GeminiServer,
  startGeminiServer,
} from './support/gemini-server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const geminiBin = path.join(root, 'node_modules', '.bin', 'gemini');
const API_KEY = 'scripted-gemini-test-key';
const RESULT = '__LOOPER_RESULT__={"summary":"fixed add"}';

let server: GeminiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function geminiRequest(repo: string, url: string, overrides: Partial<AgentRequest> = {}) {
  const data = tempDir();
  const events: AgentEvent[] = [];
  const req: AgentRequest = {
    runId: 'run_gemini',
    loopId: 'loop_gemini',
    role: 'worker',
    vendor: 'gemini',
    prompt: 'Fix add() in calc.js. End with the __LOOPER_RESULT__ line.',
    cwd: repo,
    logPath: path.join(data, 'logs', 'run.log'),
    runHome: path.join(data, 'runs', 'run_gemini'),
    timeoutMs: 45_000,
    idleTimeoutMs: 30_000,
    vendorConfig: { command: geminiBin, args: [], env: {} },
    agentEnv: {},
    baseEnv: {
      PATH: process.env.PATH,
      HOME: tempDir(),
      GEMINI_API_KEY: API_KEY,
      GOOGLE_GEMINI_BASE_URL: url,
      GITHUB_TOKEN: 'ghp_must_not_leak',
      LOOPER_GITHUB_TOKEN: 'must-not-leak',
    },
    onEvent: (e) => events.push(e),
    ...overrides,
  };
  return { req, events };
}

describe('gemini through the agent runner', () => {
  it('reads, edits a file, reports its result and usage, and resumes its session', async () => {
    const repo = buggyRepo();
    const file = path.join(repo, 'calc.js');
    const script: GeminiScript = (r) => {
      if (r.turn === 1)
        return {
          text: 'Reading calc.js.',
          functionCall: { name: 'read_file', args: { file_path: file } },
        };
      if (r.turn === 2) {
        return {
          functionCall: {
            name: 'replace',
            args: {
              file_path: file,
              old_string: 'a - b',
              new_string: 'a + b',
              instruction: 'fix add',
            },
          },
        };
      }
      if (r.turn === 3) {
        return {
          functionCall: {
            name: 'run_shell_command',
            args: { command: 'env', description: 'show env' },
          },
        };
      }
      if (r.turn === 4) return { text: `Fixed add().\n${RESULT}` };
      return { text: `Still fixed.\n${RESULT}` };
    };
    server = await startGeminiServer(script);
    const { req, events } = geminiRequest(repo, server.url);

    const outcome = await createAgentRunner().run(req);

    expect(outcome.errorMessage).toBeNull();
    expect(outcome.status).toBe('succeeded');
    expect(fs.readFileSync(file, 'utf8')).toBe('export const add = (a, b) => a + b;\n');
    expect(outcome.finalText).toBe(`Fixed add().\n${RESULT}`);
    expect(parseRoleResult('worker', outcome.finalText).ok).toBe(true);
    expect(outcome.usage.inputTokens).toBeGreaterThan(0);
    expect(outcome.usage.outputTokens).toBeGreaterThan(0);
    expect(outcome.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      events.filter((e) => e.type === 'tool_use').map((e) => e.type === 'tool_use' && e.name),
    ).toEqual(['read_file', 'replace', 'run_shell_command']);
    // The prompt came on stdin; the model router's JSON question was answered by the server.
    expect(server.turns[0]?.lastUserText).toContain('Fix add() in calc.js');
    const envDump = JSON.stringify(server.turns[3]?.functionResponses ?? []);
    expect(envDump).toContain(`HOME=${req.runHome}`);
    expect(envDump).not.toMatch(/GITHUB_TOKEN|LOOPER_/);
    expect(server.requests.find((r) => r.method === 'POST')?.headers['x-goog-api-key']).toBe(
      API_KEY,
    );
    expect(fs.readFileSync(req.logPath, 'utf8')).not.toContain(API_KEY);

    const resumed = await createAgentRunner().run({
      ...geminiRequest(repo, server.url).req,
      prompt: 'Check again.',
      resumeSessionId: outcome.sessionId ?? '',
      resumeFromHome: req.runHome,
    });

    expect(resumed.status).toBe('succeeded');
    expect(resumed.sessionId).toBe(outcome.sessionId);
    expect(resumed.finalText).toBe(`Still fixed.\n${RESULT}`);
    const history = JSON.stringify(server.turns.at(-1)?.body.contents);
    expect(history).toContain('Fix add() in calc.js');
    expect(history).toContain('Check again.');
  });

  it('fails a run whose daily quota is spent with error kind quota, at once', async () => {
    const details = [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          { quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier', quotaValue: '50' },
        ],
      },
    ];
    server = await startGeminiServer(() => ({
      error: {
        status: 429,
        message: 'You exceeded your current quota.',
        grpcStatus: 'RESOURCE_EXHAUSTED',
        details,
      },
    }));
    const { req } = geminiRequest(buggyRepo(), server.url);

    const outcome = await createAgentRunner().run(req);

    expect(outcome.status).toBe('failed');
    expect(outcome.errorKind).toBe('quota');
    expect(server.turns).toHaveLength(1);
  });

  it('stops Gemini retrying a plain 429 after three attempts and fails the run as rate_limit', async () => {
    // Gemini CLI retries it ten times with backoff (minutes), printing the attempts on stderr only.
    server = await startGeminiServer(() => ({
      error: {
        status: 429,
        message: 'Resource has been exhausted (e.g. check quota).',
        grpcStatus: 'RESOURCE_EXHAUSTED',
      },
    }));
    const { req } = geminiRequest(buggyRepo(), server.url);
    const started = Date.now();

    const outcome = await createAgentRunner().run(req);

    expect(outcome.status).toBe('failed');
    expect(outcome.errorKind).toBe('rate_limit');
    expect(server.turns).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(40_000);
  });
});
