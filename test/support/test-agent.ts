// A fast, deterministic `custom` agent for scheduler and control e2e tests, steered by env vars set
// through `agent.env`: a role that blocks on its first run (to pause, cancel or stop it mid-run), a
// role that fails its first N runs, and a per-run delay. Markers and counters go to E2E_DIR.
import fs from 'node:fs';
import path from 'node:path';

const source = `
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const role = process.env.LOOPER_ROLE ?? '';
const prompt = process.env.LOOPER_PROMPT ?? '';
const dir = process.env.E2E_DIR ?? '.';
const loopId = path.basename(process.cwd());
const emit = (line) => process.stdout.write(JSON.stringify(line) + '\\n');
const finish = (result) => {
  emit({ type: 'usage', inputTokens: 10, outputTokens: 5, cachedTokens: 0, costUsd: 0 });
  emit({ type: 'result', text: 'Done.\\n__LOOPER_RESULT__=' + JSON.stringify(result) });
};
const writeAtomic = (file, text) => {
  fs.writeFileSync(file + '.tmp', text);
  fs.renameSync(file + '.tmp', file);
};

const delayMs = Number(process.env.E2E_DELAY_MS ?? '0');
if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));

if (role === process.env.E2E_FAIL_ROLE) {
  const counter = path.join(dir, role + '-' + loopId + '.count');
  const n = (fs.existsSync(counter) ? Number(fs.readFileSync(counter, 'utf8')) : 0) + 1;
  writeAtomic(counter, String(n));
  if (n <= Number(process.env.E2E_FAIL_TIMES ?? '0')) {
    process.stderr.write('simulated failure ' + n + '\\n');
    process.exit(1);
  }
}

const marker = path.join(dir, role + '-' + loopId + '.json');
if (role === process.env.E2E_BLOCK_ROLE && !fs.existsSync(marker)) {
  // A child in the agent's process group, so a test can check that the whole group is gone.
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  emit({ type: 'text', text: 'Working very slowly…' });
  writeAtomic(marker, JSON.stringify({ pid: process.pid, child: child.pid, cwd: process.cwd() }));
  setInterval(() => {}, 60_000);
} else {
  switch (role) {
    case 'planner': {
      const spec = /^Spec file: (.+)$/m.exec(prompt)?.[1]?.trim();
      if (!spec) throw new Error('no Spec file line in the prompt');
      fs.mkdirSync(path.dirname(spec), { recursive: true });
      fs.writeFileSync(spec, '# Spec\\n\\n## Objective\\nWrite work/' + loopId + '.txt.\\n');
      finish({ summary: 'Spec written.' });
      break;
    }
    case 'plan_reviewer':
      finish({ verdict: 'approve', summary: 'Good plan.', comments: [] });
      break;
    case 'worker':
    case 'fixer':
      fs.mkdirSync('work', { recursive: true });
      fs.writeFileSync(path.join('work', loopId + '.txt'), 'done by ' + loopId + '\\n');
      finish({ summary: 'Wrote work/' + loopId + '.txt.' });
      break;
    case 'reviewer':
      finish({ verdict: 'approve', summary: 'Correct.', comments: [] });
      break;
    default:
      process.stderr.write('unknown role ' + role + '\\n');
      process.exit(2);
  }
}
`;

export interface TestAgentOptions {
  /** Where markers (`<role>-<loop>.json`) and counters go. */
  dir: string;
  /** This role's first run in each loop writes its marker and hangs (with a `sleep` child). */
  blockRole?: string;
  /** This role's first `failTimes` runs in each loop exit 1. */
  failRole?: string;
  failTimes?: number;
  /** Each run waits this long first. */
  delayMs?: number;
}

/** Writes the agent into `options.dir` and returns the env that makes it the `custom` vendor. */
export function testAgentEnv(options: TestAgentOptions): NodeJS.ProcessEnv {
  const file = path.join(options.dir, 'test-agent.mjs');
  fs.writeFileSync(file, source);
  const agentEnv: Record<string, string | undefined> = {
    E2E_DIR: options.dir,
    E2E_BLOCK_ROLE: options.blockRole,
    E2E_FAIL_ROLE: options.failRole,
    E2E_FAIL_TIMES: options.failTimes === undefined ? undefined : String(options.failTimes),
    E2E_DELAY_MS: options.delayMs === undefined ? undefined : String(options.delayMs),
  };
  const env: NodeJS.ProcessEnv = {
    LOOPER_AGENT_VENDOR: 'custom',
    LOOPER_VENDORS_CUSTOM_COMMAND: process.execPath,
    LOOPER_VENDORS_CUSTOM_ARGS: JSON.stringify([file]),
  };
  for (const [name, value] of Object.entries(agentEnv)) {
    if (value !== undefined) env[`LOOPER_AGENT_ENV_${name}`] = value;
  }
  return env;
}

/** The marker a blocked role writes: the agent's pid (its process group) and its `sleep` child. */
export function markerPath(dir: string, role: string, loopId: string): string {
  return path.join(dir, `${role}-${loopId}.json`);
}

export function readMarker(file: string): { pid: number; child: number; cwd: string } {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number; child: number; cwd: string };
}

/** Kills (SIGKILL) and forgets the agent process groups a test recorded: nothing outlives it. */
export function killGroups(pgids: number[]): void {
  for (const pgid of pgids.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
