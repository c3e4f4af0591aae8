// Folds a run's AgentEvents into what its outcome reports: final text, summed usage, session id
// and the last error, forwarding each event to the caller's observer on the way.
import type { AgentErrorKind, AgentEvent } from './vendor.js';

export class OutcomeAccumulator {
  readonly usage = {
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    costUsd: null as number | null,
  };
  sessionId: string | null = null;
  error: { kind: AgentErrorKind; message: string } | null = null;
  resultIsError = false;
  private resultText: string | null = null;
  private readonly texts: string[] = [];

  constructor(private readonly onEvent?: (event: AgentEvent) => void) {}

  addAll(events: readonly AgentEvent[]): void {
    for (const event of events) this.add(event);
  }

  /** The result event's text when there was one, else all text the agent printed. */
  finalText(): string {
    return this.resultText ?? this.texts.join('\n');
  }

  private add(event: AgentEvent): void {
    switch (event.type) {
      case 'text':
        this.texts.push(event.text);
        break;
      case 'usage':
        this.usage.inputTokens += event.inputTokens;
        this.usage.outputTokens += event.outputTokens;
        this.usage.cachedTokens += event.cachedTokens;
        if (event.costUsd !== null) this.usage.costUsd = (this.usage.costUsd ?? 0) + event.costUsd;
        break;
      case 'result':
        this.resultText = event.text;
        this.resultIsError = event.isError;
        if (event.sessionId) this.sessionId = event.sessionId;
        break;
      case 'session':
        this.sessionId = event.sessionId;
        break;
      case 'error':
        this.error = { kind: event.kind, message: event.message };
        break;
      case 'tool_use':
      case 'tool_result':
        break;
      default:
        assertNever(event);
    }
    try {
      this.onEvent?.(event);
    } catch {
      // an observer's failure must not change the run's outcome
    }
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled agent event: ${JSON.stringify(value)}`);
}
