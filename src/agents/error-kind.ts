// Classifies a vendor's API failure into the kinds the scheduler acts on (fallback vendor on
// quota or rate limit, needs_human on auth, retry on other API errors).
import type { AgentErrorKind } from './vendor.js';

export interface ApiFailure {
  /** HTTP status, when the vendor reports it. */
  status?: number | null;
  /** The vendor's own error tag (Claude Code: rate_limit, billing_error, authentication_failed…). */
  tag?: string | null;
  message?: string | null;
}

const QUOTA =
  /credit balance|billing|quota|insufficient[_ ](?:funds|credits)|usage credits|(?<!not your )usage limit|(?<!rate )limit reached|out of (?:extra )?usage/i;
const RATE_LIMIT = /rate[_ -]?limit|too many requests|\b429\b/i;
const AUTH =
  /(?:invalid|incorrect) (?:x-)?api[_ -]?key|api[_ -]?key not valid|api_key_invalid|unauthenticated|authentication|unauthori[sz]ed|\/login|oauth token|\b401\b|permission[_ ]denied/i;

export function classifyApiError(failure: ApiFailure): Exclude<AgentErrorKind, 'max_turns'> {
  const tag = failure.tag ?? '';
  const message = failure.message ?? '';
  if (tag === 'billing_error' || QUOTA.test(message)) return 'quota';
  if (tag === 'rate_limit' || failure.status === 429 || RATE_LIMIT.test(message)) {
    return 'rate_limit';
  }
  if (
    tag === 'authentication_failed' ||
    tag === 'oauth_org_not_allowed' ||
    failure.status === 401 ||
    failure.status === 403 ||
    AUTH.test(message)
  ) {
    return 'auth';
  }
  if (failure.status || tag || /api error|overloaded|\b5\d\d\b/i.test(message)) return 'api';
  return 'unknown';
}
