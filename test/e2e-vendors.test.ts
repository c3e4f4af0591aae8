// End to end, the issue loop across vendors chosen per role: `looper run --wait` drives the REAL
// Claude Code, Codex and Gemini CLIs (node_modules/.bin) against scripted model servers, with a
// codex worker reviewed by claude-code, a rate-limited claude-code worker falling back to codex, and
// a gemini worker.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventView, LoopView, RunView } from '../src/api/index.js';
import {
  type AnthropicServer,
  type ScriptedRequest,
  type ScriptedTurn,
  startAnthropicServer,
} from './support/anthropic-server.js';
import {
  type ScriptedGeminiRequest,
  type ScriptedGeminiTurn,
  startGeminiServer,
} from './support/gemini-server.js';
import {
  claudeBin,
  createLooperEnv,
  git,
  type LooperEnv,
  makeRepo,
  repoRoot,
  tempDir,
} from './support/looper-harness.js';
import {
  type OpenAiServer,
  type ScriptedOpenAiRequest,
  type ScriptedOpenAiTurn,
  startOpenAiServer,
} from './support/openai-server.js';

const ANTHROPIC_KEY = 'sk-ant-test-e2e-vendors-not-a-real-key';
const OPENAI_KEY = 'sk-scripted-e2e-vendors-codex-key';
const GEMINI_KEY = 'scripted-e2e-vendors-gemini-key';
const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);
const RESULT = '__LOOPER_RESULT__=';

const oldMath = 'export const add = (a, b) => a - b;\nexport const mul = (a, b) => a + b;\n';
const fixedMath = 'export const add = (a, b) => a + b;\nexport const mul = (a, b) => a * b;\n';
const repoFiles = {
  'package.json': '{"type":"module","scripts":{"test":"node --test test/"}}\n',
  'src/math.js': oldMath,
  'test/math.test.js': [
    "import assert from 'node:assert/strict';",
    "import { test } from 'node:test';",
    "import { add, mul } from '../src/math.js';",
    "test('add adds', () => assert.equal(add(2, 3), 5));",
    "test('mul multiplies', () => assert.equal(mul(2, 3), 6));",
    '',
  ].join('\n'),
};
const spec = [
  '# Fix the math helpers',
  '## Objective',
  'add() returns the sum and mul() the product.',
  '## Plan',
  '1. Replace the operators in src/math.js.',
  '## Files to change',
  '- src/math.js',
  '## Risks',
  '- None.',
  '## Acceptance criteria',
  '- `npm test` passes.',
  '',
].join('\n');

type RoleTitle = 'planner' | 'plan reviewer' | 'implementer' | 'code reviewer' | 'fixer';

/** What a Looper prompt says (src/runner/prompts.ts): the role, the worktree, the spec file. */
function readPrompt(text: string) {
  const role = /You are the (planner|plan reviewer|implementer|code reviewer|fixer) in Looper/.exec(
    text,
  )?.[1] as RoleTitle | undefined;
  const worktree = /worktree at (\S+) \(your current directory\)/.exec(text)?.[1];
  const specPath = /^Spec file: (.+)$/m.exec(text)?.[1]?.trim();
  return { role, worktree, specPath };
}

const finalText = (role: RoleTitle, vendor: string): string => {
  const review = { verdict: 'approve', summary: `Approved by ${vendor}.`, comments: [] };
  const results: Record<RoleTitle, object> = {
    planner: { summary: 'Spec: fix add() and mul() in src/math.js.' },
    'plan reviewer': review,
    implementer: { summary: `add() adds and mul() multiplies (${vendor}).` },
    'code reviewer': review,
    fixer: { summary: 'Fixed.' },
  };
  return `Done.\n${RESULT}${JSON.stringify(results[role])}`;
};

/** Text of every user message of a conversation (the Looper prompt is among them). */
function userText(messages: unknown, partsKey: 'content' | 'parts'): string {
  if (!Array.isArray(messages)) return '';
  return messages
    .filter((m) => m?.role === 'user')
    .flatMap((m) => {
      const parts: unknown = m[partsKey];
      if (typeof parts === 'string') return [parts];
      if (!Array.isArray(parts)) return [];
      return parts.map((p) => (typeof p?.text === 'string' ? p.text : ''));
    })
    .join('\n');
}

