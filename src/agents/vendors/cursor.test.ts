import { describe, expect, it } from 'vitest';
import { cursorVendor } from './cursor.js';
import { tempDir, vendorRequest } from './vendor-request.test-support.js';

describe('cursorVendor.build', () => {
  it('runs print mode with stream-json, forced tools, a trusted workspace and the prompt argument', () => {
    const invocation = cursorVendor().build(
      vendorRequest({ vendor: 'cursor', model: 'sonnet-4', resumeSessionId: 'chat-1' }),
      tempDir(),
    );

    expect(invocation.command).toBe('/opt/agent');
    expect(invocation.args).toEqual([
      '-p',
      '--output-format',
      'stream-json',
      '--force',
      '--trust',
      '--workspace',
      '/work/tree',
      '--model',
      'sonnet-4',
      '--resume',
      'chat-1',
      'Fix the bug',
    ]);
    // stdin stays at EOF
    expect(invocation.stdin).toBeUndefined();
  });

  it('falls back to cursor-agent by name when it is not configured or on PATH', () => {
    const invocation = cursorVendor().build(
      vendorRequest({ vendorConfig: { args: [], env: {} }, baseEnv: { PATH: '/nonexistent' } }),
      tempDir(),
    );

    expect(invocation.command).toBe('cursor-agent');
  });
});
