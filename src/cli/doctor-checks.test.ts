import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/index.js';
import { doctorReport, formatDoctor, vendorLogin, vendorNeeds } from './doctor-checks.js';
import { versionLine } from './doctor-probes.js';
import { shellQuote, which } from './which.js';

describe('doctor report', () => {
  it('prints one aligned line per check and fails only on a fail', () => {
    const report = doctorReport([
      { check: 'git', status: 'ok', detail: '2.43.0' },
      { check: 'vendor codex', status: 'warn', detail: 'not logged in' },
    ]);

    expect(report.ok).toBe(true);
    expect(formatDoctor(report)).toBe(
      ['ok    git           2.43.0', 'warn  vendor codex  not logged in'].join('\n'),
    );
    expect(doctorReport([{ check: 'config', status: 'fail', detail: 'x' }]).ok).toBe(false);
  });
});

describe('vendorNeeds', () => {
  it('marks vendors that roles run as primary and fallback-only ones as fallback', () => {
    const config = defaultConfig();
    config.agent.fallback = ['codex', 'claude-code'];
    config.roles.reviewer = { vendor: 'gemini' };

    const needs = vendorNeeds(config);

    expect(needs).toEqual({
      'claude-code': 'primary',
      gemini: 'primary',
      codex: 'fallback',
      opencode: 'unused',
      cursor: 'unused',
      custom: 'unused',
    });
  });
});

describe('vendorLogin', () => {
  it('sees an API key in the environment first, then the credentials file', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
    const exists = (file: string) => fs.existsSync(file);

    expect(vendorLogin('codex', { OPENAI_API_KEY: 'sk-x' }, home, exists)).toEqual({
      loggedIn: true,
      via: 'OPENAI_API_KEY',
    });
    expect(vendorLogin('claude-code', {}, home, exists).loggedIn).toBeNull();
    fs.mkdirSync(path.join(home, '.claude'));
    fs.writeFileSync(path.join(home, '.claude', '.credentials.json'), '{}');
    expect(vendorLogin('claude-code', {}, home, exists)).toEqual({
      loggedIn: true,
      via: path.join(home, '.claude', '.credentials.json'),
    });
    expect(vendorLogin('opencode', { XDG_DATA_HOME: '/nowhere' }, home, exists).via).toContain(
      'opencode auth login',
    );
  });
});

describe('probe helpers', () => {
  it('takes the first non-empty line of --version output', () => {
    expect(versionLine('\n2.1.197 (Claude Code)\nmore\n')).toBe('2.1.197 (Claude Code)');
    expect(versionLine('')).toBe('');
  });

  it('finds executables on PATH and quotes shell words only when needed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
    const tool = path.join(dir, 'tool');
    fs.writeFileSync(tool, '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'plain'), 'not executable', { mode: 0o644 });

    expect(which('tool', `/nonexistent${path.delimiter}${dir}`, '/')).toBe(tool);
    expect(which('plain', dir, '/')).toBeNull();
    expect(which(tool, undefined, '/')).toBe(tool);
    expect(shellQuote('/home/me/.looper/webhook-secret')).toBe('/home/me/.looper/webhook-secret');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
  });
});
