// End to end, the GitHub loop with the REAL Claude Code CLI: a trusted label by signed webhook on the
// GitHub emulator → looperd drives node_modules/.bin/claude (against the scripted Anthropic server)
// through planner → plan reviewer → worker → CI red once → fixer → CI green → reviewer → ready.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoopView } from '../src/api/index.js';
import { looperLabels } from '../src/forge/index.js';
import {
  type ScriptedRequest,
  type ScriptedTurn,
  startAnthropicServer,
  workingDirectoryOf,
} from './support/anthropic-server.js';
import { done, promptOf, roleOf, tool, turnOf } from './support/claude-script.js';
import { startGitHubEmulator } from './support/github-emulator/index.js';
import { ensureLabel } from './support/github-emulator/mutations.js';
import {
  BOT,
  branchLog,
  finished,
  issueCommentsBy,
  labelByWebhook,
  REPO,
  repoFiles,
  SECRET,
  startCi,
  stateLabelsOn,
  TOKEN,
  type World,
} from './support/github-loop-world.js';
import { api } from './support/loop-events.js';
import {
  claudeBin,
  createLooperEnv,
  git,
  tempDir,
  waitForOutput,
} from './support/looper-harness.js';

const API_KEY = 'sk-ant-test-e2e-github-not-a-real-key';

const spec = '# Fix add\n\n## Objective\nadd() must return the sum of its arguments.\n';

/** Plays every role: the worker fixes add() and runs `env`; the fixer answers the red CI run. */
function loopScript() {
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
        if (turn === 0 && specPath)
          return tool('Write', { file_path: path.join(cwd, specPath), content: spec });
        return done('Wrote the spec.', { summary: 'Spec: make add() add.' });
      }
      case 'plan reviewer':
        return done('Specific and testable.', {
          verdict: 'approve',
          summary: 'Good plan.',
          comments: [],
        });
      case 'implementer':
        if (turn === 0) return tool('Read', { file_path: math }, 'Reading src/math.js.');
        if (turn === 1)
          return tool('Edit', { file_path: math, old_string: 'a - b', new_string: 'a + b' });
        if (turn === 2)
          return tool('Bash', { command: 'env', description: 'Show the environment' });
        return done('Implemented the spec.', { summary: 'add() adds.' });
      case 'fixer':
        if (turn === 0) return tool('Read', { file_path: math }, 'CI says add adds fails.');
        if (turn === 1)
          return tool('Edit', {
            file_path: math,
            old_string: 'a + b;',
            new_string: 'a + b; // checked against CI',
          });
        return done('Made CI green.', { summary: 'Checked add() against CI.' });
      case 'code reviewer':
        return done('The diff matches the spec.', {
          verdict: 'approve',
          summary: 'Correct.',
          comments: [],
        });
      default:
        unexpected.push(`turn ${request.turn}: unknown role ${role}`);
        return { text: 'Unknown role.' };
    }
  };
  return { script, unexpected };
}

