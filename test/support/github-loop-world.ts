// The world of the GitHub e2e tests: the GitHub emulator with one repo, a built looperd watching it
// with a scripted `custom` agent, webhook delivery, a pre-receive hook standing in for GitHub's CI,
// and waits that end when the loop's last effects have reached the emulator.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { looperLabels } from '../../src/forge/index.js';
import {
  type CheckRunInput,
  type GitHubEmulator,
  type RepoRole,
  startGitHubEmulator,
  type WebhookPayloadInput,
} from './github-emulator/index.js';
import { ensureLabel } from './github-emulator/mutations.js';
import { eventually, waitForStage } from './loop-events.js';
import { createLooperEnv, git, type LooperEnv, tempDir, waitForOutput } from './looper-harness.js';

export const TOKEN = 'ghp_e2eGitHubToken0123456789abcdef';
export const SECRET = 'e2e-webhook-secret';
export const BOT = 'looper-bot';
export const REPO = 'acme/app';
export const STATE_LABELS = [
  'looper:planning',
  'looper:working',
  'looper:fixing',
  'looper:done',
  'looper:needs-human',
  'looper:failed',
];

/** The `custom` agent: records its environment (and the fixer's prompt), then plays its role. */
const agentSource = `
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const role = process.env.LOOPER_ROLE ?? '';
const prompt = process.env.LOOPER_PROMPT ?? '';
const record = process.env.E2E_RECORD ?? '';
fs.appendFileSync(record, JSON.stringify({ role, env: process.env }) + '\\n');
const emit = (line) => process.stdout.write(JSON.stringify(line) + '\\n');
const finish = (result) => {
  emit({ type: 'usage', inputTokens: 100, outputTokens: 20, cachedTokens: 0, costUsd: 0 });
  emit({ type: 'result', text: 'Done.\\n__LOOPER_RESULT__=' + JSON.stringify(result) });
};
const fixAdd = () =>
  fs.writeFileSync('src/math.js', fs.readFileSync('src/math.js', 'utf8').replace('a - b', 'a + b'));

switch (role) {
  case 'planner': {
    const spec = /^Spec file: (.+)$/m.exec(prompt)?.[1]?.trim();
    fs.mkdirSync(path.dirname(spec), { recursive: true });
    fs.writeFileSync(spec, '# Fix add\\n\\n## Objective\\nadd() must add.\\n');
    finish({ summary: 'Spec: make add() add.' });
    break;
  }
  case 'plan_reviewer':
    finish({ verdict: 'approve', summary: 'Good plan.', comments: [] });
    break;
  case 'worker':
    fixAdd();
    finish({ summary: 'add() adds.' });
    break;
  case 'fixer':
    fs.writeFileSync(record + '.fixer-prompt', prompt);
    // Told of a conflict with the base: merge it, keeping this branch's side.
    if (/conflicts with/.test(prompt)) {
      execFileSync('git', ['-c', 'user.name=Fixer', '-c', 'user.email=fixer@localhost', 'merge',
        '--no-edit', '-X', 'ours', 'origin/main'], { stdio: 'ignore' });
    }
    fixAdd();
    fs.appendFileSync('src/math.js', '// checked against CI\\n');
    finish({ summary: 'Made CI green.' });
    break;
  case 'reviewer':
    finish({ verdict: 'approve', summary: 'Correct.', comments: [] });
    break;
  default:
    process.exit(2);
}
`;

export const repoFiles = {
  'package.json': '{"type":"module","scripts":{"test":"node --test test/"}}\n',
  'src/math.js': 'export const add = (a, b) => a - b;\n',
  'test/math.test.js': [
    "import assert from 'node:assert/strict';",
    "import { test } from 'node:test';",
    "import { add } from '../src/math.js';",
    '',
    "test('add adds', () => assert.equal(add(2, 3), 5));",
    '',
  ].join('\n'),
};

export interface World {
  gh: GitHubEmulator;
  env: LooperEnv;
  dir: string;
  /** One JSON line per agent run: its role and environment. */
  record: string;
  close(): Promise<void>;
}

