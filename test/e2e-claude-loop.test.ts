// End to end, the whole issue loop with the REAL Claude Code CLI: `looper run --vendor claude-code
// --wait` autostarts looperd, which drives planner → plan reviewer → worker → checks → [fixer] →
// reviewer through node_modules/.bin/claude against the scripted Anthropic server.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoopView } from '../src/api/index.js';
import {
  type AnthropicServer,
  type ScriptedRequest,
  type ScriptedTurn,
  startAnthropicServer,
  workingDirectoryOf,
} from './support/anthropic-server.js';
import { done, promptOf, roleOf, tool, turnOf } from './support/claude-script.js';
import {
  claudeBin,
  createLooperEnv,
  git,
  type LooperEnv,
  makeRepo,
  tempDir,
} from './support/looper-harness.js';

const API_KEY = 'sk-ant-test-e2e-loop-not-a-real-key';
const GITHUB_TOKEN = 'ghp_e2e_must_not_reach_the_agent';

const oldMath = 'export const add = (a, b) => a - b;\nexport const mul = (a, b) => a + b;\n';
const fixedMath = 'export const add = (a, b) => a + b;\nexport const mul = (a, b) => a * b;\n';

const spec = [
  '# Fix the math helpers',
  '',
  '## Objective',
  'add() must return the sum and mul() the product of its arguments.',
  '',
  '## Plan',
  '1. Replace the operators in src/math.js.',
  '',
  '## Files to change',
  '- src/math.js',
  '',
  '## Risks',
  '- None: both functions are pure.',
  '',
  '## Acceptance criteria',
  '- `npm test` passes.',
  '',
].join('\n');

/**
 * Plays every role of one loop. The worker fixes add() (and, unless `incompleteWork`, mul()) and runs
 * `env` through Bash; with `incompleteWork` the fixer fixes mul() after the checks fail.
 */
function loopScript(options: { incompleteWork: boolean }) {
  const unexpected: string[] = [];
  const script = (request: ScriptedRequest): ScriptedTurn => {
    if (!request.hasTools) return { text: 'ok' };
    const role = roleOf(request);
    const cwd = workingDirectoryOf(request);
    const turn = turnOf(request);
    if (role === null || cwd === null) {
      unexpected.push(`turn ${request.turn}: role ${role}, cwd ${cwd}`);
      return { text: 'I do not know what to do here.' };
    }
    const math = path.join(cwd, 'src', 'math.js');
    switch (role) {
      case 'planner': {
        const specPath = /^Spec file: (.+)$/m.exec(promptOf(request))?.[1]?.trim();
        if (turn === 0 && specPath) {
          const file = path.join(cwd, specPath);
          return tool('Write', { file_path: file, content: spec }, 'Writing the spec.');
        }
        return done('Wrote the spec.', { summary: 'Spec: fix add() and mul() in src/math.js.' });
      }
      case 'plan reviewer':
        return done('The spec is specific and testable.', {
          verdict: 'approve',
          summary: 'Approved: names the file, the fix and the check.',
          comments: [],
        });
      case 'implementer':
        if (turn === 0) return tool('Read', { file_path: math }, 'Reading src/math.js.');
        if (turn === 1) {
          return tool(
            'Edit',
            options.incompleteWork
              ? {
                  file_path: math,
                  old_string: 'add = (a, b) => a - b;',
                  new_string: 'add = (a, b) => a + b;',
                }
              : { file_path: math, old_string: oldMath, new_string: fixedMath },
          );
        }
        if (turn === 2)
          return tool('Bash', { command: 'env', description: 'Show the environment' });
        return done('Implemented the spec.', { summary: 'add() adds and mul() multiplies.' });
      case 'fixer':
        if (turn === 0) return tool('Read', { file_path: math }, 'The mul test fails.');
        if (turn === 1)
          return tool('Edit', {
            file_path: math,
            old_string: 'mul = (a, b) => a + b;',
            new_string: 'mul = (a, b) => a * b;',
          });
        return done('Fixed mul().', { summary: 'mul() multiplies.' });
      case 'code reviewer':
        return done('The diff matches the spec.', {
          verdict: 'approve',
          summary: 'Both helpers are correct.',
          comments: [],
        });
      default: {
        const never: never = role;
        throw new Error(`unknown role ${String(never)}`);
      }
    }
  };
  return { script, unexpected };
}

const repoFiles = {
  'package.json': '{"type":"module","scripts":{"test":"node --test test/"}}\n',
  'src/math.js': oldMath,
  'test/math.test.js': [
    "import assert from 'node:assert/strict';",
    "import { test } from 'node:test';",
    "import { add, mul } from '../src/math.js';",
    '',
    "test('add adds', () => assert.equal(add(2, 3), 5));",
    "test('mul multiplies', () => assert.equal(mul(2, 3), 6));",
    '',
  ].join('\n'),
};

let server: AnthropicServer | undefined;
let env: LooperEnv | undefined;
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
  await server?.close();
  server = undefined;
});

async function getLoop(looper: LooperEnv, id: string): Promise<LoopView> {
  const response = await fetch(`${looper.url}/api/v1/loops/${id}`, {
    headers: { authorization: `Bearer ${looper.token()}` },
  });
  const body = (await response.json()) as { ok: boolean; data: LoopView };
  if (!body.ok) throw new Error(`GET /loops/${id}: ${JSON.stringify(body)}`);
  return body.data;
}

