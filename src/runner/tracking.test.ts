import { describe, expect, it } from 'vitest';
import { newLoopState } from '../domain/index.js';
import type { LoopRecord } from '../store/index.js';
import { renderTracking } from './tracking.js';

function loop(kind: LoopRecord['kind'], stage: LoopRecord['stage']): LoopRecord {
  const state = { ...newLoopState(0, kind), stage };
  return {
    id: 'loop_1',
    projectId: 'proj_1',
    kind,
    number: 7,
    title: 't',
    body: '',
    stage,
    paused: false,
    state,
    branch: 'b',
    prNumber: 7,
    options: {},
    pendingEffects: [],
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    version: 1,
    createdAt: 0,
    updatedAt: 0,
    finishedAt: null,
  } as unknown as LoopRecord;
}

const checked = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('- [x]'))
    .map((l) => l.slice(6));

describe('tracking comment', () => {
  it('shows an issue loop’s checklist up to its stage', () => {
    const text = renderTracking(loop('issue', 'checking'), 60_000, null);
    expect(text).toContain('is working on this issue — stage: `checking`');
    expect(checked(text)).toEqual(['Plan written', 'Plan reviewed', 'Implemented']);
  });

  it('speaks of the pull request, with each PR loop’s own checklist', () => {
    const fix = renderTracking(loop('fix', 'pr_open'), 0, 'https://x/pull/7');
    expect(fix).toContain('is working on this pull request — stage: `pr_open`');
    expect(checked(fix)).toEqual(['CI and feedback read', 'Checks pass']);
    const review = renderTracking(loop('review', 'ready'), 0, 'https://x/pull/7');
    expect(review).toContain('is reviewing this pull request — stage: `ready`');
    expect(checked(review)).toEqual([
      'Head reviewed',
      'Waiting for the next push (remove `looper:review` to stop)',
    ]);
  });
});
