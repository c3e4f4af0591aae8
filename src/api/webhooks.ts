// `POST /webhooks/github`: GitHub's deliveries. Verified by the HMAC signature over the raw body (a
// bad or missing one → 401 and nothing happens), not by the bearer token or the Host header, since
// deliveries arrive through a tunnel or a proxy. The receiver de-duplicates by delivery id.
import { verify } from '@octokit/webhooks-methods';
import type { Context } from 'hono';
import { LooperError } from '../domain/index.js';
import type { ApiLogger } from './errors.js';
import { errorResponse } from './errors.js';

export interface WebhookDelivery {
  id: string;
  event: string;
  payload: Record<string, unknown>;
}

export interface WebhookOutcome {
  /** False for a duplicate delivery or an event Looper does not act on. */
  accepted: boolean;
  reason: string;
}

export interface WebhookReceiver {
  /** The configured secret; empty means webhooks are not configured. */
  secret: string;
  receive(delivery: WebhookDelivery): Promise<WebhookOutcome>;
}

const maxWebhookBytes = 25 * 1024 * 1024;

export function webhookHandler(receiver: WebhookReceiver, logger?: ApiLogger) {
  return async (c: Context) => {
    try {
      if (receiver.secret === '') {
        throw new LooperError(
          'forbidden',
          'webhooks are not configured: set github.webhook-secret or run `looper webhook enable`',
        );
      }
      const length = Number(c.req.header('content-length') ?? 0);
      if (length > maxWebhookBytes)
        throw new LooperError('bad_request', 'webhook body is too large');
      const raw = await c.req.text();
      const signature = c.req.header('x-hub-signature-256') ?? '';
      if (signature === '' || !(await verify(receiver.secret, raw, signature))) {
        throw new LooperError('unauthorized', 'missing or invalid X-Hub-Signature-256');
      }
      const id = c.req.header('x-github-delivery') ?? '';
      const event = c.req.header('x-github-event') ?? '';
      if (id === '' || event === '')
        throw new LooperError('bad_request', 'missing X-GitHub-Delivery or X-GitHub-Event');
      let payload: unknown;
      try {
        payload = JSON.parse(raw);
      } catch {
        throw new LooperError('bad_request', 'webhook body is not JSON');
      }
      if (typeof payload !== 'object' || payload === null)
        throw new LooperError('bad_request', 'webhook body is not an object');
      const outcome = await receiver.receive({
        id,
        event,
        payload: payload as Record<string, unknown>,
      });
      return c.json({ ok: true, data: outcome }, 202);
    } catch (error) {
      return errorResponse(c, error, logger);
    }
  };
}
