// E2E: a whole loop through the built `looper` and `looperd` with `custom` vendor agents: the bundled
// demo agent on the demo's sample repo (JSON event lines), and a plain-text sh agent with `--check`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventView, LoopView } from '../src/api/index.js';
import { createSampleRepo } from '../src/demo/sample-repo.js';
import { scriptAgentEnv, writeScript } from './support/agent-scripts.js';
import {
  createLooperEnv,
  demoAgentEnv,
  git,
  type LooperEnv,
  makeRepo,
  tempDir,
} from './support/looper-harness.js';

let env: LooperEnv | undefined;
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
});

const looperAuthor = 'Looper <looper@localhost>';

async function loopEvents(looper: LooperEnv, loopId: string): Promise<EventView[]> {
  const response = await fetch(`${looper.url}/api/v1/events?loop=${loopId}&limit=1000`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { ok: boolean; data: EventView[] };
  expect(body.ok).toBe(true);
  return body.data;
}

describe('looper run with the demo agent as the custom vendor', () => {
  it('takes the sample repo from a failing test to a ready branch with Looper commits', async () => {
    env = await createLooperEnv({ env: demoAgentEnv() });
    const repo = createSampleRepo(tempDir('looper-sample-'));
    const baseSha = git(repo, 'rev-parse', 'main').trim();

    const {
      code,
      data: loop,
      stderr,
    } = await env.json<LoopView>([
      'run',
      '--repo',
      repo,
      '--title',
      'Cart totals are wrong',
      '--body',
      'Quantities are ignored and the discount is wrong.',
      '--wait',
    ]);

    expect(stderr).toContain('started looperd');
    expect(code).toBe(0);
    expect(loop.stage).toBe('ready');
    expect(loop.reason).toBeNull();
    expect(loop.branch).toMatch(/^looper\/1-cart-totals-are-wrong$/);
    expect(loop.vendor).toBe('custom');
    expect(loop.checks).toEqual(['npm test']); // detected from package.json
    const runs = loop.runs ?? [];
    expect(runs.map((r) => r.role)).toEqual([
      'planner',
      'plan_reviewer',
      'worker',
      'fixer', // the demo's worker leaves the discount bug: checks fail once
      'reviewer',
    ]);
    for (const run of runs) {
      expect(run.status, `${run.role} run`).toBe('succeeded');
      expect(run.exit_code).toBe(0);
      expect(run.vendor).toBe('custom');
      expect(run.tokens).toEqual({ input: 1200, output: 180, cached: 0 });
    }
    expect(loop.tokens).toEqual({
      input: 1200 * runs.length,
      output: 180 * runs.length,
      cached: 0,
    });

    // The branch in the user's repo: the spec commit, then the fix commit, each once, by Looper.
    const branch = loop.branch as string;
    expect(git(repo, 'rev-parse', 'main').trim()).toBe(baseSha);
    const log = git(repo, 'log', '--reverse', '--format=%an <%ae>|%s', `main..${branch}`)
      .trim()
      .split('\n');
    expect(log).toEqual([
      `${looperAuthor}|Add spec for #1: Cart totals are wrong`,
      `${looperAuthor}|Cart totals are wrong (#1)`,
    ]);
    const tree = git(repo, 'ls-tree', '-r', '--name-only', branch).split('\n');
    expect(tree).toContain('specs/1-cart-totals-are-wrong.md');
    const cart = git(repo, 'show', `${branch}:src/cart.js`);
    expect(cart).toContain('item.price * item.quantity');
    expect(cart).toContain('discountPercent) / 100;');

    // The branch's tests pass when checked out on their own (not only in Looper's worktree).
    const scratch = tempDir('looper-checkout-');
    execFileSync('sh', ['-c', `git archive ${branch} | tar -x -C "${scratch}"`], { cwd: repo });
    const npmTest = execFileSync('npm', ['test'], { cwd: scratch, encoding: 'utf8' });
    expect(npmTest).toMatch(/# pass 2/);
    expect(npmTest).toMatch(/# fail 0/);
    // …and fail on main, so the pass above is the loop's doing.
    const onMain = tempDir('looper-checkout-');
    execFileSync('sh', ['-c', `git archive main | tar -x -C "${onMain}"`], { cwd: repo });
    expect(() => execFileSync('npm', ['test'], { cwd: onMain, stdio: 'pipe' })).toThrow();

    // The other views agree with the final --wait result.
    const list = await env.json<LoopView[]>(['run', 'list']);
    expect(list.code).toBe(0);
    expect(list.data.map((l) => [l.id, l.stage])).toEqual([[loop.id, 'ready']]);
    const inspect = await env.json<LoopView>(['inspect', loop.id]);
    expect(inspect.code).toBe(0);
    expect(inspect.data.stage).toBe('ready');
    expect(inspect.data.runs?.map((r) => r.id)).toEqual(runs.map((r) => r.id));
    const worker = runs[2];
    const logs = await env.cli(['run', 'logs', worker?.id ?? '']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('Implementing the spec: counting quantities first.');
    expect(logs.stdout).toContain('__LOOPER_RESULT__=');
    expect(logs.stdout).toContain('status=succeeded');
  });
});

/**
 * A plain-text agent: reads its prompt from stdin (saved under $E2E_DIR/prompts), prints text, and
 * ends with the `__LOOPER_RESULT__=` line for its role. The worker's change is not enough for the
 * check; the fixer's is.
 */
const plainAgent = `set -e
n=$(ls "$E2E_DIR/prompts" | wc -l | tr -d ' ')
prompt="$E2E_DIR/prompts/$n-$LOOPER_ROLE.txt"
cat > "$prompt"
case "$LOOPER_ROLE" in
  planner)
    spec=$(sed -n 's/^Spec file: //p' "$prompt" | head -n 1)
    mkdir -p "$(dirname "$spec")"
    printf '# Make value.txt good\\n\\n## Objective\\nvalue.txt says good.\\n' > "$spec"
    echo "plain planner: wrote $spec"
    echo '__LOOPER_RESULT__={"summary":"value.txt must say good"}'
    ;;
  plan_reviewer)
    echo "plain plan reviewer: the plan is fine"
    echo '__LOOPER_RESULT__={"verdict":"approve","summary":"fine","comments":[]}'
    ;;
  worker)
    echo almost > value.txt
    echo "plain worker: wrote almost"
    echo '__LOOPER_RESULT__={"summary":"value.txt says almost"}'
    ;;
  fixer)
    echo good > value.txt
    echo "plain fixer: wrote good"
    echo '__LOOPER_RESULT__={"summary":"value.txt says good"}'
    ;;
  reviewer)
    echo "plain reviewer: approved"
    echo '__LOOPER_RESULT__={"verdict":"approve","summary":"good","comments":[]}'
    ;;
  *)
    echo "unknown role $LOOPER_ROLE" >&2
    exit 2
    ;;
esac
`;

describe('looper run with a plain-text custom agent and --check', () => {
  it('follows the plain-text protocol, runs the given check instead of detection', async () => {
    const dir = tempDir('looper-agent-');
    fs.mkdirSync(path.join(dir, 'prompts'));
    const script = writeScript(dir, 'plain-agent.sh', plainAgent);
    env = await createLooperEnv({ env: scriptAgentEnv(script, { E2E_DIR: dir }) });
    // Detection would pick `npm test`, which always fails here: only --check can end ready.
    const repo = makeRepo({
      'package.json': `${JSON.stringify({ name: 'v', scripts: { test: 'exit 1' } })}\n`,
      'value.txt': 'bad\n',
    });
    const check = 'grep -qx good value.txt';

    // The first command starts the daemon and says so; the second finds it running.
    const first = await env.json<{ pid: number; data_dir: string }>(['status']);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/started looperd \(pid \d+\)/);
    expect(first.data.pid).toBeGreaterThan(0);
    expect(first.data.data_dir).toBe(env.home);
    const second = await env.json<{ pid: number }>(['status']);
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain('started looperd');
    expect(second.data.pid).toBe(first.data.pid);

    const { code, data: loop } = await env.json<LoopView>([
      'run',
      '--repo',
      repo,
      '--title',
      'Value should be good',
      '--check',
      check,
      '--wait',
    ]);

    expect(code).toBe(0);
    expect(loop.stage).toBe('ready');
    expect(loop.checks).toEqual([check]);
    const runs = loop.runs ?? [];
    expect(runs.map((r) => [r.role, r.status])).toEqual([
      ['planner', 'succeeded'],
      ['plan_reviewer', 'succeeded'],
      ['worker', 'succeeded'],
      ['fixer', 'succeeded'],
      ['reviewer', 'succeeded'],
    ]);
    expect(runs.map((r) => r.summary)).toEqual([
      'value.txt must say good',
      'fine',
      'value.txt says almost',
      'value.txt says good',
      'good',
    ]);
    expect(git(repo, 'show', `${loop.branch}:value.txt`)).toBe('good\n');

    // Only the given check ran: failing after the worker, passing after the fixer.
    const commands = (await loopEvents(env, loop.id))
      .filter((e) => e.type === 'checks.command')
      .map((e) => [e.data.command, e.data.passed]);
    expect(commands).toEqual([
      [check, false],
      [check, true],
    ]);

    // Each prompt arrived on stdin; the fixer's carries the failing check.
    const prompts = fs.readdirSync(path.join(dir, 'prompts')).sort();
    expect(prompts).toEqual([
      '0-planner.txt',
      '1-plan_reviewer.txt',
      '2-worker.txt',
      '3-fixer.txt',
      '4-reviewer.txt',
    ]);
    const read = (name: string) => fs.readFileSync(path.join(dir, 'prompts', name), 'utf8');
    expect(read('0-planner.txt')).toContain('Value should be good');
    expect(read('0-planner.txt')).toContain('Spec file: specs/1-value-should-be-good.md');
    expect(read('3-fixer.txt')).toContain(`$ ${check}  (exit 1)`);
    expect(read('4-reviewer.txt')).toContain('+good');

    // The run's log holds the agent's plain output.
    const workerRun = runs[2];
    const logs = await env.cli(['run', 'logs', workerRun?.id ?? '']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('plain worker: wrote almost');
    const all = await env.cli(['run', 'logs', loop.id]);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('plain planner: wrote specs/1-value-should-be-good.md');
    expect(all.stdout).toContain('plain fixer: wrote good');
    const inspect = await env.json<LoopView>(['inspect', workerRun?.id ?? '']);
    expect(inspect.data.id).toBe(loop.id);
    expect(inspect.data.stage).toBe('ready');
  });
});
