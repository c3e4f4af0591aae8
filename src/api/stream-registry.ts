// Keeps the closers of open long-lived responses (SSE, followed logs) so server shutdown can end
// them instead of waiting for clients that never hang up.
export interface StreamRegistry {
  /** Registers a closer; returns the function that unregisters it. */
  add(close: () => void): () => void;
  /** Closes every open stream, and any stream registered afterwards at once. */
  closeAll(): void;
}

export function createStreamRegistry(): StreamRegistry {
  const open = new Set<() => void>();
  let closed = false;
  return {
    add(close) {
      if (closed) {
        close();
        return () => {};
      }
      open.add(close);
      return () => {
        open.delete(close);
      };
    },
    closeAll() {
      closed = true;
      for (const close of [...open]) close();
      open.clear();
    },
  };
}
