// Folding a sha's individual checks and statuses into one verdict; shared by every forge.
import type { CheckItem, CheckState, CommitStatusState, ForgeChecks } from './forge.js';

/** Any failure → failure; else any pending → pending; no items → none; else success. */
export function aggregateChecks(items: readonly CheckItem[]): ForgeChecks['state'] {
  if (items.length === 0) return 'none';
  if (items.some((item) => item.state === 'failure')) return 'failure';
  if (items.some((item) => item.state === 'pending')) return 'pending';
  return 'success';
}

/** A commit status `error` counts as a failed check. */
export function checkStateOfStatus(state: CommitStatusState): CheckState {
  return state === 'error' ? 'failure' : state;
}
