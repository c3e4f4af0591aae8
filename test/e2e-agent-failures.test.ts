// E2E: agents that fail in the ways real CLIs do (hang holding stdout, crash, forget the result line),
// through the built bins: the run's status, the loop's retries and its final reason, and that no
// process of a killed agent's group is left behind.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoopView } from '../src/api/index.js';
import { scriptAgentEnv, survivors, writeScript } from './support/agent-scripts.js';
import { createLooperEnv, type LooperEnv, makeRepo, tempDir } from './support/looper-harness.js';

let env: LooperEnv | undefined;
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
});

/** `[scheduler] retry` with short delays (the defaults are 5 s, 10 s, …). */
const fastRetries = { LOOPER_SCHEDULER_RETRY_BASE_DELAY_SECS: '0.2' };

function smallRepo(): string {
  return makeRepo({ 'value.txt': 'bad\n' });
}

async function runToEnd(looper: LooperEnv, repo: string, title: string) {
  return looper.json<LoopView>(['run', '--repo', repo, '--title', title, '--wait']);
}

describe('an agent that hangs', () => {
  it('is killed with its whole group on the idle timeout; three attempts, then needs_human', async () => {
    const dir = tempDir('looper-agent-');
    // A unique marker in the script's path finds the agent's shell in /proc however it was reparented.
    const marker = `hang-agent-${path.basename(dir)}`;
    const pids = path.join(dir, 'pids');
    const script = writeScript(
      dir,
      `${marker}.sh`,
      [
        'echo "$$" >> "$E2E_PID_FILE"',
        'cat > /dev/null',
        'echo started',
        // The background child keeps stdout open after its parent is gone.
        'sleep 1000 &',
        'sleep 1000',
        '',
      ].join('\n'),
    );
    env = await createLooperEnv({
      env: {
        ...scriptAgentEnv(script, { E2E_PID_FILE: pids }),
        LOOPER_AGENT_IDLE_TIMEOUT_SECS: '2',
        ...fastRetries,
      },
    });

    // Three 2 s idle timeouts with 0.2 s and 0.4 s (±20%) backoffs between them.
    const { code, data: loop } = await runToEnd(env, smallRepo(), 'Hang forever');

    expect(code).toBe(1);
    expect(loop.stage).toBe('needs_human');
    expect(loop.reason).toMatch(/planner run run_\w+ timed_out: agent was silent for 2000 ms/);
    expect(loop.reason).toContain('gave up after 3 attempts');
    const runs = loop.runs ?? [];
    expect(runs.map((r) => [r.role, r.status, r.attempt, r.error_kind])).toEqual([
      ['planner', 'timed_out', 1, 'idle_timeout'],
      ['planner', 'timed_out', 2, 'idle_timeout'],
      ['planner', 'timed_out', 3, 'idle_timeout'],
    ]);

    // Each attempt's shell (its group leader) recorded its pid; nothing of any group is alive.
    const leaders = fs
      .readFileSync(pids, 'utf8')
      .trim()
      .split('\n')
      .map((line) => Number(line));
    expect(leaders).toHaveLength(3);
    expect(survivors(leaders, marker)).toEqual([]);

    const inspect = await env.json<LoopView>(['inspect', loop.id]);
    expect(inspect.data.stage).toBe('needs_human');
    expect(inspect.data.runs?.[0]?.error_message).toBe('agent was silent for 2000 ms');
    const logs = await env.cli(['run', 'logs', runs[0]?.id ?? '']);
    expect(logs.stdout).toContain('started');
    expect(logs.stdout).toContain('status=timed_out');
  });
});

describe('an agent that exits non-zero', () => {
  it('fails the run with its exit code and stderr, is retried, then needs a person', async () => {
    const dir = tempDir('looper-agent-');
    const script = writeScript(
      dir,
      'crash.sh',
      'cat > /dev/null\necho "about to fail"\necho "fatal: the model went away" >&2\nexit 3\n',
    );
    env = await createLooperEnv({ env: { ...scriptAgentEnv(script), ...fastRetries } });

    // Two backoffs (0.2 s, 0.4 s ±20%).
    const { code, data: loop } = await runToEnd(env, smallRepo(), 'Crash');

    expect(code).toBe(1);
    expect(loop.stage).toBe('needs_human');
    const runs = loop.runs ?? [];
    expect(runs.map((r) => [r.role, r.status, r.exit_code, r.error_kind, r.attempt])).toEqual([
      ['planner', 'failed', 3, 'crash', 1],
      ['planner', 'failed', 3, 'crash', 2],
      ['planner', 'failed', 3, 'crash', 3],
    ]);
    for (const run of runs)
      expect(run.error_message).toBe('agent exited with code 3: fatal: the model went away');

    // The reason is visible in `looper inspect`, as text and as JSON.
    const json = await env.json<LoopView>(['inspect', loop.id]);
    expect(json.data.reason).toMatch(
      /planner run run_\w+ failed: agent exited with code 3: fatal: the model went away \(gave up after 3 attempts\)/,
    );
    const text = await env.cli(['inspect', loop.id]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('needs_human');
    expect(text.stdout).toContain('agent exited with code 3');
  });
});

describe('an agent that exits 0 without a result line', () => {
  it('is parse_failed, retried once with a reminder, then needs_human', async () => {
    const dir = tempDir('looper-agent-');
    fs.mkdirSync(path.join(dir, 'prompts'));
    const script = writeScript(
      dir,
      'forgetful.sh',
      [
        'n=$(ls "$E2E_DIR/prompts" | wc -l | tr -d " ")',
        'cat > "$E2E_DIR/prompts/$n.txt"',
        'echo "I changed things but forgot the marker"',
        '',
      ].join('\n'),
    );
    env = await createLooperEnv({ env: scriptAgentEnv(script, { E2E_DIR: dir }) });

    const { code, data: loop } = await runToEnd(env, smallRepo(), 'Forgetful');

    expect(code).toBe(1);
    expect(loop.stage).toBe('needs_human');
    expect(loop.reason).toBe(
      'the planner did not print a valid result twice (no __LOOPER_RESULT__= line in the output)',
    );
    const runs = loop.runs ?? [];
    expect(runs.map((r) => [r.role, r.status, r.exit_code, r.error_message])).toEqual([
      ['planner', 'parse_failed', 0, 'no __LOOPER_RESULT__= line in the output'],
      ['planner', 'parse_failed', 0, 'no __LOOPER_RESULT__= line in the output'],
    ]);

    const prompts = fs.readdirSync(path.join(dir, 'prompts')).sort();
    expect(prompts).toEqual(['0.txt', '1.txt']);
    const first = fs.readFileSync(path.join(dir, 'prompts', '0.txt'), 'utf8');
    const second = fs.readFileSync(path.join(dir, 'prompts', '1.txt'), 'utf8');
    expect(first).not.toContain('IMPORTANT');
    expect(second).toContain(
      'IMPORTANT: your previous answer had no valid result line (no __LOOPER_RESULT__= line in the output)',
    );

    const inspect = await env.json<LoopView>(['inspect', loop.id]);
    expect(inspect.data.reason).toBe(loop.reason);
    expect(inspect.data.runs?.map((r) => r.status)).toEqual(['parse_failed', 'parse_failed']);
  });
});
