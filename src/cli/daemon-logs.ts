// `looper daemon logs [-f] [-n N] [--output]`: the end of looperd's structured log (pino JSON lines
// in <data dir>/logs/looperd.log) rendered as readable lines, or as they are with --json; `-f` keeps
// printing what is appended until Ctrl-C. `--output` reads daemon.log (looperd's stdout/stderr).
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LooperError } from '../domain/index.js';
import { type CommandContext, resolveTarget } from './context.js';
import { daemonLogFile } from './daemon-process.js';
import { renderLogLine } from './log-line.js';
import { exitCodes } from './output.js';

export interface DaemonLogsOptions {
  follow?: boolean;
  lines?: string;
  /** Read daemon.log (what looperd printed) instead of the structured log. */
  output?: boolean;
}

const defaultLines = 50;
const pollMs = 250;
const chunkBytes = 64 * 1024;

export function structuredLogFile(dataDir: string): string {
  return join(dataDir, 'logs', 'looperd.log');
}

function lineCount(value: string | undefined): number {
  if (value === undefined) return defaultLines;
  if (!/^\d{1,9}$/.test(value.trim())) {
    throw new LooperError('bad_request', `--lines must be a whole number, got ${value}`);
  }
  return Number(value.trim());
}

async function size(file: string): Promise<number | null> {
  try {
    return (await stat(file)).size;
  } catch {
    return null;
  }
}

export interface Tail {
  /** The last complete lines, oldest first. */
  lines: string[];
  /** Text after the last line feed (a line still being written), else ''. */
  partial: string;
}

/** The last `count` complete lines before byte `end`, read backwards in chunks. */
export async function tailLines(file: string, end: number, count: number): Promise<Tail> {
  if (end === 0) return { lines: [], partial: '' };
  const handle = await open(file, 'r');
  try {
    let start = end;
    let bytes = Buffer.alloc(0);
    let newlines = 0;
    // One more line feed than asked: the first line read may be cut. Bytes are decoded once, at
    // the end, so a character split across two chunks stays whole.
    while (start > 0 && newlines <= count) {
      const from = Math.max(0, start - chunkBytes);
      const chunk = Buffer.alloc(start - from);
      await handle.read(chunk, 0, chunk.length, from);
      for (const byte of chunk) if (byte === 0x0a) newlines++;
      bytes = Buffer.concat([chunk, bytes]);
      start = from;
    }
    const lines = bytes.toString('utf8').split('\n');
    const partial = lines.pop() ?? '';
    return { lines: count === 0 ? [] : lines.slice(-count), partial };
  } finally {
    await handle.close();
  }
}

export async function daemonLogs(ctx: CommandContext, options: DaemonLogsOptions): Promise<number> {
  const count = lineCount(options.lines);
  const target = await resolveTarget(ctx.io, ctx.out, ctx.globals);
  const file = options.output ? daemonLogFile(target.dataDir) : structuredLogFile(target.dataDir);
  const print = (line: string) => {
    if (line === '') return;
    if (ctx.out.json) {
      // The structured log is NDJSON already; a plain line is wrapped.
      ctx.out.raw(`${line.startsWith('{') && isJson(line) ? line : JSON.stringify({ line })}\n`);
    } else {
      ctx.out.raw(`${renderLogLine(line)}\n`);
    }
  };
  const end = await size(file);
  if (end === null && !options.follow) {
    ctx.out.info(`no log yet at ${file}`);
    return exitCodes.success;
  }
  const tail = await tailLines(file, end ?? 0, count);
  for (const line of tail.lines) print(line);
  if (!options.follow) {
    print(tail.partial);
    return exitCodes.success;
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await follow({ file, from: end ?? 0, partial: tail.partial, print, signal: stop.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return exitCodes.success;
}

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

export interface FollowOptions {
  file: string;
  /** Byte offset to read on from. */
  from: number;
  /** The incomplete line before `from`, completed by what is appended. */
  partial: string;
  print: (line: string) => void;
  signal: AbortSignal;
}

/** Prints complete lines appended after `from` until the signal; starts over if the file shrinks. */
export async function follow(options: FollowOptions): Promise<void> {
  const { file, print, signal } = options;
  let position = options.from;
  let partial = options.partial;
  while (!signal.aborted) {
    const current = await size(file);
    if (current !== null && current < position) {
      position = 0; // truncated or replaced
      partial = '';
    }
    if (current !== null && current > position) {
      const handle = await open(file, 'r');
      try {
        const buffer = Buffer.alloc(current - position);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
        position += bytesRead;
        const lines = (partial + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) print(line);
      } finally {
        await handle.close();
      }
      continue;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}
