import { describe, expect, it } from 'vitest';
import type { WebhookEnableView, WebhookForwardView, WebhookManualView } from '../api/index.js';
import { projectRequest } from './project-actions.js';
import { forwardCommand, forwardLine, manualText, statusText } from './webhook-actions.js';

const manual: WebhookManualView = {
  reason: 'no public URL given',
  payload_url: null,
  content_type: 'application/json',
  events: ['issues', 'issue_comment'],
  secret: { source: 'file', file: '/home/me/.looper/webhook-secret' },
};

describe('webhook output', () => {
  it('builds the gh webhook forward command with the secret read from its file', () => {
    expect(forwardCommand(manual, 'acme/app', 'http://127.0.0.1:7391/webhooks/github')).toBe(
      'gh webhook forward --repo=acme/app --events=issues,issue_comment ' +
        '--url=http://127.0.0.1:7391/webhooks/github --secret="$(cat /home/me/.looper/webhook-secret)"',
    );
  });

  it('lists what to configure by hand, without the secret itself', () => {
    const view: WebhookEnableView = {
      repo: 'acme/app',
      created: false,
      hook: null,
      secret: manual.secret,
      manual,
      forward: null,
    };

    const text = manualText(view, null);

    expect(text).toContain('Looper did not create a webhook on acme/app: no public URL given');
    expect(text).toContain('Payload URL   <public URL of your tunnel or proxy>/webhooks/github');
    expect(text).toContain('Content type  application/json');
    expect(text).toContain('Secret        the contents of /home/me/.looper/webhook-secret');
    expect(text).toContain('Events        issues, issue_comment');
    expect(text).not.toContain('gh webhook forward');
  });

  it('shows each hook with its last delivery, or why none could be listed', () => {
    const text = statusText([
      {
        repo: 'acme/app',
        secret: { source: 'config', file: '/d/webhook-secret' },
        hooks: [
          {
            id: 7,
            url: 'https://x.example/webhooks/github',
            active: true,
            events: ['issues'],
            last_response: { code: 200, status: 'active', message: 'OK' },
            created_at: null,
          },
        ],
        error: null,
        forward: null,
      },
      {
        repo: 'acme/lib',
        secret: manual.secret,
        hooks: [],
        error: 'cannot list webhooks',
        forward: null,
      },
    ]);

    expect(text).toBe(
      [
        'acme/app  secret: github.webhook-secret',
        '  7  active  https://x.example/webhooks/github  last delivery 200 active',
        'acme/lib  secret: /home/me/.looper/webhook-secret',
        '  cannot list webhooks',
      ].join('\n'),
    );
  });
});

describe('the gh webhook forward line', () => {
  const running: WebhookForwardView = {
    state: 'running',
    pid: 4242,
    url: 'http://127.0.0.1:7391/webhooks/github',
    started_at: '2026-01-02T03:04:05.000Z',
    restarts: 0,
    last_exit: null,
    restart_delay_ms: null,
    reason: null,
  };

  it('shows the running pid, the restarts and the last exit', () => {
    expect(forwardLine(running)).toBe(
      'forward: gh webhook forward running (pid 4242, since 2026-01-02T03:04:05.000Z, 0 restart(s)) → http://127.0.0.1:7391/webhooks/github',
    );
    const exit = { exit_code: 1, signal: null, at: '2026-01-02T03:00:00.000Z', stderr_tail: '' };
    expect(forwardLine({ ...running, restarts: 2, last_exit: exit })).toContain(
      '2 restart(s), last exit code 1 at 2026-01-02T03:00:00.000Z',
    );
  });

  it('says when it restarts and why gh exited, or why it cannot run', () => {
    const exit = {
      exit_code: 1,
      signal: null,
      at: '2026-01-02T03:00:00.000Z',
      stderr_tail: 'first\nerror activating hook',
    };
    expect(
      forwardLine({
        ...running,
        state: 'restarting',
        pid: null,
        last_exit: exit,
        restart_delay_ms: 4000,
      }),
    ).toBe('forward: gh webhook forward exited (code 1: error activating hook); restarting in 4s');
    expect(
      forwardLine({ ...running, state: 'unavailable', pid: null, reason: 'gh is missing' }),
    ).toBe('forward: not running: gh is missing');
  });

  it('appears under the repository in webhook status, which is then not polling only', () => {
    const text = statusText([
      {
        repo: 'acme/app',
        secret: manual.secret,
        hooks: [],
        error: null,
        forward: running,
      },
    ]);

    expect(text.split('\n')).toEqual([
      'acme/app  secret: /home/me/.looper/webhook-secret',
      '  no webhook points at Looper',
      `  ${forwardLine(running)}`,
    ]);
  });
});

describe('projectRequest', () => {
  it('takes owner/name as a GitHub repo and anything else as a path', () => {
    expect(projectRequest('acme/app', { check: ['npm test'], base: 'dev' }, '/tmp')).toEqual({
      repo: 'acme/app',
      checks: ['npm test'],
      base_branch: 'dev',
    });
    expect(projectRequest('acme/app', { path: 'clone' }, '/src')).toEqual({
      repo: 'acme/app',
      path: '/src/clone',
    });
    expect(projectRequest('.', {}, '/src/tool')).toEqual({ path: '/src/tool' });
    expect(() => projectRequest('./tool', { path: 'x' }, '/src')).toThrow(/--path goes with/);
  });
});
