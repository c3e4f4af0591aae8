// The real clock, built once by the composition root.
import type { Clock } from '../domain/index.js';

export const systemClock: Clock = { now: () => Date.now() };
