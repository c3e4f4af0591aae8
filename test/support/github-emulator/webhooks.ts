// Webhook deliveries like GitHub's: payloads from @octokit/webhooks-examples with the emulated repo,
// issue, PR, label and sender swapped in, signed `X-Hub-Signature-256: sha256=<hmac>` over the body.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { sign } from '@octokit/webhooks-methods';

type Json = Record<string, unknown>;

interface ExampleGroup {
  name: string;
  examples: Json[];
}

const require = createRequire(import.meta.url);
let examples: ExampleGroup[] | null = null;

/** A deep copy of the first example for `event` (and `action`, when the event has actions). */
export function examplePayload(event: string, action?: string): Json {
  examples ??= JSON.parse(
    fs.readFileSync(
      require.resolve('@octokit/webhooks-examples/api.github.com/index.json'),
      'utf8',
    ),
  ) as ExampleGroup[];
  const group = examples.find((g) => g.name === event);
  const example = group?.examples.find((e) => action === undefined || e.action === action);
  if (!example) throw new Error(`no @octokit/webhooks-examples payload for ${event}.${action}`);
  return structuredClone(example);
}

export interface WebhookDelivery {
  url: string;
  secret: string;
  event: string;
  payload: Json;
  /** Reuse an id to simulate GitHub redelivering the same event. */
  deliveryId?: string;
  /** Send this signature instead of the right one (tests of rejection). */
  signature?: string | null;
}

export interface WebhookResult {
  status: number;
  deliveryId: string;
  body: string;
}

export async function sendWebhook(delivery: WebhookDelivery): Promise<WebhookResult> {
  const body = JSON.stringify(delivery.payload);
  const deliveryId = delivery.deliveryId ?? randomUUID();
  const signature =
    delivery.signature === undefined ? await sign(delivery.secret, body) : delivery.signature;
  const response = await fetch(delivery.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/emulator',
      'x-github-event': delivery.event,
      'x-github-delivery': deliveryId,
      'x-github-hook-id': '1',
      ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
    },
    body,
  });
  return { status: response.status, deliveryId, body: await response.text() };
}
