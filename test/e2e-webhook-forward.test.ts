// `looper webhook enable --forward`: the built looperd runs `gh webhook forward` (a fake gh first on
// PATH that, like the real one, POSTs signed deliveries to --url with --secret), admits what it
// delivers, restarts it when it exits, stops it with the daemon, and resumes it after a restart.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EventView,
  type WebhookDisableView,
  type WebhookEnableView,
  type WebhookStatusView,
  webhookEvents,
} from '../src/api/index.js';
import { looperLabels } from '../src/forge/index.js';
import { type GitHubEmulator, startGitHubEmulator } from './support/github-emulator/index.js';
import { ensureLabel } from './support/github-emulator/mutations.js';
import { BOT, REPO, repoFiles, TOKEN } from './support/github-loop-world.js';
import { eventually, readEvents, waitForFile } from './support/loop-events.js';
import {
  createLooperEnv,
  type LooperEnv,
  tempDir,
  waitForOutput,
} from './support/looper-harness.js';

/**
 * The fake gh. `webhook forward --help` answers like the installed extension. Otherwise each run
 * appends its argv to runs.jsonl; the first POSTs delivery.json to --url signed with --secret,
 * writes the answer to answer.json and exits 1 (a dropped connection); later runs write
 * running-<n>.json and stay until they are stopped. It prints the secret on stderr, which
 * looperd must mask in its log.
 */
const fakeGh = `
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log('Receive test events locally');
  process.exit(0);
}
const dir = process.env.FAKE_GH_DIR;
const flag = (name) => (args.find((a) => a.startsWith('--' + name + '=')) ?? '').slice(name.length + 3);
const runs = path.join(dir, 'runs.jsonl');
const run = fs.existsSync(runs) ? fs.readFileSync(runs, 'utf8').trim().split('\\n').length + 1 : 1;
fs.appendFileSync(runs, JSON.stringify({ args, pid: process.pid }) + '\\n');
const publish = (name, value) => {
  fs.writeFileSync(path.join(dir, name + '.tmp'), JSON.stringify(value));
  fs.renameSync(path.join(dir, name + '.tmp'), path.join(dir, name));
};
console.log('Forwarding Webhook events from GitHub...');
console.error('[LOG] hook secret is ' + flag('secret'));
if (run === 1) {
  const body = fs.readFileSync(path.join(dir, 'delivery.json'), 'utf8');
  const signature = 'sha256=' + createHmac('sha256', flag('secret')).update(body).digest('hex');
  const response = await fetch(flag('url'), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'issues',
      'x-github-delivery': 'fake-gh-delivery-1',
      'x-hub-signature-256': signature,
    },
    body,
  });
  publish('answer.json', { status: response.status, body: await response.json() });
  console.error('error receiving json event: websocket: close 1006');
  process.exit(1);
}
publish('running-' + run + '.json', { pid: process.pid });
setInterval(() => {}, 1000);
`;

let gh: GitHubEmulator;
let env: LooperEnv;
let ghDir: string;
let binDir: string;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** [type, pid, exit_code, restart_delay_ms] of the forwarder's events. */
function forwardEvents(events: EventView[]) {
  return events
    .filter((e) => e.type.startsWith('webhook.forward.'))
    .map((e) => [e.type, e.data.pid, e.data.exit_code ?? null, e.data.restart_delay_ms ?? null]);
}

async function startDaemon(extraEnv: NodeJS.ProcessEnv = {}) {
  await waitForOutput(env.spawnDaemon(extraEnv), /listening on/);
}