/** Runs one loop through the CLI with Claude Code against `script`; returns its final view. */
async function runLoop(script: (request: ScriptedRequest) => ScriptedTurn, repo: string) {
  server = await startAnthropicServer(script);
  env = await createLooperEnv({
    env: {
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: API_KEY,
      GITHUB_TOKEN,
      LOOPER_VENDORS_CLAUDE_CODE_COMMAND: claudeBin,
    },
  });
  const result = await env.json<LoopView>([
    'run',
    '--repo',
    repo,
    '--title',
    'Fix add and mul',
    '--body',
    'add() subtracts and mul() adds; `npm test` fails.',
    '--vendor',
    'claude-code',
    '--wait',
  ]);
  expect(result.code, result.stderr).toBe(0);
  expect(result.data.stage, result.data.reason ?? '').toBe('ready');
  return { looper: env, anthropic: server, loop: await getLoop(env, result.data.id) };
}

/** The branch's commits over main, oldest first: author, subject. */
function branchCommits(repo: string, branch: string): string[][] {
  return git(repo, 'log', '--reverse', '--format=%an <%ae>%x1f%s', `main..${branch}`)
    .trim()
    .split('\n')
    .map((line) => line.split('\x1f'));
}

/** `npm test` in a scratch worktree of the branch. */
function npmTestOn(repo: string, branch: string): number | null {
  const scratch = path.join(tempDir('looper-scratch-'), 'wt');
  git(repo, 'worktree', 'add', '--detach', scratch, branch);
  try {
    return spawnSync('npm', ['test'], { cwd: scratch, encoding: 'utf8' }).status;
  } finally {
    git(repo, 'worktree', 'remove', '--force', scratch);
  }
}

describe('the issue loop with the real Claude Code CLI', () => {
  it('plans, reviews the plan, fixes the bug and reaches ready', async () => {
    const { script, unexpected } = loopScript({ incompleteWork: false });
    const repo = makeRepo(repoFiles);

    const { looper, anthropic, loop } = await runLoop(script, repo);

    expect(unexpected).toEqual([]);
    const runs = loop.runs ?? [];
    expect(runs.map((r) => [r.role, r.status])).toEqual([
      ['planner', 'succeeded'],
      ['plan_reviewer', 'succeeded'],
      ['worker', 'succeeded'],
      ['reviewer', 'succeeded'],
    ]);
    for (const run of runs) {
      expect(run.vendor).toBe('claude-code');
      expect(run.tokens.input).toBeGreaterThan(0);
      expect(run.tokens.output).toBeGreaterThan(0);
      expect(run.session_id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(loop.vendor).toBe('claude-code');
    expect(loop.tokens.input).toBe(runs.reduce((sum, r) => sum + r.tokens.input, 0));
    expect(loop.tokens.output).toBeGreaterThan(0);

    // The spec commit and the fix commit, by Looper, and the branch passes its tests.
    const branch = loop.branch ?? '';
    expect(branch).toBe('looper/1-fix-add-and-mul');
    expect(branchCommits(repo, branch)).toEqual([
      ['Looper <looper@localhost>', 'Add spec for #1: Fix add and mul'],
      ['Looper <looper@localhost>', 'Fix add and mul (#1)'],
    ]);
    expect(git(repo, 'show', `${branch}:specs/1-fix-add-and-mul.md`)).toBe(spec);
    expect(git(repo, 'show', `${branch}:src/math.js`)).toBe(fixedMath);
    expect(npmTestOn(repo, branch)).toBe(0);

    // Every role talked to the API with the key the daemon passed on.
    const posts = anthropic.requests.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.every((r) => r.headers['x-api-key'] === API_KEY)).toBe(true);
    const seen = anthropic.turns.filter((t) => t.hasTools && turnOf(t) === 0).map(roleOf);
    expect(seen).toEqual(['planner', 'plan reviewer', 'implementer', 'code reviewer']);

    // The worker's `env` (the tool result of its Bash call): its own HOME, no forge token, no
    // Looper settings.
    const worker = runs.find((r) => r.role === 'worker');
    const envDump =
      anthropic.turns
        .filter((t) => roleOf(t) === 'implementer')
        .flatMap((t) => t.toolResults)
        .find((r) => r.text.includes('PATH='))?.text ?? '';
    expect(envDump).toContain(`HOME=${path.join(looper.home, 'runs', worker?.id ?? '?')}\n`);
    expect(envDump).not.toContain('GITHUB_TOKEN');
    expect(envDump).not.toContain(GITHUB_TOKEN);
    expect(envDump).not.toMatch(/^LOOPER_/m);
  }, 240_000);

  it('hands failing checks to the fixer when the first fix is incomplete', async () => {
    const { script, unexpected } = loopScript({ incompleteWork: true });
    const repo = makeRepo(repoFiles);

    const { anthropic, loop } = await runLoop(script, repo);

    expect(unexpected).toEqual([]);
    const runs = loop.runs ?? [];
    expect(runs.map((r) => [r.role, r.status])).toEqual([
      ['planner', 'succeeded'],
      ['plan_reviewer', 'succeeded'],
      ['worker', 'succeeded'],
      ['fixer', 'succeeded'],
      ['reviewer', 'succeeded'],
    ]);
    expect(runs.every((r) => r.vendor === 'claude-code' && r.tokens.output > 0)).toBe(true);
    // The fixer's prompt carried the failing test's output.
    const fixerTurn = anthropic.turns.find((t) => roleOf(t) === 'fixer');
    const fixerPrompt = fixerTurn ? promptOf(fixerTurn) : '';
    expect(fixerPrompt).toContain('The project checks fail.');
    expect(fixerPrompt).toContain('mul multiplies');

    const branch = loop.branch ?? '';
    expect(branchCommits(repo, branch)).toEqual([
      ['Looper <looper@localhost>', 'Add spec for #1: Fix add and mul'],
      ['Looper <looper@localhost>', 'Fix add and mul (#1)'],
    ]);
    expect(git(repo, 'show', `${branch}:src/math.js`)).toBe(fixedMath);
    expect(npmTestOn(repo, branch)).toBe(0);
  }, 240_000);
});
