// The CLI's only door to the terminal: data on stdout (tables for people, one JSON document or
// NDJSON for machines), progress and diagnostics on stderr, and the one table of exit codes.

/** Exit codes of every `looper` command. */
export const exitCodes = { success: 0, failure: 1, usage: 2 } as const;
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** The part of a stream the CLI writes to (process.stdout, or a buffer in tests). */
export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** What the error printer needs from an error: a LooperError fits, so does any `{code,message}`. */
export interface PrintableError {
  code: string;
  message: string;
  details?: unknown;
  exitCode?: number;
}

export interface Output {
  readonly json: boolean;
  /** True when stderr is a terminal: progress lines are shown. */
  readonly interactive: boolean;
  /** Terminal width for tables and progress lines (80 when unknown). */
  readonly width: number;
  /** The command's result: one JSON document with --json, else `human()` on stdout. */
  result(value: unknown, human: () => string): void;
  /** One NDJSON line on stdout (streams with --json). */
  ndjson(value: unknown): void;
  /** Raw text on stdout (logs, help). */
  raw(text: string): void;
  /** A diagnostic line on stderr. */
  info(text: string): void;
  /** Raw text on stderr (help shown after a usage error). */
  rawError(text: string): void;
  /** A progress line on stderr, only on a terminal. */
  progress(text: string): void;
  /** Prints an error (JSON envelope with --json) and returns its exit code. */
  error(error: unknown): number;
}

export interface OutputOptions {
  json: boolean;
  stdout?: TextSink;
  stderr?: TextSink;
}

export function createOutput(options: OutputOptions): Output {
  const stdout: TextSink = options.stdout ?? process.stdout;
  const stderr: TextSink = options.stderr ?? process.stderr;
  const json = options.json;
  const line = (sink: TextSink, text: string) =>
    sink.write(text.endsWith('\n') ? text : `${text}\n`);
  return {
    json,
    interactive: stderr.isTTY === true,
    width: stdout.columns || stderr.columns || 80,
    result(value, human) {
      if (json) line(stdout, JSON.stringify(value, null, 2));
      else {
        const text = human();
        if (text !== '') line(stdout, text);
      }
    },
    ndjson(value) {
      line(stdout, JSON.stringify(value));
    },
    raw(text) {
      stdout.write(text);
    },
    info(text) {
      line(stderr, text);
    },
    rawError(text) {
      stderr.write(text);
    },
    progress(text) {
      if (stderr.isTTY === true) line(stderr, text);
    },
    error(error) {
      const printable = toPrintable(error);
      if (json) line(stdout, JSON.stringify({ ok: false, error: envelopeError(printable) }));
      else line(stderr, formatError(printable));
      return exitCodeOf(printable);
    },
  };
}

/**
 * A reader that went away (`looper --help | head -1`) is not Looper's failure: the first EPIPE on
 * stdout or stderr ends the process at once with status 0, quietly (there is nobody left to tell),
 * instead of Node's unhandled 'error' stack trace. Any other stream error is thrown as before.
 */
export function exitQuietlyOnBrokenPipe(
  streams: readonly NodeJS.EventEmitter[],
  exit: (code: number) => void,
): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      exit(exitCodes.success);
    });
  }
}

/** The exit code for an error: its own `exitCode` (LooperError), else 1. */
export function exitCodeOf(error: PrintableError): number {
  return typeof error.exitCode === 'number' ? error.exitCode : exitCodes.failure;
}

function envelopeError(error: PrintableError): Record<string, unknown> {
  const out: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.details !== undefined) out.details = error.details;
  return out;
}

export function toPrintable(error: unknown): PrintableError {
  if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) {
    const candidate = error as Partial<PrintableError>;
    if (typeof candidate.code === 'string' && typeof candidate.message === 'string') {
      return {
        code: candidate.code,
        message: candidate.message,
        details: candidate.details,
        exitCode: candidate.exitCode,
      };
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message, exitCode: exitCodes.failure };
}

const validationHeadlines: Record<string, string> = {
  config_invalid: 'invalid configuration',
  validation_failed: 'invalid request',
  bad_request: 'bad request',
};

/** `looper: <message>`, then one indented line per validation issue. */
export function formatError(error: PrintableError): string {
  const messageLines = error.message.split('\n').filter((text) => text.trim() !== '');
  const headline = validationHeadlines[error.code];
  const issues = headline === undefined ? [] : detailLines(error.details);
  const covered = issues.every((issue) => messageLines.includes(issue));
  // A message that only repeats its issues (config errors) gets a headline and the issue list.
  if (headline !== undefined && issues.length > 1 && covered) {
    const count = `${issues.length} issues`;
    return [`looper: ${headline} (${count}):`, ...issues.map((text) => `  ${text}`)].join('\n');
  }
  const [first = error.code, ...rest] = messageLines;
  const extra = covered ? [] : issues;
  return [`looper: ${first}`, ...[...rest, ...extra].map((text) => `  ${text}`)].join('\n');
}

/** Readable lines from error details: `{issues:[…]}`, arrays of strings or `{key|path, reason|message}`. */
export function detailLines(details: unknown): string[] {
  if (Array.isArray(details)) return details.map(issueLine);
  if (typeof details === 'object' && details !== null) {
    const issues = (details as { issues?: unknown }).issues;
    if (Array.isArray(issues)) return issues.map(issueLine);
  }
  return [];
}

function issueLine(issue: unknown): string {
  if (typeof issue === 'string') return issue;
  if (typeof issue !== 'object' || issue === null) return String(issue);
  const record = issue as Record<string, unknown>;
  const path = Array.isArray(record.path) ? record.path.join('.') : record.path;
  const key = typeof record.key === 'string' ? record.key : path;
  const reason = record.reason ?? record.message;
  if (typeof reason !== 'string') return JSON.stringify(issue);
  const file = typeof record.file === 'string' ? `${record.file}: ` : '';
  const where = typeof key === 'string' && key !== '' ? `${key}: ` : '';
  const hint = typeof record.hint === 'string' ? ` (${record.hint})` : '';
  return `${file}${where}${reason}${hint}`;
}

export type Align = 'left' | 'right';

/** Aligned columns separated by two spaces; no trailing blanks. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) =>
    Math.max(...all.map((row) => (row[column] ?? '').length)),
  );
  return all
    .map((row) =>
      widths
        .map((width, column) => {
          const cell = row[column] ?? '';
          return align[column] === 'right' ? cell.padStart(width) : cell.padEnd(width);
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `key  value` lines with the keys aligned. */
export function formatPairs(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...pairs.map(([key]) => key.length));
  return pairs.map(([key, value]) => `${key.padEnd(width)}  ${value}`.trimEnd()).join('\n');
}

/** Cuts text to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  return max <= 1 ? flat.slice(0, max) : `${flat.slice(0, max - 1)}…`;
}
