import { createRequire } from 'node:module';
import { sign } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { createApiApp } from './app.js';
import { FakeService } from './fake-service.test-support.js';
import type { WebhookDelivery, WebhookReceiver } from './webhooks.js';

const require = createRequire(import.meta.url);
const examples = require('@octokit/webhooks-examples') as {
  name: string;
  examples: Record<string, unknown>[];
}[];
const labeled = examples
  .find((e) => e.name === 'issues')
  ?.examples.find((x) => x.action === 'labeled');

const secret = 'webhook-secret-for-tests';

function appWith(receiver: WebhookReceiver) {
  return createApiApp({
    service: new FakeService(),
    token: 'api-token-api-token',
    host: '127.0.0.1',
    port: 7391,
    version: 't',
    webhooks: receiver,
  });
}

function recorder(): WebhookReceiver & { seen: WebhookDelivery[] } {
  const seen: WebhookDelivery[] = [];
  return {
    secret,
    seen,
    receive: async (d) => {
      seen.push(d);
      return { accepted: true, reason: 'queued' };
    },
  };
}

async function deliver(
  app: ReturnType<typeof appWith>,
  body: string,
  headers: Record<string, string>,
) {
  return app.request('/webhooks/github', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', host: 'tunnel.example', ...headers },
  });
}

describe('POST /webhooks/github', () => {
  it('accepts a delivery signed like GitHub signs it, whatever the Host', async () => {
    const receiver = recorder();
    const body = JSON.stringify(labeled);
    const response = await deliver(appWith(receiver), body, {
      'x-hub-signature-256': await sign(secret, body),
      'x-github-event': 'issues',
      'x-github-delivery': 'd-1',
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ ok: true, data: { accepted: true, reason: 'queued' } });
    expect(receiver.seen).toHaveLength(1);
    expect(receiver.seen[0]).toMatchObject({
      id: 'd-1',
      event: 'issues',
      payload: { action: 'labeled' },
    });
  });

  it('refuses a bad or missing signature with 401 and does nothing', async () => {
    const receiver = recorder();
    const app = appWith(receiver);
    const body = JSON.stringify(labeled);
    const forged = await deliver(app, body, {
      'x-hub-signature-256': await sign('wrong-secret', body),
      'x-github-event': 'issues',
      'x-github-delivery': 'd-2',
    });
    expect(forged.status).toBe(401);
    const unsigned = await deliver(app, body, {
      'x-github-event': 'issues',
      'x-github-delivery': 'd-3',
    });
    expect(unsigned.status).toBe(401);
    const tampered = await deliver(app, body.replace('labeled', 'unlabeled'), {
      'x-hub-signature-256': await sign(secret, body),
      'x-github-event': 'issues',
      'x-github-delivery': 'd-4',
    });
    expect(tampered.status).toBe(401);
    expect(receiver.seen).toHaveLength(0);
  });

  it('answers 403 when no webhook secret is configured', async () => {
    const response = await deliver(
      appWith({ secret: '', receive: async () => ({ accepted: true, reason: '' }) }),
      '{}',
      {
        'x-hub-signature-256': await sign('x', '{}'),
        'x-github-event': 'ping',
        'x-github-delivery': 'd',
      },
    );
    expect(response.status).toBe(403);
  });
});
