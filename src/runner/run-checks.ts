// Runs the project's check commands in the loop's worktree (SPEC §3 "checking") and fingerprints a
// failure so the loop can tell a new failure from the same one again.
import { join } from 'node:path';
import { buildAgentEnv } from '../agents/index.js';
import { failureFingerprint } from '../domain/index.js';
import type { RunnerDeps } from './deps.js';
import { type LoopContext, logDir } from './loop-context.js';

export interface CheckOutcome {
  passed: boolean;
  cancelled: boolean;
  fingerprint: string;
  summary: string;
  /** The failing commands' output tail, given to the fixer. */
  output: string;
}

const outputTailChars = 16_000;

export async function runChecks(
  deps: RunnerDeps,
  ctx: LoopContext,
  signal: AbortSignal,
): Promise<CheckOutcome> {
  const round = ctx.loop.state.localFixRounds + ctx.loop.state.fixRounds * 100;
  const logPath = join(logDir(deps, ctx.loop.id), `checks-${round}-${ctx.loop.state.attempt}.log`);
  await deps.events.emit({
    loopId: ctx.loop.id,
    type: 'checks.started',
    data: { commands: ctx.checks, log_path: logPath },
  });
  // Checks run project code: they get the same allow-listed environment as an agent, never secrets.
  const env = buildAgentEnv({
    base: deps.env,
    home: deps.env.HOME ?? ctx.worktree,
    vendorVars: [],
    extra: deps.config.agent.env,
  });
  const timeoutMs = deps.config.loop['check-timeout-secs'] * 1000;
  const failures: string[] = [];
  for (const command of ctx.checks) {
    const result = await deps.runProcess({
      command: 'sh',
      args: ['-c', command],
      cwd: ctx.worktree,
      env: { ...env, CI: 'true' },
      timeoutMs,
      idleTimeoutMs: timeoutMs,
      logPath,
      signal,
    });
    if (result.status === 'cancelled')
      return {
        passed: false,
        cancelled: true,
        fingerprint: '',
        summary: 'checks stopped',
        output: '',
      };
    const passed = result.status === 'exited' && result.exitCode === 0;
    await deps.events.emit({
      loopId: ctx.loop.id,
      type: 'checks.command',
      data: {
        command,
        passed,
        status: result.status,
        exit_code: result.exitCode,
        duration_ms: result.durationMs,
      },
    });
    if (!passed) {
      const how = result.status === 'exited' ? `exit ${result.exitCode}` : result.status;
      failures.push(
        `$ ${command}  (${how})\n${`${result.stdout}\n${result.stderr}`.trim().slice(-outputTailChars)}`,
      );
    }
  }
  const output = failures.join('\n\n');
  const passed = failures.length === 0;
  const summary = passed
    ? ctx.checks.length === 0
      ? 'no checks configured'
      : `${ctx.checks.length} check(s) passed`
    : `${failures.length} of ${ctx.checks.length} check(s) failed`;
  const fingerprint = passed ? '' : failureFingerprint(output);
  await deps.events.emit({
    loopId: ctx.loop.id,
    type: 'checks.finished',
    data: { passed, summary, fingerprint, output: output.slice(-outputTailChars) },
  });
  return { passed, cancelled: false, fingerprint, summary, output };
}
