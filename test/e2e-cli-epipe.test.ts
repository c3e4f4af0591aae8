// The built CLI writing into a pipe whose reader has gone (`looper --help | head -1`): it exits 0
// without Node's EPIPE stack trace, whether stdout or stderr lost its reader.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { looperBin, tempDir } from './support/looper-harness.js';

interface Ended {
  code: number | null;
  signal: string | null;
  /** What the CLI wrote on the stream that still has a reader. */
  other: string;
}

/**
 * Runs `looper <args>` and closes the read end of `closed` (stdout or stderr) before the CLI has
 * started, so its first write there meets a pipe without a reader; the other stream is read.
 */
function runWithClosedReader(args: string[], closed: 'stdout' | 'stderr'): Promise<Ended> {
  const home = tempDir('looper-epipe-');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [looperBin, ...args], {
      env: { PATH: process.env.PATH, HOME: home, LOOPER_HOME: home, XDG_CONFIG_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child[closed].destroy();
    const open = closed === 'stdout' ? child.stderr : child.stdout;
    let other = '';
    open.on('data', (chunk: Buffer) => {
      other += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, other }));
  });
}

describe('looper writing to a closed pipe', () => {
  it.each([[['--help']], [['run', '--help']], [['webhook', 'enable', '--help']], [['--version']]])(
    '%j into a reader that closed exits 0 with nothing on stderr',
    async (args) => {
      const ended = await runWithClosedReader(args, 'stdout');

      expect(ended.other).not.toContain('EPIPE');
      expect(ended.other).not.toMatch(/^\s+at /m);
      expect(ended.other).toBe('');
      expect(ended).toMatchObject({ code: 0, signal: null });
    },
  );

  it('exits 0 when the reader of stderr has gone before an error is printed', async () => {
    const ended = await runWithClosedReader(['no-such-command'], 'stderr');

    expect(ended).toMatchObject({ code: 0, signal: null, other: '' });
  });
});
