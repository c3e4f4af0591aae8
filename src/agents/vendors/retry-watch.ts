// Watches the API failures a CLI retries on its own (OpenCode and Gemini retry 429/5xx for minutes
// and print nothing on stdout meanwhile) and decides when the run should give up.
import type { AgentErrorKind, AgentGiveUp } from '../vendor.js';

/** Consecutive retried rate-limit or server errors before giving up, as Claude Code's 2 retries. */
const MAX_ATTEMPTS = 3;

export interface RetryWatch {
  /** One failed API attempt the CLI will retry. */
  failed(kind: AgentErrorKind, message: string): void;
  /** The model answered: earlier failures were transient. */
  progressed(): void;
  giveUp(): AgentGiveUp | null;
}

export function retryWatch(): RetryWatch {
  let attempts = 0;
  let verdict: AgentGiveUp | null = null;
  return {
    failed(kind, message) {
      if (verdict) return;
      attempts += 1;
      // A spent quota or a refused key does not clear within a run; rate limits might.
      if (kind === 'quota' || kind === 'auth' || attempts >= MAX_ATTEMPTS) {
        verdict = { kind, message };
      }
    },
    progressed() {
      attempts = 0;
    },
    giveUp() {
      return verdict;
    },
  };
}
