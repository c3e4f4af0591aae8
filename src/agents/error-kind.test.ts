import { describe, expect, it } from 'vitest';
import { classifyApiError } from './error-kind.js';

describe('classifyApiError', () => {
  it.each([
    // Claude Code
    [{ tag: 'rate_limit', message: 'Request rejected (429)' }, 'rate_limit'],
    [{ tag: 'billing_error', message: 'Credit balance is too low' }, 'quota'],
    [{ tag: 'authentication_failed', message: 'Invalid API key' }, 'auth'],
    // Codex
    [{ message: 'exceeded retry limit, last status: 429 Too Many Requests' }, 'rate_limit'],
    [{ message: 'Quota exceeded. Check your plan and billing details.' }, 'quota'],
    [{ message: "You've hit your usage limit. Upgrade to Pro" }, 'quota'],
    [
      { status: 401, message: 'unexpected status 401 Unauthorized: Incorrect API key provided' },
      'auth',
    ],
    // OpenCode (AI SDK messages)
    [{ message: 'Rate limit reached for requests' }, 'rate_limit'],
    [{ message: 'Incorrect API key provided: sk-test.' }, 'auth'],
    // Gemini
    [{ message: 'API key not valid. Please pass a valid API key.' }, 'auth'],
    [{ message: 'Request had invalid authentication credentials. UNAUTHENTICATED' }, 'auth'],
    // Cursor
    [{ message: 'Authentication required. Please run agent login first' }, 'auth'],
    // others
    [{ status: 500, message: 'Internal server error' }, 'api'],
    [{ message: 'something odd happened' }, 'unknown'],
  ] as const)('classifies %j as %s', (failure, kind) => {
    expect(classifyApiError(failure)).toBe(kind);
  });
});
