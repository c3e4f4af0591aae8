// Renders one line of looperd's pino log for people: `time LEVEL message key=value…`, with an error's
// stack indented below. A line that is not a pino JSON object is returned as it is.

const levels: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** pino's own fields, shown in the line's head (or not at all), not as key=value. */
const headFields = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'v']);

function value(raw: unknown): string {
  if (typeof raw === 'string') return /^[^\s"=]+$/.test(raw) ? raw : JSON.stringify(raw);
  if (typeof raw === 'object' && raw !== null) {
    const message = (raw as { message?: unknown }).message;
    // An error object (pino's `err` serializer): its message here, its stack below.
    if (typeof message === 'string' && 'stack' in raw) return JSON.stringify(message);
  }
  return JSON.stringify(raw) ?? String(raw);
}

export function renderLogLine(line: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return line;
  const record = entry as Record<string, unknown>;
  const time =
    typeof record.time === 'number' ? new Date(record.time).toISOString().replace('T', ' ') : '';
  const level =
    typeof record.level === 'number' ? (levels[record.level] ?? String(record.level)) : '';
  const fields: string[] = [];
  const stacks: string[] = [];
  for (const [key, raw] of Object.entries(record)) {
    if (headFields.has(key)) continue;
    fields.push(`${key}=${value(raw)}`);
    const stack =
      typeof raw === 'object' && raw !== null ? (raw as { stack?: unknown }).stack : null;
    if (typeof stack === 'string') stacks.push(...stack.split('\n').map((l) => `    ${l}`));
  }
  const head = [time, level.padEnd(5), typeof record.msg === 'string' ? record.msg : '']
    .filter((part) => part.trim() !== '')
    .join(' ');
  return [[head, ...fields].join(' '), ...stacks].join('\n');
}
