import { describe, expect, it } from 'vitest';
import { aggregateChecks, checkStateOfStatus } from './checks.js';

const item = (state: 'pending' | 'success' | 'failure') => ({
  name: state,
  state,
  description: '',
});

describe('aggregateChecks', () => {
  it('is none without items, failure on any failure, pending on any pending, else success', () => {
    expect(aggregateChecks([])).toBe('none');
    expect(aggregateChecks([item('success'), item('pending'), item('failure')])).toBe('failure');
    expect(aggregateChecks([item('success'), item('pending')])).toBe('pending');
    expect(aggregateChecks([item('success'), item('success')])).toBe('success');
  });

  it('counts a status error as a failure', () => {
    expect(checkStateOfStatus('error')).toBe('failure');
    expect(checkStateOfStatus('pending')).toBe('pending');
  });
});
