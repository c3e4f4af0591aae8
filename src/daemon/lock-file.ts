// One daemon per data dir: an exclusive lock file holding the owner's pid. A stale lock (its pid is
// gone) is taken over; a live one refuses the second daemon.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { LooperError } from '../domain/index.js';

/** A zombie (exited, not yet reaped) holds no lock: on Linux its /proc state is Z. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  if (isZombie(pid)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LockFile {
  path: string;
  release(): void;
}

export function acquireLock(path: string, pid = process.pid): LockFile {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${pid}\n`);
      closeSync(fd);
      return { path, release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== pid && isAlive(holder)) {
        throw new LooperError(
          'conflict',
          `another looperd (pid ${holder}) already uses this data dir (lock ${path})`,
          {
            details: { pid: holder, lock: path },
          },
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new LooperError('conflict', `could not take the lock ${path}`);
}
