import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ConfigSchema,
  configKeys,
  configSections,
  defaultConfig,
  loopLimits,
  roleSettings,
} from './index.js';

describe('ConfigSchema', () => {
  it('fills every section with its defaults', () => {
    const config = defaultConfig();

    expect(configSections).toEqual([
      'server',
      'daemon',
      'scheduler',
      'storage',
      'github',
      'agent',
      'roles',
      'vendors',
      'loop',
      'trust',
      'worktrees',
      'projects',
    ]);
    expect(config.scheduler.retry).toEqual({
      'max-attempts': 3,
      'base-delay-secs': 5,
      'max-delay-secs': 300,
    });
    expect(config.worktrees['retention-hours']).toBe(24);
    expect(config.loop['max-new-prs-per-hour']).toBe(10);
    expect(config.daemon).toEqual({
      'max-concurrent-loops': 4,
      'poll-interval-secs': 30,
      'shutdown-grace-secs': 30,
      'lease-secs': 60,
    });
    expect(config.vendors.cursor.command).toBe('cursor-agent');
    expect(config.vendors.custom).toEqual({ command: '', model: '', args: [], env: {} });
    expect(config.loop['commit-author']).toBe('Looper <looper@localhost>');
    expect(config.roles).toEqual({});
  });

  it('gives each parse its own default arrays and tables', () => {
    const first = defaultConfig();
    first.trust['allowed-users'].push('mallory');

    expect(defaultConfig().trust['allowed-users']).toEqual([]);
  });

  it('accepts [roles.plan-reviewer] as [roles.plan_reviewer]', () => {
    const config = ConfigSchema.parse({ roles: { 'plan-reviewer': { model: 'o3' } } });

    expect(config.roles.plan_reviewer).toEqual({ model: 'o3' });
    expect(Object.keys(config.roles)).toEqual(['plan_reviewer']);
  });

  it('refuses both spellings of the plan reviewer at once', () => {
    const result = ConfigSchema.safeParse({
      roles: { 'plan-reviewer': { model: 'a' }, plan_reviewer: { model: 'b' } },
    });

    expect(result.success).toBe(false);
  });

  it('refuses unknown keys at every depth', () => {
    for (const input of [
      { network: {} },
      { vendors: { codex: { cmd: 'x' } } },
      { roles: { x: {} } },
    ]) {
      expect(ConfigSchema.safeParse(input).success, JSON.stringify(input)).toBe(false);
    }
  });

  it('lets a short burst of GitHub writes go before the write spacing applies', () => {
    expect(defaultConfig().github['write-burst']).toBe(3);
    expect(ConfigSchema.parse({ github: { 'write-burst': 1 } }).github['write-burst']).toBe(1);
    for (const burst of [0, 2.5, -1]) {
      expect(ConfigSchema.safeParse({ github: { 'write-burst': burst } }).success, `${burst}`).toBe(
        false,
      );
    }
  });

  it('checks storage URLs, repo names and the commit author', () => {
    const bad = [
      { storage: { url: 'mysql://db' } },
      { projects: [{ repo: 'no-slash' }] },
      { loop: { 'commit-author': 'looper' } },
    ];
    for (const input of bad) {
      expect(ConfigSchema.safeParse(input).success, JSON.stringify(input)).toBe(false);
    }
    expect(ConfigSchema.safeParse({ storage: { url: 'postgresql://u@h/db' } }).success).toBe(true);
  });
});

describe('roleSettings', () => {
  it('falls back to [agent] for every key a role leaves out', () => {
    const config = ConfigSchema.parse({
      agent: { model: 'opus', 'max-turns': 40, fallback: ['claude-code', 'codex'] },
      roles: { worker: { 'timeout-secs': 3600 } },
    });

    expect(roleSettings(config, 'worker')).toEqual({
      vendor: 'claude-code',
      model: 'opus',
      timeoutSecs: 3600,
      idleTimeoutSecs: 300,
      maxTurns: 40,
      // The role's own vendor is never its own fallback.
      fallback: ['codex'],
    });
    expect(roleSettings(config, 'planner').timeoutSecs).toBe(1800);
  });

  it('does not carry the agent model over to another vendor', () => {
    const config = ConfigSchema.parse({
      agent: { model: 'opus' },
      roles: { reviewer: { vendor: 'codex' }, fixer: { vendor: 'codex', model: 'o3' } },
    });

    expect(roleSettings(config, 'reviewer')).toMatchObject({ vendor: 'codex', model: '' });
    expect(roleSettings(config, 'fixer').model).toBe('o3');
  });

  it('lets a role name its own fallback vendors', () => {
    const config = ConfigSchema.parse({
      agent: { fallback: ['codex'] },
      roles: { reviewer: { fallback: ['gemini', 'opencode'] } },
    });
    expect(roleSettings(config, 'reviewer').fallback).toEqual(['gemini', 'opencode']);
    expect(roleSettings(config, 'planner').fallback).toEqual(['codex']);
  });
});

describe('loopLimits', () => {
  it('maps [loop] onto the state machine limits', () => {
    const config = ConfigSchema.parse({ loop: { approval: 'label', 'max-cost-usd': 2.5 } });

    expect(loopLimits(config)).toEqual({
      approval: 'label',
      maxPlanRounds: 2,
      maxLocalFixRounds: 3,
      maxFixRounds: 5,
      maxWallMinutes: 240,
      maxCostUsd: 2.5,
      autoMerge: false,
    });
  });
});

describe('configKeys', () => {
  it('lists leaf keys with kinds and defaults', () => {
    const keys = configKeys();

    expect(keys.find((key) => key.key === 'loop.max-fix-rounds')).toEqual({
      key: 'loop.max-fix-rounds',
      kind: 'integer',
      default: 5,
    });
    expect(keys.find((key) => key.key === 'projects[].checks')?.kind).toBe('string-list');
    expect(keys.some((key) => key.key.startsWith('roles.plan-reviewer'))).toBe(false);
  });

  it('are all documented in docs/configuration.md', () => {
    const docs = fs.readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    const names = new Set(configKeys().map((key) => key.key.split('.').pop() ?? ''));
    for (const section of configSections) expect(docs, section).toContain(section);

    const missing = [...names]
      .map((name) => name.replace('[]', ''))
      .filter((name) => {
        return !docs.includes(`\`${name}\``);
      });

    expect(missing).toEqual([]);
  });
});
