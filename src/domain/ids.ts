// Branded ids: every id in Looper is a string, but a LoopId is never confused with a RunId.

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type ProjectId = Brand<string, 'ProjectId'>;
export type LoopId = Brand<string, 'LoopId'>;
export type RunId = Brand<string, 'RunId'>;
export type QueueEntryId = Brand<string, 'QueueEntryId'>;

/** Source of new ids; injected so tests are deterministic. */
export interface IdSource {
  next(prefix: IdPrefix): string;
}

export const idPrefixes = ['prj', 'loop', 'run', 'q', 'evt', 'node'] as const;
export type IdPrefix = (typeof idPrefixes)[number];

/** Time source; injected so tests are deterministic. */
export interface Clock {
  now(): number;
}
