import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { geminiVendor } from './gemini.js';
import { tempDir, vendorRequest } from './vendor-request.test-support.js';

function settingsOf(home: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(home, '.gemini', 'settings.json'), 'utf8'));
}

describe('geminiVendor.build', () => {
  it('runs headless stream-json in yolo mode with the prompt on stdin', () => {
    const invocation = geminiVendor().build(
      vendorRequest({ vendor: 'gemini', model: 'gemini-2.5-pro' }),
      tempDir(),
    );

    expect(invocation.command).toBe('/opt/agent');
    expect(invocation.args).toEqual([
      '-p',
      '',
      '--output-format',
      'stream-json',
      '--approval-mode',
      'yolo',
      '--skip-trust',
      '--model',
      'gemini-2.5-pro',
    ]);
    expect(invocation.stdin).toBe('Fix the bug');
  });

  it('writes run settings choosing API-key auth and the turn limit, without updates or stats', () => {
    const home = tempDir();

    geminiVendor().build(
      vendorRequest({ maxTurns: 40, vendorConfig: { args: [], env: { GEMINI_API_KEY: 'k' } } }),
      home,
    );

    expect(settingsOf(home)).toEqual({
      general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
      privacy: { usageStatisticsEnabled: false },
      security: { auth: { selectedType: 'gemini-api-key' } },
      model: { maxSessionTurns: 40 },
    });
  });

  it('falls back to the login the user chose, copying its files', () => {
    const userHome = tempDir();
    fs.mkdirSync(path.join(userHome, '.gemini'));
    fs.writeFileSync(
      path.join(userHome, '.gemini', 'settings.json'),
      '{"security":{"auth":{"selectedType":"oauth-personal"}}}',
    );
    fs.writeFileSync(path.join(userHome, '.gemini', 'oauth_creds.json'), '{"refresh_token":"r"}');
    const home = tempDir();

    geminiVendor().build(vendorRequest({ baseEnv: { HOME: userHome } }), home);

    expect(settingsOf(home)).toMatchObject({
      security: { auth: { selectedType: 'oauth-personal' } },
    });
    expect(fs.readFileSync(path.join(home, '.gemini', 'oauth_creds.json'), 'utf8')).toBe(
      '{"refresh_token":"r"}',
    );
  });

  it('resumes a session with the chats of the run that had it', () => {
    const earlier = tempDir();
    const chat = path.join('.gemini', 'tmp', 'tree', 'chats', 'session-1.jsonl');
    fs.mkdirSync(path.dirname(path.join(earlier, chat)), { recursive: true });
    fs.writeFileSync(path.join(earlier, chat), '{}\n');
    fs.writeFileSync(path.join(earlier, '.gemini', 'projects.json'), '{}');
    const home = tempDir();

    const { args } = geminiVendor().build(
      vendorRequest({ resumeSessionId: 'uuid-1', resumeFromHome: earlier }),
      home,
    );

    expect(args.slice(-2)).toEqual(['--resume', 'uuid-1']);
    expect(fs.existsSync(path.join(home, chat))).toBe(true);
    expect(fs.existsSync(path.join(home, '.gemini', 'projects.json'))).toBe(true);
  });
});
