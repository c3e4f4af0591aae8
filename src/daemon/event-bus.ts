// Events are stored first, then handed to live subscribers (the SSE stream). One bus per daemon.
import type { EventSink } from '../runner/index.js';
import type { AppendEvent, EventRecord, Store } from '../store/index.js';

export interface EventBus extends EventSink {
  subscribe(listener: (event: EventRecord) => void): () => void;
}

export function createEventBus(store: Store, onListenerError: (error: unknown) => void): EventBus {
  const listeners = new Set<(event: EventRecord) => void>();
  return {
    async emit(input: AppendEvent) {
      const event = await store.events.appendEvent(input);
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error) {
          onListenerError(error);
        }
      }
      return event;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
