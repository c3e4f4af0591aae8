// Replays a recorded run (stdout and, where a CLI reports retries there, stderr) through a
// vendor's stream parser, for the parser tests beside each vendor.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentEvent, AgentGiveUp, StreamParser } from '../vendor.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

function lines(name: string): string[] {
  return fs.readFileSync(path.join(fixtures, name), 'utf8').split('\n');
}

export interface Replay {
  events: AgentEvent[];
  giveUp: AgentGiveUp | null;
}

export function replay(parser: StreamParser, stdout: string | null, stderr?: string): Replay {
  const events: AgentEvent[] = [];
  if (stderr) for (const line of lines(stderr)) events.push(...(parser.feedStderr?.(line) ?? []));
  if (stdout) for (const line of lines(stdout)) events.push(...parser.feed(line));
  events.push(...parser.end());
  return { events, giveUp: parser.giveUp?.() ?? null };
}

export function ofType<T extends AgentEvent['type']>(events: AgentEvent[], type: T) {
  return events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);
}
