import { describe, expect, it } from 'vitest';
import { configEntries, defaultConfig, resolveConfigKey } from './index.js';
import { parseConfigValue, parseKeyPath } from './keys.js';

describe('parseKeyPath', () => {
  it('reads dotted keys with list indexes', () => {
    expect(parseKeyPath('loop.max-fix-rounds')).toEqual(['loop', 'max-fix-rounds']);
    expect(parseKeyPath('projects[0].checks')).toEqual(['projects', 0, 'checks']);
    expect(parseKeyPath('agent.env.ANTHROPIC_API_KEY')).toEqual([
      'agent',
      'env',
      'ANTHROPIC_API_KEY',
    ]);
  });

  it('refuses what is no key', () => {
    for (const key of ['', '.', 'loop..x', '[0]', 'loop[x]'])
      expect(parseKeyPath(key), key).toBe(undefined);
  });
});

describe('resolveConfigKey', () => {
  it('knows leaf keys, role and vendor keys and entries of a table of names', () => {
    const kinds = [
      'loop.max-fix-rounds',
      'roles.reviewer.vendor',
      'vendors.claude-code.args',
      'agent.env.FOO',
      'loop.max-cost-usd',
      'loop',
    ].map((key) => {
      const resolved = resolveConfigKey(key);
      return resolved.ok ? resolved.key.kind : resolved.issue.reason;
    });

    expect(kinds).toEqual(['integer', 'enum', 'string-list', 'string', 'number', 'table']);
  });

  it('names an unknown key with the closest known one', () => {
    const resolved = resolveConfigKey('loop.max-fix-round');

    expect(resolved).toEqual({
      ok: false,
      issue: {
        file: '',
        key: 'loop.max-fix-round',
        reason: 'unknown key "max-fix-round" in [loop]',
        hint: 'did you mean "loop.max-fix-rounds"?',
      },
    });
  });

  it('suggests a section for a misspelt one, keeping the rest of the key', () => {
    const resolved = resolveConfigKey('lop.max-fix-rounds');

    expect(resolved.ok).toBe(false);
    if (!resolved.ok) expect(resolved.issue.hint).toBe('did you mean "loop.max-fix-rounds"?');
  });

  it('refuses keys below a value and names of list entries', () => {
    const below = resolveConfigKey('server.port.x');
    const named = resolveConfigKey('projects.repo');

    expect(below.ok || below.issue.reason).toBe('server.port is an integer, not a table');
    expect(named.ok || named.issue.hint).toBe('name an entry: projects[0]');
  });
});

describe('parseConfigValue', () => {
  it('reads numbers, booleans, lists and tables per the key type', () => {
    expect(parseConfigValue('7', 'integer')).toEqual({ ok: true, value: 7 });
    expect(parseConfigValue('0.5', 'number')).toEqual({ ok: true, value: 0.5 });
    expect(parseConfigValue('yes', 'boolean')).toEqual({ ok: true, value: true });
    expect(parseConfigValue('off', 'boolean')).toEqual({ ok: true, value: false });
    expect(parseConfigValue('alice, bob', 'string-list')).toEqual({
      ok: true,
      value: ['alice', 'bob'],
    });
    expect(parseConfigValue('["a,b"]', 'string-list')).toEqual({ ok: true, value: ['a,b'] });
    expect(parseConfigValue('', 'string-list')).toEqual({ ok: true, value: [] });
    expect(parseConfigValue('{"A":"1"}', 'string-map')).toEqual({ ok: true, value: { A: '1' } });
    expect(parseConfigValue(' keep spaces ', 'string')).toEqual({
      ok: true,
      value: ' keep spaces ',
    });
  });

  it('leaves a value that does not fit as text for validation, and refuses bad JSON', () => {
    expect(parseConfigValue('five', 'integer')).toEqual({ ok: true, value: 'five' });
    expect(parseConfigValue('maybe', 'boolean')).toEqual({ ok: true, value: 'maybe' });
    expect(parseConfigValue('{oops', 'string-map')).toMatchObject({
      ok: false,
      reason: 'expected JSON, got string "{oops"',
    });
  });
});

describe('configEntries', () => {
  it('lists leaves in schema order, opening tables, lists of tables and non-empty name tables', () => {
    const config = defaultConfig();
    config.agent.env = { FOO: 'bar' };
    config.projects = [{ repo: 'acme/app', 'base-branch': 'main', 'max-concurrent': 2 }];

    const entries = configEntries(config);
    const keys = entries.map((entry) => entry.key);

    expect(keys[0]).toBe('server.host');
    expect(keys).toContain('agent.env.FOO');
    expect(keys).toContain('vendors.claude-code.env');
    expect(keys).toContain('projects[0].repo');
    expect(keys).not.toContain('agent.max-turns');
    expect(entries.find((entry) => entry.key === 'trust.allowed-users')?.value).toEqual([]);
  });
});
