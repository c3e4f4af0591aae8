import { describe, expect, it } from 'vitest';
import { collectSecrets, defaultConfig, isSecretKey, maskSecrets, redactText } from './index.js';

describe('isSecretKey', () => {
  it('matches whole secret segments in kebab, snake and camel case', () => {
    for (const key of [
      'token',
      'webhook-secret',
      'api-key',
      'GITHUB_TOKEN',
      'apiKey',
      'password',
    ]) {
      expect(isSecretKey(key), key).toBe(true);
    }
  });

  it('leaves keys that only contain a secret word alone', () => {
    for (const key of ['max-turns', 'input-tokens', 'keys', 'bot-login', 'api-url', 'monkey']) {
      expect(isSecretKey(key), key).toBe(false);
    }
  });
});

describe('maskSecrets', () => {
  it('masks secret keys and URL passwords in a copy, keeping empty values visible', () => {
    const config = defaultConfig();
    config.github.token = 'ghp_abc';
    config.storage.url = 'postgres://looper:hunter2@db:5432/looper';
    config.agent.env = { ANTHROPIC_API_KEY: 'sk-1', PATH: '/bin' };

    const masked = maskSecrets(config);

    expect(masked.github.token).toBe('****');
    expect(masked.github['webhook-secret']).toBe('');
    expect(masked.github['api-url']).toBe('https://api.github.com');
    expect(masked.storage.url).toBe('postgres://looper:****@db:5432/looper');
    expect(masked.agent.env).toEqual({ ANTHROPIC_API_KEY: '****', PATH: '/bin' });
    expect(masked.agent['timeout-secs']).toBe(1800);
    expect(config.github.token).toBe('ghp_abc');
  });

  it('masks every string inside a secret-named table and leaves URLs without passwords', () => {
    const masked = maskSecrets({
      secrets: { a: 'x' },
      secret: { a: 'x', list: ['y', ''] },
      url: 'https://user@host/x',
    });

    expect(masked).toEqual({
      secrets: { a: 'x' },
      secret: { a: '****', list: ['****', ''] },
      url: 'https://user@host/x',
    });
  });
});

describe('collectSecrets and redactText', () => {
  it('finds the secret values of a config, URL passwords included', () => {
    const config = defaultConfig();
    config.github.token = 'ghp_abc';
    config.storage.url = 'postgres://looper:hunter2@db/looper';

    expect(collectSecrets(config).sort()).toEqual(['ghp_abc', 'hunter2']);
  });

  it('replaces every occurrence of each secret, longest first', () => {
    const text = 'token=ghp_abcdef then ghp_abc and ghp_abcdef again';

    expect(redactText(text, ['ghp_abc', 'ghp_abcdef', ''])).toBe(
      'token=**** then **** and **** again',
    );
  });

  it('leaves text without secrets unchanged', () => {
    expect(redactText('nothing here', [])).toBe('nothing here');
  });
});