/** The repositories looperd keeps forwarding (its choice file; none before the first choice). */
function forwardedRepos(): { repos: string[] } {
  const file = path.join(env.home, 'webhook-forward.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : { repos: [] };
}

function readRuns(): Array<{ args: string[]; pid: number }> {
  return fs
    .readFileSync(path.join(ghDir, 'runs.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

beforeAll(async () => {
  gh = await startGitHubEmulator({ tokens: { [TOKEN]: BOT } });
  const repo = await gh.createRepo(REPO, {
    files: repoFiles,
    collaborators: { alice: 'write', [BOT]: 'write' },
  });
  for (const l of looperLabels) ensureLabel(gh.state, repo, l.name, l.color, l.description);
  ghDir = tempDir('looper-fake-gh-');
  binDir = path.join(ghDir, 'bin');
  fs.mkdirSync(binDir);
  fs.writeFileSync(path.join(ghDir, 'fake-gh.mjs'), fakeGh);
  fs.writeFileSync(
    path.join(binDir, 'gh'),
    `#!/bin/sh\nexec "${process.execPath}" "${path.join(ghDir, 'fake-gh.mjs')}" "$@"\n`,
    { mode: 0o755 },
  );
  env = await createLooperEnv({
    env: {
      PATH: `${binDir}${path.delimiter}${process.env.PATH}`,
      FAKE_GH_DIR: ghDir,
      LOOPER_AGENT_VENDOR: 'custom',
      LOOPER_VENDORS_CUSTOM_COMMAND: process.execPath,
      // The loop is not the subject here: its agent idles until the daemon stops it.
      LOOPER_VENDORS_CUSTOM_ARGS: JSON.stringify(['-e', 'setInterval(() => {}, 1000)']),
    },
    // No webhook-secret: `enable --forward` generates one into the data dir.
    configToml: [
      '[daemon]',
      'poll-interval-secs = 3600',
      'shutdown-grace-secs = 1',
      '[github]',
      `api-url = "${gh.url}"`,
      `token = "${TOKEN}"`,
      `bot-login = "${BOT}"`,
      'write-spacing-ms = 0',
      '[[projects]]',
      `repo = "${REPO}"`,
      `clone-url = "${gh.cloneUrl(REPO)}"`,
      '',
    ].join('\n'),
  });
}, 30_000);

afterAll(async () => {
  await env?.cleanup();
  await gh?.close();
});

describe('looper webhook enable --forward', () => {
  it('runs gh webhook forward, admits what it delivers, restarts it, and stops it', async () => {
    await startDaemon();
    const issue = gh.createIssue(REPO, { title: 'Add must add', body: 'add() subtracts.' });
    gh.addLabel(REPO, issue.number, 'looper:plan', 'alice');
    const payload = await gh.webhookPayload({
      repo: REPO,
      event: 'issues',
      action: 'labeled',
      number: issue.number,
      label: 'looper:plan',
      sender: 'alice',
    });
    fs.writeFileSync(path.join(ghDir, 'delivery.json'), JSON.stringify(payload));
    const receiver = `${env.url}/webhooks/github`;

    const enabled = await env.json<WebhookEnableView>(['webhook', 'enable', '--forward']);

    expect(enabled.code).toBe(0);
    expect(enabled.data).toMatchObject({
      repo: REPO,
      manual: null,
      secret: { source: 'file', file: path.join(env.home, 'webhook-secret') },
      forward: { state: 'running', url: receiver },
    });
    const secret = fs.readFileSync(path.join(env.home, 'webhook-secret'), 'utf8').trim();
    // gh delivered; looperd verified the signature and admitted the trusted label.
    await waitForFile(path.join(ghDir, 'answer.json'), 20_000);
    const answer = JSON.parse(fs.readFileSync(path.join(ghDir, 'answer.json'), 'utf8'));
    expect(answer.status).toBe(202);
    expect(answer.body.data).toMatchObject({ accepted: true, loopId: expect.any(String) });
    // gh exited 1; looperd waited a second and started it again.
    await waitForFile(path.join(ghDir, 'running-2.json'), 20_000);
    const [first, second] = readRuns();
    expect(first?.args).toEqual([
      'webhook',
      'forward',
      `--repo=${REPO}`,
      `--events=${webhookEvents.join(',')}`,
      `--url=${receiver}`,
      `--secret=${secret}`,
      `--github-host=${new URL(gh.url).host}`,
    ]);
    expect(first?.pid).toBe(enabled.data.forward?.pid);
    expect(second?.args).toEqual(first?.args);
    const events = await readEvents(
      env,
      {},
      (e) => e.type === 'webhook.forward.started' && e.data.pid === second?.pid,
    );
    expect(forwardEvents(events)).toEqual([
      ['webhook.forward.started', first?.pid, null, null],
      ['webhook.forward.exited', first?.pid, 1, 1000],
      ['webhook.forward.started', second?.pid, null, null],
    ]);
    expect(events.find((e) => e.type === 'loop.created')?.data).toMatchObject({
      number: issue.number,
    });

    // Status shows the running gh and the exit before it.
    const status = await env.json<WebhookStatusView[]>(['webhook', 'status']);
    expect(status.data[0]?.forward).toMatchObject({
      state: 'running',
      pid: second?.pid,
      restarts: 1,
      last_exit: { exit_code: 1, signal: null },
    });
    expect(status.data[0]?.forward?.last_exit?.stderr_tail).toContain('hook secret is ***');
    const text = await env.cli(['webhook', 'status']);
    expect(text.stdout).toContain(`forward: gh webhook forward running (pid ${second?.pid}`);

    // gh's lines reach the daemon log with the secret masked; no event holds the secret either.
    const log = path.join(env.home, 'logs', 'looperd.log');
    await eventually(
      () => fs.readFileSync(log, 'utf8'),
      (t) => t.includes('hook secret is ***'),
    );
    expect(fs.readFileSync(log, 'utf8')).not.toContain(secret);
    expect(JSON.stringify(events)).not.toContain(secret);
    expect(JSON.stringify(status.data)).not.toContain(secret);

    // Stopping the daemon stops gh; the next start resumes forwarding (the choice is kept).
    expect((await env.cli(['daemon', 'stop'])).code).toBe(0);
    expect(alive(second?.pid ?? 0)).toBe(false);
    await startDaemon();
    await waitForFile(path.join(ghDir, 'running-3.json'), 20_000);
    const third = readRuns()[2];
    expect(third?.args).toEqual(first?.args);
    const afterRestart = await readEvents(
      env,
      {},
      (e) => e.type === 'webhook.forward.started' && e.data.pid === third?.pid,
    );
    expect(forwardEvents(afterRestart).slice(3)).toEqual([
      ['webhook.forward.exited', second?.pid, null, null],
      ['webhook.forward.started', third?.pid, null, null],
    ]);
    const stopped = afterRestart.find(
      (e) => e.type === 'webhook.forward.exited' && e.data.pid === second?.pid,
    );
    expect(stopped?.data.reason).toBe('stopped');

    // disable stops it and forgets the choice (listing hooks needs admin, which the bot lacks).
    const disabled = await env.json<WebhookDisableView>(['webhook', 'disable']);
    expect(disabled.code).toBe(0);
    expect(disabled.data).toEqual({ repo: REPO, removed: [], forward_stopped: true });
    expect(alive(third?.pid ?? 0)).toBe(false);
    expect(forwardedRepos()).toEqual({ repos: [] });
    const after = await env.json<WebhookStatusView[]>(['webhook', 'status']);
    expect(after.data[0]?.forward).toBeNull();
    expect((await env.cli(['daemon', 'stop'])).code).toBe(0);
    expect(gh.violations).toEqual([]);
  }, 60_000);

  it("says so when gh is not on looperd's PATH, and does not start anything", async () => {
    const nowhere = tempDir('looper-no-gh-');
    await startDaemon({ PATH: nowhere });

    const enabled = await env.cli(['webhook', 'enable', '--forward'], { PATH: nowhere });

    expect(enabled.code).toBe(1);
    expect(enabled.stderr).toContain("gh (the GitHub CLI) is not on looperd's PATH");
    expect(enabled.stderr).not.toMatch(/\n\s+at /);
    const status = await env.json<WebhookStatusView[]>(['webhook', 'status']);
    expect(status.data[0]?.forward).toBeNull();
    expect(forwardedRepos()).toEqual({ repos: [] });
    // Without --forward, enable prints the manual setup and says gh is missing.
    const manual = await env.cli(['webhook', 'enable'], { PATH: nowhere });
    expect(manual.code).toBe(0);
    expect(manual.stdout).toContain('gh (the GitHub CLI) is not on PATH');
    expect((await env.cli(['daemon', 'stop'])).code).toBe(0);
  }, 60_000);
});
