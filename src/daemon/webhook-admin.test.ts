import { describe, expect, it } from 'vitest';
import { isLooperHook, payloadUrl } from './webhook-admin.js';

describe('payloadUrl', () => {
  it('adds /webhooks/github to a public base URL, keeping a path in front of it', () => {
    expect(payloadUrl('https://looper.example.com')).toBe(
      'https://looper.example.com/webhooks/github',
    );
    expect(payloadUrl('https://proxy.example.com/looper/')).toBe(
      'https://proxy.example.com/looper/webhooks/github',
    );
    expect(payloadUrl('https://x.ngrok.app/webhooks/github')).toBe(
      'https://x.ngrok.app/webhooks/github',
    );
  });
});

describe('isLooperHook', () => {
  it('recognises hooks pointing at a Looper receiver, or exactly at the given URL', () => {
    expect(isLooperHook({ url: 'https://a.example/webhooks/github' })).toBe(true);
    expect(isLooperHook({ url: 'https://ci.example/hook' })).toBe(false);
    expect(isLooperHook({ url: 'not a url' })).toBe(false);
    expect(isLooperHook({ url: 'https://a.example/webhooks/github' }, 'https://b.example')).toBe(
      false,
    );
    expect(isLooperHook({ url: 'https://b.example/webhooks/github' }, 'https://b.example')).toBe(
      true,
    );
  });
});
