// End to end, the GitHub-facing CLI: the built `looper` and `looperd` against the GitHub emulator.
// `looper project add|list|remove`, `looper run <issue-url>`, `looper webhook enable|status|disable`
// (the hook is created on the emulator and its generated secret verifies deliveries at once) and
// `looper doctor --json` with the vendor CLIs installed in node_modules/.bin.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  EventView,
  LoopView,
  ProjectRemovedView,
  ProjectView,
  WebhookDisableView,
  WebhookEnableView,
  WebhookStatusView,
} from '../src/api/index.js';
import { webhookEvents } from '../src/api/index.js';
import { looperLabels } from '../src/forge/index.js';
import { type GitHubEmulator, startGitHubEmulator } from './support/github-emulator/index.js';
import { ensureLabel } from './support/github-emulator/mutations.js';
import { api, readEvents } from './support/loop-events.js';
import { createLooperEnv, type LooperEnv, repoRoot, tempDir } from './support/looper-harness.js';

const TOKEN = 'ghp_e2eGitHubCliToken0123456789abcdef';
const BOT = 'looper-bot';
const APP = 'acme/app';

interface DoctorJson {
  ok: boolean;
  checks: { check: string; status: string; detail: string; data?: Record<string, unknown> }[];
}

let gh: GitHubEmulator;
let env: LooperEnv;
let binDir: string;

