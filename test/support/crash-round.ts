// One round of a seeded crash suite: follow every loop's stage on the event stream and, after
// `kill` events, `kill -9` the daemon, unless every loop has ended by then.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readEvents, terminalStages } from './loop-events.js';
import type { LooperEnv } from './looper-harness.js';

export interface CrashRoundInput {
  looper: LooperEnv;
  daemon: ChildProcess;
  /** The last event id seen by earlier rounds. */
  after: number;
  /** Events to read before the kill; null runs the round to the end. */
  kill: number | null;
  /** Every loop of the suite by id, with the stage last seen (updated in place). */
  loops: Map<string, { stage: string }>;
  /** True while the suite still has loops to add in later rounds. */
  morePending: () => boolean;
}

export async function crashRound(
  input: CrashRoundInput,
): Promise<{ after: number; killed: boolean }> {
  const { kill, loops } = input;
  let after = input.after;
  let seen = 0;
  const allEnded = () => [...loops.values()].every((l) => terminalStages.has(l.stage));
  await readEvents(input.looper, { after }, (event) => {
    after = event.id;
    seen++;
    const loop = event.loop_id === null ? undefined : loops.get(event.loop_id);
    if (loop && event.type === 'loop.stage') loop.stage = String(event.data.to);
    if (kill !== null && seen >= kill) return true;
    return !input.morePending() && allEnded();
  });
  if (kill !== null && seen >= kill && !(!input.morePending() && allEnded())) {
    const exited = once(input.daemon, 'exit');
    input.daemon.kill('SIGKILL');
    await exited;
    return { after, killed: true };
  }
  return { after, killed: false };
}
