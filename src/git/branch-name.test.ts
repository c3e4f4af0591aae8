import { describe, expect, it } from 'vitest';
import { LooperError } from '../domain/index.js';
import { branchName } from './branch-name.js';

describe('branchName', () => {
  it('joins the issue number and a lowercase dashed slug of the title', () => {
    expect(branchName(12, 'Fix the Login bug!')).toBe('looper/12-fix-the-login-bug');
  });

  it('folds accents to ascii and collapses punctuation runs', () => {
    expect(branchName(3, '  Café crème — "déjà vu"  ')).toBe('looper/3-cafe-creme-deja-vu');
  });

  it('caps the slug at 40 characters without a trailing dash', () => {
    const name = branchName(9, 'Add a very long feature name that goes on - and on and on forever');
    const slug = name.slice('looper/9-'.length);
    expect(slug.length).toBeLessThanOrEqual(40);
    expect(slug.endsWith('-')).toBe(false);
    expect(slug).toBe('add-a-very-long-feature-name-that-goes-o');
  });

  it('drops a trailing dash left by truncation', () => {
    const slug = branchName(1, `${'a'.repeat(39)} b`).slice('looper/1-'.length);
    expect(slug).toBe('a'.repeat(39));
  });

  it('uses just the number when the title has no ascii letters or digits', () => {
    expect(branchName(7, '🚀 !!! ')).toBe('looper/7');
    expect(branchName(8, '')).toBe('looper/8');
  });

  it('rejects a negative or fractional issue number', () => {
    expect(() => branchName(-1, 'x')).toThrow(LooperError);
    expect(() => branchName(1.5, 'x')).toThrow(LooperError);
  });
});
