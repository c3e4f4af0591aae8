import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessGroupAlive, runProcess } from '../agents/index.js';
import type { AppendEvent, EventRecord } from '../store/index.js';
import {
  createWebhookForwarder,
  ghMissing,
  type WebhookForwarder,
  type WebhookForwarderDeps,
} from './webhook-forwarder.js';

const SECRET = 'fwd-secret-0123456789';
const URL = 'http://127.0.0.1:7391/webhooks/github';

/** A fake `gh`: records its argv, prints the secret it was given, then acts out FAKE_GH_MODE. */
const fakeGh = `
import fs from 'node:fs';
const args = process.argv.slice(2);
const looperVars = Object.keys(process.env).filter((k) => k.startsWith('LOOPER_'));
fs.appendFileSync(process.env.FAKE_GH_RECORD, JSON.stringify({ args, looperVars }) + '\\n');
const secret = (args.find((a) => a.startsWith('--secret=')) ?? '').slice('--secret='.length);
console.log('Forwarding Webhook events from GitHub...');
console.error('[LOG] signing with ' + secret);
switch (process.env.FAKE_GH_MODE) {
  case 'crash': process.exit(3);
  case 'no-extension':
    console.error('unknown command "webhook" for "gh"');
    process.exit(1);
  default: setInterval(() => {}, 1000);
}
`;

let dir: string;
let forwarder: WebhookForwarder | null = null;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(dir, 'fake-gh.mjs'), fakeGh);
  fs.writeFileSync(
    path.join(bin, 'gh'),
    `#!/bin/sh\nexec "${process.execPath}" "${path.join(dir, 'fake-gh.mjs')}" "$@"\n`,
    { mode: 0o755 },
  );
});

afterEach(async () => {
  await forwarder?.stopAll();
  forwarder = null;
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Logged {
  data: Record<string, unknown>;
  message: string;
}

/** A forwarder whose events and log lines are kept; `until` resolves once a condition holds. */
function setup(mode: string, overrides: Partial<WebhookForwarderDeps> = {}) {
  const events: EventRecord[] = [];
  const logged: Logged[] = [];
  const waiters: Array<{ holds: () => boolean; resolve: () => void }> = [];
  const changed = () => {
    for (const w of waiters.splice(0)) {
      if (w.holds()) w.resolve();
      else waiters.push(w);
    }
  };
  const at = (data: object, message: string) => {
    logged.push({ data: data as Record<string, unknown>, message });
    changed();
  };
  forwarder = createWebhookForwarder({
    dataDir: dir,
    env: {
      PATH: path.join(dir, 'bin'),
      FAKE_GH_MODE: mode,
      FAKE_GH_RECORD: path.join(dir, 'argv.jsonl'),
      LOOPER_GITHUB_TOKEN: 'ghp_never_for_gh',
    },
    receiverUrl: () => URL,
    secret: () => SECRET,
    githubHost: null,
    events: {
      async emit(input: AppendEvent) {
        const event = { id: events.length + 1, at: 0, loopId: null, ...input } as EventRecord;
        events.push(event);
        changed();
        return event;
      },
    },
    log: { info: at, warn: at, error: at },
    clock: { now: () => Date.now() },
    runProcess,
    backoff: { initialMs: 10, maxMs: 40 },
    ...overrides,
  });
  const until = (holds: () => boolean) =>
    new Promise<void>((resolve) => {
      if (holds()) resolve();
      else waiters.push({ holds, resolve });
    });
  /** The first event of `type`, once there is one. */
  const next = async (type: string) => {
    await until(() => events.some((e) => e.type === type));
    return events.find((e) => e.type === type) as EventRecord;
  };
  return { forwarder, events, logged, until, next };
}

const exits = (events: EventRecord[]) => events.filter((e) => e.type === 'webhook.forward.exited');

describe('the gh webhook forward supervisor', () => {
  it('runs gh with the repo, events, receiver and secret, without Looper variables', async () => {
    const { forwarder, logged, until, next } = setup('run');

    const view = forwarder.start('acme/app');
    const started = await next('webhook.forward.started');
    // The fake prints this after it has recorded its arguments.
    await until(() => logged.some((l) => String(l.data.line).startsWith('Forwarding Webhook')));

    expect(view).toMatchObject({ state: 'running', url: URL, restarts: 0 });
    expect(started.data).toEqual({ repo: 'acme/app', pid: view.pid, url: URL });
    const record = JSON.parse(fs.readFileSync(path.join(dir, 'argv.jsonl'), 'utf8'));
    expect(record.looperVars).toEqual([]);
    expect(record.args).toEqual([
      'webhook',
      'forward',
      '--repo=acme/app',
      '--events=issues,issue_comment,pull_request,pull_request_review,pull_request_review_comment,check_run,check_suite,status',
      `--url=${URL}`,
      `--secret=${SECRET}`,
    ]);
    expect(forwarder.start('acme/app').pid).toBe(view.pid);
  });

  it('restarts an exiting gh after a doubling delay up to the cap, the secret masked', async () => {
    const { forwarder, events, logged, until } = setup('crash');

    forwarder.start('acme/app');
    await until(() => exits(events).length >= 4);

    expect(exits(events).map((e) => [e.data.exit_code, e.data.restart_delay_ms])).toEqual([
      [3, 10],
      [3, 20],
      [3, 40],
      [3, 40],
    ]);
    expect(events.filter((e) => e.type === 'webhook.forward.started').length).toBeGreaterThan(3);
    const everything = JSON.stringify({ events, logged });
    expect(everything).not.toContain(SECRET);
    expect(everything).toContain('[LOG] signing with ***');
  });

  it('stops the whole process group on stop and says so', async () => {
    const { forwarder, events } = setup('run');
    const { pid } = forwarder.start('acme/app');

    expect(await forwarder.stop('acme/app')).toBe(true);

    expect(isProcessGroupAlive(pid ?? 0)).toBe(false);
    expect(exits(events).at(-1)?.data).toMatchObject({
      repo: 'acme/app',
      pid,
      restart_delay_ms: null,
      reason: 'stopped',
    });
    expect(forwarder.status('acme/app')).toBeNull();
    expect(await forwarder.stop('acme/app')).toBe(false);
  });

  it('does not restart when gh is missing or has no webhook extension', async () => {
    const missing = setup('run', { env: { PATH: path.join(dir, 'nowhere') } });
    expect(missing.forwarder.start('acme/app')).toMatchObject({
      state: 'unavailable',
      reason: ghMissing,
    });
    expect(missing.events).toEqual([]);
    await missing.forwarder.stopAll();

    const bare = setup('no-extension');
    bare.forwarder.start('acme/app');
    const exited = await bare.next('webhook.forward.exited');

    expect(exited.data).toMatchObject({ exit_code: 1, restart_delay_ms: null });
    expect(String(exited.data.reason)).toContain('gh extension install cli/gh-webhook');
    expect(bare.forwarder.status('acme/app')).toMatchObject({ state: 'unavailable', pid: null });
    expect(bare.events.filter((e) => e.type === 'webhook.forward.started')).toHaveLength(1);
  });
});