/** Claude Code plays `roles` (anything else is unexpected); `rateLimited` roles always get 429. */
function claudeScript(roles: RoleTitle[], rateLimited: RoleTitle[] = []) {
  const unexpected: string[] = [];
  const script = (r: ScriptedRequest): ScriptedTurn => {
    if (!r.hasTools) return { text: 'ok' };
    const { role, worktree, specPath } = readPrompt(userText(r.body.messages, 'content'));
    const turn = JSON.stringify(r.body.messages).split('"tool_result"').length - 1;
    if (role && rateLimited.includes(role)) {
      const message = 'Number of request tokens has exceeded your per-minute rate limit';
      return { error: { status: 429, type: 'rate_limit_error', message } };
    }
    if (!role || !worktree || !roles.includes(role)) {
      unexpected.push(`claude turn ${r.turn}: role ${role}, worktree ${worktree}`);
      return { text: 'I should not be here.' };
    }
    if (role === 'planner' && turn === 0 && specPath) {
      const file_path = path.join(worktree, specPath);
      return {
        text: 'Writing the spec.',
        toolUse: { name: 'Write', input: { file_path, content: spec } },
      };
    }
    return { text: finalText(role, 'claude-code') };
  };
  return { script, unexpected };
}

/** Codex plays the implementer: reads the file, patches it (apply_patch), reports. */
function codexScript() {
  const unexpected: string[] = [];
  const lines = (text: string, sign: string) => text.trimEnd().replace(/^/gm, sign).split('\n');
  const patch = [
    '*** Begin Patch',
    '*** Update File: src/math.js',
    '@@',
    ...lines(oldMath, '-'),
    ...lines(fixedMath, '+'),
    '*** End Patch',
    '',
  ].join('\n');
  const script = (r: ScriptedOpenAiRequest): ScriptedOpenAiTurn => {
    const { role, worktree } = readPrompt(userText(r.body.input, 'content'));
    const items = Array.isArray(r.body.input) ? r.body.input : [];
    const turn = items.filter((i) => /_call_output$/.test(String(i?.type))).length;
    // Codex offers no tools at all for a model it does not know (its default with a custom provider).
    if (role !== 'implementer' || !worktree || !r.hasTools) {
      unexpected.push(`codex turn ${r.turn}: role ${role}, model ${r.model}, tools ${r.hasTools}`);
      return { text: 'I should not be here.' };
    }
    if (turn === 0)
      return {
        text: 'Reading.',
        toolCall: { name: 'exec_command', arguments: { cmd: 'cat src/math.js' } },
      };
    if (turn === 1) return { toolCall: { name: 'apply_patch', input: patch } };
    return { text: finalText(role, 'codex') };
  };
  return { script, unexpected };
}

/** Gemini CLI plays the implementer: reads the file, replaces its body, reports. */
function geminiScript() {
  const unexpected: string[] = [];
  const script = (r: ScriptedGeminiRequest): ScriptedGeminiTurn => {
    const { role, worktree } = readPrompt(userText(r.body.contents, 'parts'));
    const turn = JSON.stringify(r.body.contents).split('"functionResponse"').length - 1;
    if (role !== 'implementer' || !worktree) {
      unexpected.push(`gemini turn ${r.turn}: role ${role}, worktree ${worktree}`);
      return { text: 'I should not be here.' };
    }
    const file_path = path.join(worktree, 'src', 'math.js');
    if (turn === 0)
      return { text: 'Reading.', functionCall: { name: 'read_file', args: { file_path } } };
    if (turn === 1) {
      const args = { file_path, old_string: oldMath, new_string: fixedMath, instruction: 'fix' };
      return { functionCall: { name: 'replace', args } };
    }
    return { text: finalText(role, 'gemini') };
  };
  return { script, unexpected };
}

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function track<T extends { close(): Promise<void> }>(server: Promise<T>): Promise<T> {
  const started = await server;
  cleanups.push(() => started.close());
  return started;
}

async function api<T>(looper: LooperEnv, route: string): Promise<T> {
  const response = await fetch(`${looper.url}/api/v1${route}`, {
    headers: { authorization: `Bearer ${looper.token()}` },
  });
  const body = (await response.json()) as { ok: boolean; data: T };
  if (!body.ok) throw new Error(`GET ${route}: ${JSON.stringify(body)}`);
  return body.data;
}

/** Runs one loop through the CLI with `configToml`; returns the final loop view and its events. */
async function runLoop(configToml: string) {
  const repo = makeRepo(repoFiles);
  const looper = await createLooperEnv({ configToml });
  cleanups.push(() => looper.cleanup());
  // It holds (scripted) API keys: private, as Looper asks of a config with secrets.
  fs.chmodSync(looper.env.LOOPER_CONFIG ?? '', 0o600);
  const result = await looper.json<LoopView>([
    'run',
    '--repo',
    repo,
    '--title',
    'Fix add and mul',
    '--body',
    'add() subtracts and mul() adds; `npm test` fails.',
    '--wait',
  ]);
  const loop = await api<LoopView>(looper, `/loops/${result.data.id}`);
  const events = await api<EventView[]>(looper, `/events?loop=${result.data.id}&limit=1000`);
  return { repo, loop, events, runs: loop.runs ?? [], code: result.code, stderr: result.stderr };
}