/** An emulated repo (alice may write, mallory only read), a daemon watching it, a scripted agent. */
export async function startWorld(
  options: {
    pollSecs?: number;
    labels?: boolean;
    projectToml?: string[];
    /** Lines after the project table, e.g. `['[loop]', 'auto-merge = true']`. */
    extraToml?: string[];
  } = {},
): Promise<World> {
  const gh = await startGitHubEmulator({ tokens: { [TOKEN]: BOT } });
  const dir = tempDir('looper-gh-e2e-');
  const collaborators: Record<string, RepoRole> = {
    alice: 'write',
    mallory: 'read',
    [BOT]: 'write',
  };
  const repo = await gh.createRepo(REPO, { files: repoFiles, collaborators });
  if (options.labels) {
    for (const l of looperLabels) ensureLabel(gh.state, repo, l.name, l.color, l.description);
  }
  const agent = path.join(dir, 'agent.mjs');
  fs.writeFileSync(agent, agentSource);
  const record = path.join(dir, 'agent-runs.jsonl');
  const env = await createLooperEnv({
    env: {
      LOOPER_AGENT_VENDOR: 'custom',
      LOOPER_VENDORS_CUSTOM_COMMAND: process.execPath,
      LOOPER_VENDORS_CUSTOM_ARGS: JSON.stringify([agent]),
      LOOPER_AGENT_ENV_E2E_RECORD: record,
      // Neither the env token nor `github.token` may reach an agent.
      GITHUB_TOKEN: TOKEN,
      GH_TOKEN: TOKEN,
    },
    configToml: [
      '[daemon]',
      `poll-interval-secs = ${options.pollSecs ?? 3600}`,
      'shutdown-grace-secs = 1',
      '[github]',
      `api-url = "${gh.url}"`,
      `token = "${TOKEN}"`,
      `webhook-secret = "${SECRET}"`,
      `bot-login = "${BOT}"`,
      // Writes unspaced: these tests are about loops, not GitHub's pacing (test/github-write-burst).
      'write-spacing-ms = 0',
      '[[projects]]',
      `repo = "${REPO}"`,
      `clone-url = "${gh.cloneUrl(REPO)}"`,
      'checks = ["node --test test/"]',
      ...(options.projectToml ?? []),
      ...(options.extraToml ?? []),
      '',
    ].join('\n'),
  });
  const daemon = env.spawnDaemon();
  await waitForOutput(daemon, /listening on/);
  return {
    gh,
    env,
    dir,
    record,
    async close() {
      await env.cleanup();
      await gh.close();
    },
  };
}

/** Alice (or `actor`) labels issue `number` `looper:plan` and GitHub delivers the webhook. */
export async function labelByWebhook(
  w: World,
  number: number,
  actor = 'alice',
  deliveryId?: string,
) {
  w.gh.addLabel(REPO, number, 'looper:plan', actor);
  return deliverAbout(
    w,
    { event: 'issues', action: 'labeled', number, label: 'looper:plan', sender: actor },
    deliveryId,
  );
}

/** GitHub delivers the `event` it would send about the emulated repo now (a payload of REPO). */
export async function deliverAbout(
  w: World,
  input: Omit<WebhookPayloadInput, 'repo'>,
  deliveryId?: string,
) {
  const payload = await w.gh.webhookPayload({ repo: REPO, ...input });
  return deliverEvent(w, input.event, payload, deliveryId);
}

export function deliver(w: World, payload: Record<string, unknown>, deliveryId?: string) {
  return deliverEvent(w, 'issues', payload, deliveryId);
}

/** GitHub delivers `event` (signed) to the daemon; resolves with the daemon's answer. */
export async function deliverEvent(
  w: World,
  event: string,
  payload: Record<string, unknown>,
  deliveryId?: string,
) {
  const result = await w.gh.sendWebhook({
    url: `${w.env.url}/webhooks/github`,
    secret: SECRET,
    event,
    payload,
    ...(deliveryId ? { deliveryId } : {}),
  });
  const body = JSON.parse(result.body) as {
    data: { accepted: boolean; reason: string; loopId?: string };
  };
  return { status: result.status, deliveryId: result.deliveryId, ...body.data };
}

/**
 * Waits for the loop to end and its last effects to reach GitHub: the terminal `loop.stage` event is
 * announced before them (PR out of draft, state label, tracking comment), and the tracking comment
 * is the last, so the emulator is watched (with a deadline) until it shows the final stage.
 */
