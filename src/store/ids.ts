// The default id source: `<prefix>_<time><sequence><random>`, sortable by creation within one
// process. The daemon may inject its own IdSource instead.
import { randomBytes } from 'node:crypto';
import type { Clock, IdPrefix, IdSource } from '../domain/index.js';

export function createIdSource(clock: Clock): IdSource {
  let lastTime = 0;
  let sequence = 0;
  return {
    next(prefix: IdPrefix): string {
      const now = Math.max(clock.now(), lastTime);
      sequence = now === lastTime ? sequence + 1 : 0;
      lastTime = now;
      const time = now.toString(36).padStart(9, '0');
      const seq = sequence.toString(36).padStart(4, '0');
      return `${prefix}_${time}${seq}${randomBytes(3).toString('hex')}`;
    },
  };
}