const toml = (lines: string[]) => `${lines.join('\n')}\n`;
const str = (value: string) => JSON.stringify(value);

function claudeConfig(anthropic: AnthropicServer): string[] {
  return [
    '[vendors.claude-code]',
    `command = ${str(claudeBin)}`,
    `env = { ANTHROPIC_BASE_URL = ${str(anthropic.url)}, ANTHROPIC_API_KEY = ${str(ANTHROPIC_KEY)} }`,
  ];
}

/**
 * Codex through a custom provider. Its default model is one its catalog does not know, so it would
 * offer no tools: `defaultModel` sets one in Codex's own config (what a fallback run uses).
 */
function codexConfig(openai: OpenAiServer, defaultModel?: string): string[] {
  const args = [
    ...(defaultModel ? [`model=${str(defaultModel)}`] : []),
    'model_provider=scripted',
    'model_providers.scripted.name=Scripted',
    `model_providers.scripted.base_url=${openai.url}`,
    'model_providers.scripted.env_key=SCRIPTED_OPENAI_KEY',
    'model_providers.scripted.wire_api=responses',
  ].flatMap((override) => ['-c', override]);
  return [
    '[vendors.codex]',
    `command = ${str(bin('codex'))}`,
    `args = ${JSON.stringify(args)}`,
    `env = { SCRIPTED_OPENAI_KEY = ${str(OPENAI_KEY)} }`,
  ];
}

function expectReady(loop: LoopView, code: number, stderr: string): void {
  expect(loop.stage, loop.reason ?? stderr).toBe('ready');
  expect(code, stderr).toBe(0);
}

function expectUsageSummed(loop: LoopView, runs: RunView[]): void {
  const sum = (key: 'input' | 'output' | 'cached') =>
    runs.reduce((total, run) => total + run.tokens[key], 0);
  expect(loop.tokens).toEqual({
    input: sum('input'),
    output: sum('output'),
    cached: sum('cached'),
  });
}

/** The branch's commit subjects over main, and `npm test` in a scratch worktree of it. */
function branchState(repo: string, branch: string) {
  const subjects = git(repo, 'log', '--reverse', '--format=%s', `main..${branch}`)
    .trim()
    .split('\n');
  const scratch = path.join(tempDir('looper-scratch-'), 'wt');
  git(repo, 'worktree', 'add', '--detach', scratch, branch);
  try {
    const test = spawnSync('npm', ['test'], { cwd: scratch, encoding: 'utf8' });
    return { subjects, math: git(repo, 'show', `${branch}:src/math.js`), npmTest: test.status };
  } finally {
    git(repo, 'worktree', 'remove', '--force', scratch);
  }
}

const roleVendorStatus = (runs: RunView[]) => runs.map((r) => [r.role, r.vendor, r.status]);