describe('the GitHub loop with the real Claude Code CLI', () => {
  it('trusted label → spec, draft PR, CI red → fixer → green → reviewer → ready', async () => {
    const { script, unexpected } = loopScript();
    const anthropic = await startAnthropicServer(script);
    const gh = await startGitHubEmulator({ tokens: { [TOKEN]: BOT } });
    const dir = tempDir('looper-gh-claude-');
    const repo = await gh.createRepo(REPO, {
      files: repoFiles,
      collaborators: { alice: 'write', mallory: 'read', [BOT]: 'write' },
    });
    for (const l of looperLabels) ensureLabel(gh.state, repo, l.name, l.color, l.description);
    const env = await createLooperEnv({
      env: {
        ANTHROPIC_BASE_URL: anthropic.url,
        ANTHROPIC_API_KEY: API_KEY,
        // Neither the env token nor `github.token` may reach an agent.
        GITHUB_TOKEN: TOKEN,
        GH_TOKEN: TOKEN,
      },
      configToml: [
        '[daemon]',
        'poll-interval-secs = 3600',
        'shutdown-grace-secs = 1',
        '[agent]',
        'vendor = "claude-code"',
        '[vendors.claude-code]',
        `command = ${JSON.stringify(claudeBin)}`,
        '[github]',
        `api-url = "${gh.url}"`,
        `token = "${TOKEN}"`,
        `webhook-secret = "${SECRET}"`,
        `bot-login = "${BOT}"`,
        'write-spacing-ms = 0',
        '[[projects]]',
        `repo = "${REPO}"`,
        `clone-url = "${gh.cloneUrl(REPO)}"`,
        'checks = ["node --test test/"]',
        '',
      ].join('\n'),
    });
    const w: World = {
      gh,
      env,
      dir,
      record: path.join(dir, 'unused.jsonl'),
      async close() {
        await env.cleanup();
        await gh.close();
      },
    };
    const ci = await startCi(w);
    try {
      const daemon = env.spawnDaemon();
      await waitForOutput(daemon, /listening on/);

      const issue = gh.createIssue(REPO, { title: 'Fix add', body: 'add() subtracts.' });
      const admitted = await labelByWebhook(w, issue.number);
      expect(admitted).toMatchObject({ status: 202, accepted: true });
      const loopId = admitted.loopId ?? '';
      const end = await finished(w, loopId, issue.number);
      expect(end).toMatchObject({ stage: 'ready', reason: null });
      expect(unexpected).toEqual([]);

      // Spec pushed first and a draft PR opened for it; then work (CI red), fixer (CI green).
      const stages = end.events.filter((e) => e.type === 'loop.stage').map((e) => e.data.to);
      expect(stages).toContain('fixing');
      expect(ci.pushes).toHaveLength(3);
      const failed = end.events.filter((e) => e.type === 'ci.failed');
      expect(failed.map((e) => e.data.sha)).toEqual([ci.pushes[1]]);
      const created = gh.requests.filter(
        (r) => r.route === 'POST /repos/{owner}/{repo}/pulls' && r.status === 201,
      );
      expect(created).toHaveLength(1);
      // The PR was opened as a draft and left draft once, by Looper, at the end.
      const readied = gh.repo(REPO).events.filter((e) => e.event === 'ready_for_review');
      expect(readied.map((e) => e.actor)).toEqual([BOT]);

      const loop = await api<LoopView>(env, `/loops/${loopId}`);
      const branch = loop.branch ?? '';
      expect(branch).toMatch(new RegExp(`^looper/${issue.number}-fix-add`));
      const log = branchLog(gh, branch);
      expect(log[0]).toBe(`Looper <looper@localhost>|Add spec for #${issue.number}: Fix add`);
      expect(log).toHaveLength(3);
      expect(git(gh.cloneUrl(REPO), 'show', `${branch}:src/math.js`)).toBe(
        'export const add = (a, b) => a + b; // checked against CI\n',
      );

      // The fixer (real Claude Code) was handed the CI failure.
      const fixerTurn = anthropic.turns.find((t) => roleOf(t) === 'fixer');
      const fixerPrompt = fixerTurn ? promptOf(fixerTurn) : '';
      expect(fixerPrompt).toContain('Failing CI checks and the end of their logs:');
      expect(fixerPrompt).toContain('ci: 1 test failed: add adds');

      // One PR, out of draft, head = the fixer's push, linking the issue with the loop marker.
      const pulls = [...gh.repo(REPO).pulls.values()];
      expect(pulls).toHaveLength(1);
      const pull = pulls[0];
      expect(pull).toMatchObject({ head: branch, base: 'main', draft: false, merged: false });
      expect(git(gh.cloneUrl(REPO), 'rev-parse', branch).trim()).toBe(ci.pushes[2]);
      const prBody = gh.issue(REPO, pull?.number ?? 0).body ?? '';
      expect(prBody).toContain(`Closes #${issue.number}`);
      expect(prBody).toContain(`<!-- looper:loop=${loopId} -->`);
      expect(stateLabelsOn(gh, issue.number)).toEqual(['looper:done']);
      expect(issueCommentsBy(gh, issue.number, BOT)).toHaveLength(1);
      expect(gh.violations).toEqual([]);

      // Every role ran on Claude Code and used tokens.
      const runs = loop.runs ?? [];
      expect(runs.map((r) => [r.role, r.status])).toEqual([
        ['planner', 'succeeded'],
        ['plan_reviewer', 'succeeded'],
        ['worker', 'succeeded'],
        ['fixer', 'succeeded'],
        ['reviewer', 'succeeded'],
      ]);
      for (const run of runs) {
        expect(run.vendor).toBe('claude-code');
        expect(run.tokens.input).toBeGreaterThan(0);
        expect(run.tokens.output).toBeGreaterThan(0);
      }
      const posts = anthropic.requests.filter((r) => r.method === 'POST');
      expect(posts.every((r) => r.headers['x-api-key'] === API_KEY)).toBe(true);

      // The worker's `env` (its Bash tool result, as the model saw it) holds no GitHub token.
      const envDump =
        anthropic.turns
          .filter((t) => roleOf(t) === 'implementer')
          .flatMap((t) => t.toolResults)
          .find((r) => r.text.includes('PATH='))?.text ?? '';
      expect(envDump).toContain('PATH=');
      expect(envDump).not.toContain(TOKEN);
      expect(envDump).not.toMatch(/^GITHUB_TOKEN=/m);
      expect(envDump).not.toMatch(/^GH_TOKEN=/m);
    } finally {
      await ci.close();
      await w.close();
      await anthropic.close();
    }
  }, 300_000);
});
