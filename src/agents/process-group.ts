// Process-group helpers: the executor kills whole groups with them, and the scheduler uses them to
// recognise (and end) its own orphaned agents after a crash.
import fs from 'node:fs';

/**
 * Sends `signal` to every process in the group led by `pid` (a negative pid to kill(2)).
 * Returns false when the group no longer exists or may not be signalled.
 */
export function killProcessGroup(pid: number, signal: NodeJS.Signals | 0 = 'SIGTERM'): boolean {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * True while the group led by `pid` has a member that is not a zombie. On Linux /proc is read so
 * that zombies left by a non-reaping PID 1 (common in containers) do not count as alive.
 */
export function isProcessGroupAlive(pid: number): boolean {
  if (!killProcessGroup(pid, 0)) return false;
  if (process.platform !== 'linux') return true;
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStatFields(Number(entry));
    // After the comm field: [0] state, [1] ppid, [2] pgrp.
    if (stat && stat[2] === String(pid) && stat[0] !== 'Z' && stat[0] !== 'X') return true;
  }
  return false;
}

/**
 * The kernel's start time of `pid` (field 22 of /proc/<pid>/stat, clock ticks since boot), which
 * together with the pid identifies one process across pid reuse. Null off Linux or when gone.
 */
export function processStartTime(pid: number): string | null {
  if (process.platform !== 'linux' || !Number.isInteger(pid) || pid <= 0) return null;
  // Field 22 overall is index 19 of the fields after "pid (comm)".
  return readStatFields(pid)?.[19] ?? null;
}

/** The fields of /proc/<pid>/stat after the `(comm)` field, which may itself hold spaces. */
function readStatFields(pid: number): string[] | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  return text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
}