beforeAll(async () => {
  gh = await startGitHubEmulator({ tokens: { [TOKEN]: BOT } });
  gh.state.scopes = new Map([[BOT, 'repo, admin:repo_hook']]);
  const app = await gh.createRepo(APP, { collaborators: { [BOT]: 'admin', alice: 'write' } });
  // Labels exist already: creating them at start is a second of write spacing each.
  for (const l of looperLabels) ensureLabel(gh.state, app, l.name, l.color, l.description);
  await gh.createRepo('acme/lib', { defaultBranch: 'trunk', collaborators: { [BOT]: 'write' } });
  await gh.createRepo('acme/secret', { private: true });
  const dir = tempDir('looper-gh-cli-');
  // An agent that waits to be cancelled: these tests only start loops.
  const agent = path.join(dir, 'agent.mjs');
  fs.writeFileSync(agent, 'setTimeout(() => {}, 600_000);\n');
  // A stand-in `gh` on PATH, so `webhook enable` without --url prints the forward command.
  binDir = path.join(dir, 'bin');
  fs.mkdirSync(binDir);
  fs.writeFileSync(path.join(binDir, 'gh'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  env = await createLooperEnv({
    env: {
      PATH: [path.join(repoRoot, 'node_modules', '.bin'), process.env.PATH].join(path.delimiter),
      LOOPER_AGENT_VENDOR: 'custom',
      LOOPER_VENDORS_CUSTOM_COMMAND: process.execPath,
      LOOPER_VENDORS_CUSTOM_ARGS: JSON.stringify([agent]),
    },
    configToml: [
      '[daemon]',
      'poll-interval-secs = 3600',
      'shutdown-grace-secs = 1',
      '[github]',
      `api-url = "${gh.url}"`,
      `token = "${TOKEN}"`,
      `bot-login = "${BOT}"`,
      '[[projects]]',
      `repo = "${APP}"`,
      `clone-url = "${gh.cloneUrl(APP)}"`,
      'checks = ["node -e 0"]',
      '',
    ].join('\n'),
  });
  fs.chmodSync(env.env.LOOPER_CONFIG ?? '', 0o600);
}, 60_000);

afterAll(async () => {
  await env?.cleanup();
  await gh?.close();
});

describe('looper project', () => {
  it('adds a GitHub project checked through the gateway, keeps it across a restart, removes it', async () => {
    const added = await env.json<ProjectView>([
      'project',
      'add',
      'acme/lib',
      '--check',
      'npm test',
    ]);
    expect(added.code).toBe(0);
    expect(added.data).toMatchObject({
      forge: 'github',
      repo: 'acme/lib',
      base_branch: 'trunk',
      checks: ['npm test'],
      source: 'api',
      active_loops: 0,
    });
    const again = await env.cli(['project', 'add', 'acme/lib']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('acme/lib is already a project');

    const hidden = await env.cli(['project', 'add', 'acme/secret']);
    expect(hidden.code).toBe(2);
    expect(hidden.stderr).toContain('cannot read acme/secret on GitHub with the configured token');
    const malformed = await env.json(['project', 'add', 'https://github.com/acme/lib']);
    expect(malformed.code).toBe(2);

    expect((await env.cli(['daemon', 'stop'])).code).toBe(0);
    expect((await env.cli(['status'])).code).toBe(0);
    const listed = await env.json<ProjectView[]>(['project', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.data.map((p) => [p.repo, p.source])).toEqual([
      [APP, 'config'],
      ['acme/lib', 'api'],
    ]);

    const refused = await env.cli(['project', 'remove', APP]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('comes from [[projects]]');
    const removed = await env.json<ProjectRemovedView>(['project', 'remove', 'acme/lib']);
    expect(removed.code).toBe(0);
    expect(removed.data.project).toMatchObject({ id: added.data.id, repo: 'acme/lib' });
    const after = await env.json<ProjectView[]>(['project', 'list']);
    expect(after.data.map((p) => p.repo)).toEqual([APP]);
    expect(gh.violations).toEqual([]);
  });
});

describe('looper run <issue-url>', () => {
  it('starts the issue loop of a known project on the manual queue, once', async () => {
    const issue = gh.createIssue(APP, { title: 'Fix add', body: 'add() subtracts.' });
    const url = `${gh.url}/${APP}/issues/${issue.number}`;

    const started = await env.json<LoopView>(['run', url]);
    expect(started.code).toBe(0);
    expect(started.data).toMatchObject({
      kind: 'issue',
      number: issue.number,
      title: 'Fix add',
      project: { repo: APP },
    });
    const loopId = started.data.id;
    const duplicate = await env.cli(['run', url]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain(`already has an active loop (${loopId})`);
    const unknown = await env.cli(['run', `${gh.url}/acme/other/issues/1`]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('looper project add acme/other');
    const withTitle = await env.cli(['run', url, '--title', 'T']);
    expect(withTitle.code).toBe(2);

    // Cancelled once its agent runs: a cancel racing the worktree's creation is another matter.
    await readEvents(env, { loopId }, (e) => e.type === 'run.started');
    const cancelled = await env.cli(['run', 'cancel', loopId]);
    expect(cancelled).toMatchObject({ code: 0, stderr: '' });
    const events = await api<EventView[]>(env, `/events?loop=${loopId}`);
    expect(events.find((e) => e.type === 'loop.created')?.data).toMatchObject({
      number: issue.number,
      queue: 'manual',
      source: 'api',
    });
    expect(gh.violations).toEqual([]);
  });

  it('run --repo owner/name --title opens the issue on GitHub and starts its loop', async () => {
    const started = await env.json<LoopView>([
      'run',
      '--repo',
      APP,
      '--title',
      'Round prices',
      '--body',
      'Prices show too many decimals.',
    ]);
    expect(started.code).toBe(0);
    const issue = gh.issue(APP, started.data.number);
    expect(issue).toMatchObject({
      title: 'Round prices',
      body: 'Prices show too many decimals.',
      author: BOT,
    });
    // No trigger label: nothing else starts a second loop for it.
    expect(issue.labels).not.toContain('looper:plan');
    expect(started.data).toMatchObject({ kind: 'issue', project: { repo: APP } });
    const unknown = await env.cli(['run', '--repo', 'acme/nowhere', '--title', 'T']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('looper project add acme/nowhere');
    await readEvents(env, { loopId: started.data.id }, (e) => e.type === 'run.started');
    expect((await env.cli(['run', 'cancel', started.data.id])).code).toBe(0);
    expect(gh.violations).toEqual([]);
  });
});

describe('looper webhook', () => {
  it('enable creates the hook with a generated secret looperd verifies; disable removes it', async () => {
    const receiver = `${env.url}/webhooks/github`;
    const ping = (secret: string) =>
      gh.sendWebhook({ url: receiver, secret, event: 'ping', payload: { zen: 'Hi.', hook_id: 1 } });
    expect((await ping('anything')).status).toBe(403);

    const enabled = await env.json<WebhookEnableView>([
      'webhook',
      'enable',
      '--repo',
      APP,
      '--url',
      'https://looper.example.com',
    ]);
    expect(enabled.code).toBe(0);
    expect(enabled.data).toMatchObject({
      repo: APP,
      created: true,
      manual: null,
      hook: { url: 'https://looper.example.com/webhooks/github', events: [...webhookEvents] },
      secret: { source: 'file', file: path.join(env.home, 'webhook-secret') },
    });
    const secretFile = path.join(env.home, 'webhook-secret');
    expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
    const secret = fs.readFileSync(secretFile, 'utf8').trim();
    const hooks = gh.repo(APP).hooks ?? [];
    expect(hooks.map((h) => [h.url, h.contentType, h.secret])).toEqual([
      ['https://looper.example.com/webhooks/github', 'json', secret],
    ]);
    expect((await ping(secret)).status).toBe(202);
    expect((await ping('wrong-secret')).status).toBe(401);

    const again = await env.json<WebhookEnableView>([
      'webhook',
      'enable',
      '--url',
      'https://looper.example.com',
    ]);
    expect(again.data).toMatchObject({ created: false, hook: { id: enabled.data.hook?.id } });
    const status = await env.json<WebhookStatusView[]>(['webhook', 'status']);
    expect(status.data).toMatchObject([
      { repo: APP, error: null, hooks: [{ id: enabled.data.hook?.id, active: true }] },
    ]);

    const disabled = await env.json<WebhookDisableView>(['webhook', 'disable', '--repo', APP]);
    expect(disabled.code).toBe(0);
    expect(disabled.data.removed.map((h) => h.id)).toEqual([enabled.data.hook?.id]);
    expect(gh.repo(APP).hooks).toEqual([]);
    expect(gh.violations).toEqual([]);
  });

  it('without --url or without admin it says what to configure by hand', async () => {
    const withGh = { PATH: `${binDir}${path.delimiter}${env.env.PATH}` };
    const local = await env.json<WebhookEnableView & { forward_command: string | null }>(
      ['webhook', 'enable', '--repo', APP],
      withGh,
    );
    expect(local.code).toBe(0);
    expect(local.data.manual).toMatchObject({
      payload_url: null,
      content_type: 'application/json',
    });
    expect(local.data.forward_command).toBe(
      `gh webhook forward --repo=${APP} --events=${webhookEvents.join(',')} ` +
        `--url=${env.url}/webhooks/github --secret="$(cat ${path.join(env.home, 'webhook-secret')})"`,
    );
    const text = await env.cli(['webhook', 'enable', '--repo', APP], withGh);
    expect(text.stdout).toContain('Content type  application/json');
    expect(text.stdout).toContain(
      `Secret        the contents of ${path.join(env.home, 'webhook-secret')}`,
    );

    expect((await env.cli(['project', 'add', 'acme/lib'])).code).toBe(0);
    const notAdmin = await env.json<WebhookEnableView>([
      'webhook',
      'enable',
      '--repo',
      'acme/lib',
      '--url',
      'https://looper.example.com',
    ]);
    expect(notAdmin.code).toBe(1);
    expect(notAdmin.data.manual?.payload_url).toBe('https://looper.example.com/webhooks/github');
    expect(notAdmin.data.manual?.reason).toContain('admin on the repository is needed');
    expect(gh.repo('acme/lib').hooks ?? []).toEqual([]);
    expect((await env.cli(['project', 'remove', 'acme/lib'])).code).toBe(0);
    expect(gh.violations).toEqual([]);
  });
});

describe('looper doctor', () => {
  it('reports git, config, database, daemon, GitHub and every vendor CLI as JSON', async () => {
    const home = tempDir('looper-doctor-home-');
    fs.mkdirSync(path.join(home, '.codex'));
    fs.writeFileSync(path.join(home, '.codex', 'auth.json'), '{}');

    const doctor = await env.json<DoctorJson>(['doctor'], {
      HOME: home,
      ANTHROPIC_API_KEY: 'sk-ant-test',
    });

    expect(doctor.code).toBe(0);
    expect(doctor.data.ok).toBe(true);
    const byName = new Map(doctor.data.checks.map((c) => [c.check, c]));
    expect(byName.get('git')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^\d+\.\d+/),
    });
    expect(byName.get('config')).toMatchObject({
      status: 'ok',
      data: { file: env.env.LOOPER_CONFIG },
    });
    expect(byName.get('database')).toMatchObject({ status: 'ok', data: { pending: [] } });
    expect(byName.get('daemon')).toMatchObject({ status: 'ok', data: { running: true } });
    expect(byName.get('github token')).toMatchObject({
      status: 'ok',
      data: { source: 'github.token' },
    });
    expect(byName.get('github user')).toMatchObject({
      status: 'ok',
      data: { login: BOT, scopes: ['repo', 'admin:repo_hook'] },
    });
    const rate = byName.get('github rate limit');
    expect(rate).toMatchObject({ status: 'ok', data: { limit: 5000 } });
    expect(rate?.data?.remaining).toBeGreaterThan(0);
    expect(byName.get(`github ${APP}`)).toMatchObject({ status: 'ok' });
    expect(byName.get('vendor claude-code')?.data).toMatchObject({
      found: true,
      version: expect.stringContaining('Claude Code'),
      logged_in: true,
      login: 'ANTHROPIC_API_KEY',
    });
    expect(byName.get('vendor codex')?.data).toMatchObject({
      found: true,
      logged_in: true,
      login: path.join(home, '.codex', 'auth.json'),
    });
    for (const vendor of ['opencode', 'gemini']) {
      expect(byName.get(`vendor ${vendor}`)?.data).toMatchObject({
        found: true,
        version: expect.stringMatching(/\d+\.\d+/),
      });
    }
    expect(byName.get('vendor cursor')?.data).toMatchObject({ found: false, needed: 'unused' });
    expect(byName.get('vendor custom')).toMatchObject({
      status: 'ok',
      data: { needed: 'primary' },
    });
    expect(JSON.stringify(doctor.data)).not.toContain(TOKEN);
  }, 60_000);

  it('fails (exit 1) when a vendor the config runs is missing, one line per check', async () => {
    const doctor = await env.cli(['doctor'], { LOOPER_AGENT_VENDOR: 'cursor' });

    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/^fail +vendor cursor +cursor-agent not found on PATH/m);
    expect(doctor.stdout).toMatch(/^ok +git +\d/m);
    expect(doctor.stdout).not.toContain(TOKEN);
  }, 60_000);
});