describe('the issue loop with vendors chosen per role', () => {
  it('works with a codex worker and a claude-code reviewer and sums their usage', async () => {
    const claude = claudeScript(['planner', 'plan reviewer', 'code reviewer']);
    const codex = codexScript();
    const anthropic = await track(startAnthropicServer(claude.script));
    const openai = await track(startOpenAiServer(codex.script));

    const { repo, loop, runs, code, stderr } = await runLoop(
      toml([
        '[agent]',
        'vendor = "claude-code"',
        'timeout-secs = 60',
        '[roles.worker]',
        'vendor = "codex"',
        'model = "gpt-5.5"',
        '[roles.reviewer]',
        'vendor = "claude-code"',
        ...claudeConfig(anthropic),
        ...codexConfig(openai),
      ]),
    );

    expect(claude.unexpected).toEqual([]);
    expect(codex.unexpected).toEqual([]);
    expectReady(loop, code, stderr);
    expect(roleVendorStatus(runs)).toEqual([
      ['planner', 'claude-code', 'succeeded'],
      ['plan_reviewer', 'claude-code', 'succeeded'],
      ['worker', 'codex', 'succeeded'],
      ['reviewer', 'claude-code', 'succeeded'],
    ]);
    for (const run of runs) {
      expect(run.tokens.input, `${run.role} input tokens`).toBeGreaterThan(0);
      expect(run.tokens.output, `${run.role} output tokens`).toBeGreaterThan(0);
    }
    expectUsageSummed(loop, runs);
    const worker = runs.find((r) => r.role === 'worker');
    expect(worker?.model).toBe('gpt-5.5');
    expect(worker?.summary).toBe('add() adds and mul() multiplies (codex).');
    expect(openai.turns.map((t) => t.model)).toEqual(['gpt-5.5', 'gpt-5.5', 'gpt-5.5']);

    // Codex edited the worktree for real: the fix is Looper's commit on the branch and passes.
    expect(branchState(repo, loop.branch ?? '')).toEqual({
      subjects: ['Add spec for #1: Fix add and mul', 'Fix add and mul (#1)'],
      math: fixedMath,
      npmTest: 0,
    });
    // Codex reached its provider with its key; the reviewer saw the diff Codex made.
    expect(openai.requests.find((r) => r.method === 'POST')?.headers.authorization).toBe(
      `Bearer ${OPENAI_KEY}`,
    );
    const review = anthropic.turns.find(
      (t) => readPrompt(userText(t.body.messages, 'content')).role === 'code reviewer',
    );
    expect(JSON.stringify(review?.body.messages)).toContain('+export const mul = (a, b) => a * b;');
  }, 60_000);

  it('falls back from a rate-limited claude-code worker to codex at the same stage', async () => {
    const claude = claudeScript(['planner', 'plan reviewer', 'code reviewer'], ['implementer']);
    const codex = codexScript();
    const anthropic = await track(startAnthropicServer(claude.script));
    const openai = await track(startOpenAiServer(codex.script));

    const { repo, loop, runs, events, code, stderr } = await runLoop(
      toml([
        '[agent]',
        'vendor = "claude-code"',
        'fallback = ["codex"]',
        'timeout-secs = 60',
        ...claudeConfig(anthropic),
        ...codexConfig(openai, 'gpt-5.5'),
      ]),
    );

    expect(claude.unexpected).toEqual([]);
    expect(codex.unexpected).toEqual([]);
    expectReady(loop, code, stderr);
    expect(roleVendorStatus(runs)).toEqual([
      ['planner', 'claude-code', 'succeeded'],
      ['plan_reviewer', 'claude-code', 'succeeded'],
      ['worker', 'claude-code', 'failed'],
      ['worker', 'codex', 'succeeded'],
      ['reviewer', 'claude-code', 'succeeded'],
    ]);
    const [limited, fallback] = runs.filter((r) => r.role === 'worker');
    expect(limited?.error_kind).toBe('rate_limit');
    expect(fallback?.stage).toBe(limited?.stage);
    expect(fallback?.attempt).toBe(limited?.attempt);
    expect(fallback?.tokens.output).toBeGreaterThan(0);
    expectUsageSummed(loop, runs);
    // Claude Code gave up after its own retries (CLAUDE_CODE_MAX_RETRIES=2), not at a timeout.
    const implementerTurns = anthropic.turns.filter(
      (t) => t.hasTools && readPrompt(userText(t.body.messages, 'content')).role === 'implementer',
    );
    expect(implementerTurns).toHaveLength(3);

    const fallbacks = events.filter((e) => e.type === 'run.fallback').map((e) => e.data);
    expect(fallbacks).toEqual([
      { role: 'worker', from: 'claude-code', to: 'codex', error_kind: 'rate_limit' },
    ]);
    expect(branchState(repo, loop.branch ?? '')).toEqual({
      subjects: ['Add spec for #1: Fix add and mul', 'Fix add and mul (#1)'],
      math: fixedMath,
      npmTest: 0,
    });
  }, 60_000);

  it('works with a gemini worker', async () => {
    const claude = claudeScript(['planner', 'plan reviewer', 'code reviewer']);
    const gemini = geminiScript();
    const anthropic = await track(startAnthropicServer(claude.script));
    const google = await track(startGeminiServer(gemini.script));

    const { repo, loop, runs, code, stderr } = await runLoop(
      toml([
        '[agent]',
        'vendor = "claude-code"',
        'timeout-secs = 60',
        '[roles.worker]',
        'vendor = "gemini"',
        ...claudeConfig(anthropic),
        '[vendors.gemini]',
        `command = ${str(bin('gemini'))}`,
        `env = { GOOGLE_GEMINI_BASE_URL = ${str(google.url)}, GEMINI_API_KEY = ${str(GEMINI_KEY)} }`,
      ]),
    );

    expect(claude.unexpected).toEqual([]);
    expect(gemini.unexpected).toEqual([]);
    expectReady(loop, code, stderr);
    expect(roleVendorStatus(runs)).toEqual([
      ['planner', 'claude-code', 'succeeded'],
      ['plan_reviewer', 'claude-code', 'succeeded'],
      ['worker', 'gemini', 'succeeded'],
      ['reviewer', 'claude-code', 'succeeded'],
    ]);
    const worker = runs.find((r) => r.role === 'worker');
    expect(worker?.tokens.input).toBeGreaterThan(0);
    expect(worker?.tokens.output).toBeGreaterThan(0);
    expectUsageSummed(loop, runs);
    expect(branchState(repo, loop.branch ?? '')).toEqual({
      subjects: ['Add spec for #1: Fix add and mul', 'Fix add and mul (#1)'],
      math: fixedMath,
      npmTest: 0,
    });
  }, 60_000);
});
