// Creates the demo's sample repository: a tiny cart library with two real bugs and failing tests.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const files: Record<string, string> = {
  'package.json': `${JSON.stringify({ name: 'cart-demo', version: '1.0.0', type: 'module', private: true, scripts: { test: 'node --test test/' } }, null, 2)}\n`,
  'README.md': '# cart-demo\n\nA tiny cart library, used by `looper demo`.\n',
  'src/cart.js': [
    '// Cart totals for the shop.',
    'export function cartTotal(items, discountPercent = 0) {',
    '  const subtotal = items.reduce((sum, item) => sum + item.price, 0);',
    '  const discount = (subtotal * discountPercent) / 10;',
    '  return Math.round((subtotal - discount) * 100) / 100;',
    '}',
    '',
  ].join('\n'),
  'test/cart.test.js': [
    "import assert from 'node:assert/strict';",
    "import { test } from 'node:test';",
    "import { cartTotal } from '../src/cart.js';",
    '',
    "test('multiplies each price by its quantity', () => {",
    '  assert.equal(cartTotal([{ price: 2.5, quantity: 4 }, { price: 1, quantity: 2 }]), 12);',
    '});',
    '',
    "test('applies the discount as a percentage', () => {",
    '  assert.equal(cartTotal([{ price: 20, quantity: 1 }], 10), 18);',
    '});',
    '',
  ].join('\n'),
};

export const sampleIssue = {
  title: 'Cart totals are wrong',
  body: [
    'Customers are charged the wrong amount:',
    '- an item with quantity 4 is charged once;',
    '- a 10% discount takes off far more than 10%.',
    '',
    '`npm test` fails. Please fix `cartTotal` in `src/cart.js`.',
  ].join('\n'),
};

export function createSampleRepo(dir: string): string {
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
  }
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      stdio: 'pipe',
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=Demo', '-c', 'user.email=demo@localhost', 'add', '-A');
  git(
    '-c',
    'user.name=Demo',
    '-c',
    'user.email=demo@localhost',
    'commit',
    '-q',
    '-m',
    'Cart library with failing tests',
  );
  return dir;
}
