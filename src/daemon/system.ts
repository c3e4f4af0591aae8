// Real clock and id source, built once by the composition root.
import { randomBytes } from 'node:crypto';
import type { Clock, IdPrefix, IdSource } from '../domain/index.js';

export const systemClock: Clock = { now: () => Date.now() };

/** Ids sort by creation time and carry their kind: `loop_lz3k9q_4f2a1c`. */
export function createIdSource(clock: Clock): IdSource {
  return {
    next(prefix: IdPrefix): string {
      return `${prefix}_${clock.now().toString(36)}${randomBytes(4).toString('hex')}`;
    },
  };
}