export async function finished(w: World, loopId: string, number: number, after = 0) {
  const events = await waitForStage(w.env, loopId, undefined, after);
  const last = events.filter((e) => e.type === 'loop.stage').at(-1)?.data ?? {};
  const stage = String(last.to);
  await eventually(
    () => issueCommentsBy(w.gh, number, BOT).map((c) => c.body),
    (bodies) => bodies.some((b) => b.includes(`stage: \`${stage}\``)),
    20_000,
  );
  return { events, stage, reason: last.reason ?? null };
}

/** The branch's commits in the emulator's repo, oldest first: "author <email>|subject". */
export function branchLog(gh: GitHubEmulator, branch: string): string[] {
  const out = git(
    gh.cloneUrl(REPO),
    'log',
    '--reverse',
    '--format=%an <%ae>|%s',
    `main..${branch}`,
  );
  return out.trim().split('\n');
}

export function stateLabelsOn(gh: GitHubEmulator, number: number): string[] {
  return gh.issue(REPO, number).labels.filter((l) => STATE_LABELS.includes(l));
}

export function issueCommentsBy(gh: GitHubEmulator, number: number, author: string) {
  return gh.repo(REPO).comments.filter((c) => c.number === number && c.author === author);
}

/**
 * Calls `handler` with each push to the emulator's repo (ref, sha, its index among all pushes)
 * before the push completes: a pre-receive hook in the bare repo tells this process, so whatever the
 * handler does (a check run, a person's comment, a commit on main) is there before Looper looks.
 */
export async function onPush(
  w: World,
  handler: (push: { ref: string; sha: string; index: number }) => Promise<void> | void,
): Promise<{ close(): Promise<void> }> {
  let index = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', async () => {
      for (const line of body.trim().split('\n')) {
        const [, sha = '', ref = ''] = line.split(' ');
        if (sha === '' || /^0+$/.test(sha)) continue;
        await handler({ ref, sha, index: ++index });
      }
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/push`;
  const hookScript = path.join(w.dir, 'pre-receive.mjs');
  fs.writeFileSync(
    hookScript,
    [
      "let input = '';",
      "process.stdin.on('data', (c) => { input += c; });",
      "process.stdin.on('end', async () => {",
      `  const response = await fetch(${JSON.stringify(url)}, { method: 'POST', body: input });`,
      '  process.exit(response.ok ? 0 : 1);',
      '});',
      '',
    ].join('\n'),
  );
  const hook = path.join(w.gh.cloneUrl(REPO), 'hooks', 'pre-receive');
  fs.writeFileSync(hook, `#!/bin/sh\nexec "${process.execPath}" "${hookScript}"\n`, {
    mode: 0o755,
  });
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

type CiVerdict = 'success' | 'failure' | Omit<CheckRunInput, 'name'> | null;

/** GitHub's CI for a test: `decide` says which check run `ci`, if any, reports on each push. */
export async function ciOnPush(
  w: World,
  decide: (push: { ref: string; sha: string; index: number }) => CiVerdict,
): Promise<{ pushes: { ref: string; sha: string }[]; close(): Promise<void> }> {
  const pushes: { ref: string; sha: string }[] = [];
  const hook = await onPush(w, (push) => {
    pushes.push({ ref: push.ref, sha: push.sha });
    const verdict = decide(push);
    if (verdict === null) return;
    const input = typeof verdict === 'string' ? { conclusion: verdict } : verdict;
    w.gh.addCheckRun(REPO, push.sha, { name: 'ci', ...input });
  });
  return { pushes, close: hook.close };
}

/**
 * The usual CI: Looper's spec push has no CI, its work push fails once ("1 test failed: add adds"),
 * every later head passes. `pushes` are the looper/ branch's shas in order.
 */
export async function startCi(w: World): Promise<{ pushes: string[]; close(): Promise<void> }> {
  const pushes: string[] = [];
  const ci = await ciOnPush(w, ({ ref, sha }) => {
    if (!ref.startsWith('refs/heads/looper/')) return null;
    pushes.push(sha);
    if (pushes.length === 1) return null;
    return pushes.length === 2
      ? { conclusion: 'failure', output: { title: '1 test failed: add adds' } }
      : 'success';
  });
  return { pushes, close: ci.close };
}
