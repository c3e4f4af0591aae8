// The bundled DEMO AGENT: a deterministic stand-in for a coding-agent CLI, used by `looper demo` through
// the `custom` vendor protocol (prompt in LOOPER_PROMPT, role in LOOPER_ROLE, JSON event lines out).
// It only knows the demo's sample repository. Its first fix is deliberately incomplete, so the demo
// shows a fixer round.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

type Line = Record<string, unknown>;

function emit(line: Line): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function finish(result: Record<string, unknown>, text: string): void {
  emit({ type: 'usage', inputTokens: 1200, outputTokens: 180, cachedTokens: 0, costUsd: 0 });
  emit({
    type: 'result',
    text: `${text}\n__LOOPER_RESULT__=${JSON.stringify(result)}`,
    isError: false,
    sessionId: null,
    numTurns: 1,
  });
}

function edit(file: string, from: string, to: string): boolean {
  const path = join(process.cwd(), file);
  const source = readFileSync(path, 'utf8');
  if (!source.includes(from)) return false;
  emit({ type: 'tool_use', name: 'Edit', input: `${file}: ${from.trim()} → ${to.trim()}` });
  writeFileSync(path, source.replace(from, to));
  return true;
}

function plan(prompt: string): void {
  const specPath = /^Spec file: (.+)$/m.exec(prompt)?.[1]?.trim() ?? 'specs/spec.md';
  emit({ type: 'text', text: 'Reading src/cart.js and test/cart.test.js to plan the fix.' });
  emit({ type: 'tool_use', name: 'Write', input: specPath });
  const spec = [
    '# Fix cart totals',
    '',
    '## Objective',
    'Make `cartTotal` count item quantities and apply the discount as a percentage.',
    '',
    '## Plan',
    '1. Multiply each item price by its quantity when summing.',
    '2. Divide the discount by 100, not 10.',
    '',
    '## Files to change',
    '- `src/cart.js`',
    '',
    '## Risks',
    '- Callers that relied on the wrong totals will see different numbers.',
    '',
    '## Acceptance criteria',
    '- `npm test` passes.',
    '',
  ].join('\n');
  const path = join(process.cwd(), specPath);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, spec);
  finish(
    { summary: 'Spec: multiply by quantity and fix the percentage discount in src/cart.js.' },
    'Wrote the spec.',
  );
}

function work(): void {
  emit({ type: 'text', text: 'Implementing the spec: counting quantities first.' });
  edit('src/cart.js', 'sum + item.price,', 'sum + item.price * item.quantity,');
  // Deliberately incomplete: the discount bug is left for the fixer round.
  finish({ summary: 'Totals now multiply price by quantity.' }, 'Done.');
}

function fix(): void {
  emit({ type: 'text', text: 'The discount test still fails: the percentage is divided by 10.' });
  const fixed = edit('src/cart.js', 'discountPercent) / 10;', 'discountPercent) / 100;');
  finish(
    { summary: fixed ? 'Discount is now a percentage (divided by 100).' : 'Nothing left to fix.' },
    'Fixed.',
  );
}

function review(): void {
  emit({ type: 'text', text: 'Reviewing the diff against the spec and the tests.' });
  const source = existsSync('src/cart.js') ? readFileSync('src/cart.js', 'utf8') : '';
  const good = source.includes('item.quantity') && source.includes('/ 100;');
  finish(
    good
      ? { verdict: 'approve', summary: 'Both bugs are fixed and covered by tests.', comments: [] }
      : {
          verdict: 'request_changes',
          summary: 'The spec is not fully implemented.',
          comments: [{ path: 'src/cart.js', line: 1, body: 'Apply both fixes from the spec.' }],
        },
    'Reviewed.',
  );
}

const role = process.env.LOOPER_ROLE ?? '';
const prompt = process.env.LOOPER_PROMPT ?? '';
switch (role) {
  case 'planner':
    plan(prompt);
    break;
  case 'plan_reviewer':
    emit({ type: 'text', text: 'The spec names the file, the two fixes and how to check them.' });
    finish(
      { verdict: 'approve', summary: 'The plan is specific and testable.', comments: [] },
      'Approved.',
    );
    break;
  case 'worker':
    work();
    break;
  case 'fixer':
    fix();
    break;
  case 'reviewer':
    review();
    break;
  default:
    process.stderr.write(`demo agent: unknown role ${JSON.stringify(role)}\n`);
    process.exit(2);
}
