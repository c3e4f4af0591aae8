// A minimal AgentRequest for the vendors' build tests, with temp dirs for homes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AgentRequest } from '../vendor.js';

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
}

export function vendorRequest(overrides: Partial<AgentRequest> = {}): AgentRequest {
  return {
    runId: 'run_1',
    loopId: 'loop_1',
    role: 'worker',
    vendor: 'custom',
    prompt: 'Fix the bug',
    cwd: '/work/tree',
    logPath: '/tmp/run.log',
    runHome: '/tmp/home',
    timeoutMs: 1000,
    idleTimeoutMs: 1000,
    vendorConfig: { command: '/opt/agent', args: [], env: {} },
    agentEnv: {},
    baseEnv: { HOME: tempDir(), PATH: '' },
    ...overrides,
  };
}
