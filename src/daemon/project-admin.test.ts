import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/index.js';
import { createGit } from '../git/index.js';
import { openStore, type Store } from '../store/index.js';
import { createProjectAdmin } from './project-admin.js';
import { createWebhookSecret } from './webhook-secret.js';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
const silent = { info() {}, warn() {}, error() {} };
let store: Store | undefined;

afterEach(async () => {
  await store?.close();
  store = undefined;
});

function gitRepo(): string {
  const dir = tempDir();
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'trunk');
  fs.writeFileSync(path.join(dir, 'package.json'), '{"scripts":{"test":"node -e 0"}}\n');
  git('add', '-A');
  git('-c', 'user.name=T', '-c', 'user.email=t@localhost', 'commit', '-q', '-m', 'init');
  return fs.realpathSync(dir);
}

async function setup(config = defaultConfig()) {
  const dataDir = tempDir();
  const opened = await openStore({ dataDir, clock: { now: () => 1_000 } });
  store = opened;
  const events: string[] = [];
  const admin = createProjectAdmin({
    store: opened,
    github: null,
    git: createGit({ dataDir }),
    config,
    configFile: '/etc/looper.toml',
    events: {
      emit: (event) => {
        events.push(event.type);
        return opened.events.appendEvent(event);
      },
    },
    secret: createWebhookSecret(dataDir, ''),
    log: silent,
  });
  return { admin, store: opened, events };
}

describe('project admin', () => {
  it('adds a local repository with its branch and detected checks, once', async () => {
    const { admin, events } = await setup();
    const repo = gitRepo();

    const added = await admin.addProject({ path: repo });

    expect(added).toMatchObject({
      forge: 'local',
      path: repo,
      repo: null,
      base_branch: 'trunk',
      checks: ['npm test'],
      source: 'api',
      active_loops: 0,
    });
    expect(events).toEqual(['project.added']);
    await expect(admin.addProject({ path: repo })).rejects.toMatchObject({ code: 'conflict' });
    await expect(admin.addProject({ path: tempDir() })).rejects.toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining('is not a git repository'),
    });
    expect((await admin.listProjects()).map((p) => p.id)).toEqual([added.id]);
  });

  it('refuses a GitHub repository without a token with a 422 that says how to get one', async () => {
    const { admin } = await setup();

    await expect(admin.addProject({ repo: 'acme/app' })).rejects.toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining('no GitHub token'),
    });
  });

  it('removes a project only without active loops, with its finished loops', async () => {
    const { admin, store } = await setup();
    const added = await admin.addProject({ path: gitRepo() });
    const loop = await store.loops.createLoop({
      projectId: added.id,
      kind: 'issue',
      number: 1,
      title: 'a',
    });

    await expect(admin.removeProject(added.id)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining(loop.id),
    });
    await store.loops.saveLoopState(
      loop.id,
      { state: { ...loop.state, stage: 'cancelled' }, pendingEffects: [] },
      loop.version,
    );
    const removed = await admin.removeProject(added.id);

    expect(removed).toMatchObject({ project: { id: added.id }, loops_removed: 1 });
    await expect(store.loops.getLoop(loop.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(admin.getProject(added.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses to remove a [[projects]] entry and names the config file', async () => {
    const repo = gitRepo();
    const config = defaultConfig();
    config.projects = [{ path: repo, 'base-branch': 'main', 'max-concurrent': 2 }];
    const { admin, store } = await setup(config);
    const project = await store.projects.createProject({ name: 'x', forge: 'local', path: repo });

    expect((await admin.getProject(project.id)).source).toBe('config');
    await expect(admin.removeProject(project.id)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('/etc/looper.toml'),
    });
  });
});
