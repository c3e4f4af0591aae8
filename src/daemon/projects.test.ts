import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/index.js';
import { openStore } from '../store/index.js';
import { defaultCloneUrl, resolveGitHubToken, syncProjects } from './projects.js';

describe('projects from config', () => {
  it('mirrors [[projects]] into the store once and updates their checks', async () => {
    const store = await openStore({
      dataDir: mkdtempSync(join(tmpdir(), 'looper-prj-')),
      clock: { now: () => 1 },
    });
    const config = defaultConfig();
    const projects = [
      { repo: 'octo/app', 'base-branch': 'main', checks: ['npm test'], 'max-concurrent': 2 },
    ];
    const first = await syncProjects(store, { ...config, projects });
    const again = await syncProjects(store, {
      ...config,
      projects: [{ ...projects[0], checks: ['make test'] }],
    } as typeof config);
    expect(first[0]).toMatchObject({
      forge: 'github',
      repo: 'octo/app',
      name: 'octo/app',
      checks: ['npm test'],
    });
    expect(again[0]?.id).toBe(first[0]?.id);
    expect(again[0]?.checks).toEqual(['make test']);
    expect(await store.projects.listProjects()).toHaveLength(1);
    await store.close();
  });

  it('derives clone URLs for github.com and GitHub Enterprise', () => {
    expect(defaultCloneUrl('https://api.github.com', 'o/r')).toBe('https://github.com/o/r.git');
    expect(defaultCloneUrl('https://ghe.corp.example/api/v3', 'o/r')).toBe(
      'https://ghe.corp.example/o/r.git',
    );
  });

  it('takes the token from config first, then the environment', () => {
    const config = defaultConfig();
    expect(
      resolveGitHubToken(
        { ...config, github: { ...config.github, token: 'cfg' } },
        { GITHUB_TOKEN: 'env' },
      ),
    ).toBe('cfg');
    expect(resolveGitHubToken(config, { GITHUB_TOKEN: 'env', GH_TOKEN: 'gh' })).toBe('env');
    expect(resolveGitHubToken(config, { GH_TOKEN: 'gh' })).toBe('gh');
  });
});
