import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { codexVendor } from './codex.js';
import { tempDir, vendorRequest } from './vendor-request.test-support.js';

describe('codexVendor.build', () => {
  it('runs exec --json unattended in the worktree with the prompt on stdin', () => {
    const home = tempDir();

    const invocation = codexVendor().build(
      vendorRequest({
        vendor: 'codex',
        model: 'gpt-5.5',
        vendorConfig: { command: '/opt/codex', args: ['-c', 'model_provider=mine'], env: {} },
      }),
      home,
    );

    expect(invocation.command).toBe('/opt/codex');
    expect(invocation.args).toEqual([
      'exec',
      '--json',
      '--skip-git-repo-check',
      '-C',
      '/work/tree',
      '--sandbox',
      'workspace-write',
      '-c',
      'approval_policy="never"',
      '-m',
      'gpt-5.5',
      '-c',
      'model_provider=mine',
      '-',
    ]);
    expect(invocation.stdin).toBe('Fix the bug');
    expect(invocation.env).toEqual({ CODEX_HOME: path.join(home, '.codex') });
    expect(fs.statSync(path.join(home, '.codex')).isDirectory()).toBe(true);
  });

  it('copies the user login into the run CODEX_HOME', () => {
    const userHome = tempDir();
    fs.mkdirSync(path.join(userHome, '.codex'));
    fs.writeFileSync(path.join(userHome, '.codex', 'auth.json'), '{"tokens":{}}');
    const runHome = tempDir();

    codexVendor().build(vendorRequest({ baseEnv: { HOME: userHome } }), runHome);

    const copied = path.join(runHome, '.codex', 'auth.json');
    expect(fs.readFileSync(copied, 'utf8')).toBe('{"tokens":{}}');
    expect(fs.statSync(copied).mode & 0o777).toBe(0o600);
  });

  it('resumes a thread with the session files of the run that started it', () => {
    const earlier = tempDir();
    const rollout = path.join('.codex', 'sessions', '2026', '11', '25', 'rollout-x-thread_1.jsonl');
    fs.mkdirSync(path.dirname(path.join(earlier, rollout)), { recursive: true });
    fs.writeFileSync(path.join(earlier, rollout), '{}\n');
    const runHome = tempDir();

    const { args } = codexVendor().build(
      vendorRequest({ resumeSessionId: 'thread_1', resumeFromHome: earlier }),
      runHome,
    );

    expect(args.slice(-3)).toEqual(['resume', 'thread_1', '-']);
    expect(fs.readFileSync(path.join(runHome, rollout), 'utf8')).toBe('{}\n');
  });
});
