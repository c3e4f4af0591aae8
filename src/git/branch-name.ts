// Names the branch a loop works on: `looper/<issue>-<slug>`, derived from the issue title.
import { LooperError } from '../domain/index.js';

const maxSlugLength = 40;

/** Lowercase ASCII words joined by dashes, at most 40 characters, never ending in a dash. */
export function slugify(title: string): string {
  const ascii = title.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const slug = ascii
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, maxSlugLength).replace(/-+$/, '');
}

export function branchName(issueNumber: number, title: string): string {
  if (!Number.isSafeInteger(issueNumber) || issueNumber < 0) {
    throw new LooperError('validation_failed', 'issue number must be a non-negative integer', {
      details: { issueNumber },
    });
  }
  const slug = slugify(title);
  return slug === '' ? `looper/${issueNumber}` : `looper/${issueNumber}-${slug}`;
}
