// Per-project claim rules (SPEC §8): `[[projects]] max-concurrent` loops at once, and at most
// `loop.max-new-prs-per-hour` new pull requests per project. The scheduler excludes the loops these
// rules hold back from each claim; the global limit and dedupe are the queue's own.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ProjectConfig } from '../config/index.js';
import type { Clock } from '../domain/index.js';
import type { ProjectRecord, Store } from '../store/index.js';

export interface AdmissionOptions {
  store: Store;
  clock: Clock;
  /** `[[projects]]` from the config; a stored project matches one by `repo` or by `path`. */
  projects: readonly ProjectConfig[];
  /** `loop.max-new-prs-per-hour`; 0 = no cap. */
  maxNewPrsPerHour: number;
}

export interface Admission {
  /** Loops with a claimable entry that must wait, given the loops this node is running. */
  blocked(running: readonly string[]): Promise<string[]>;
}

const hourMs = 3_600_000;

interface LoopRow {
  loopId: string;
  projectId: string;
  hasPr: boolean;
}

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** The configured `max-concurrent` of a stored project, or undefined when none is configured. */
export function projectLimit(
  project: ProjectRecord,
  configured: readonly ProjectConfig[],
): number | undefined {
  const match = configured.find(
    (p) =>
      (p.repo !== undefined && p.repo === project.repo) ||
      (p.path !== undefined &&
        project.path !== null &&
        realOrResolved(p.path) === realOrResolved(project.path)),
  );
  return match?.['max-concurrent'];
}

/** Null when no rule can hold a loop back (no project limits, no PR cap). */
export function createAdmission(options: AdmissionOptions): Admission | null {
  const { store, clock } = options;
  if (options.projects.length === 0 && options.maxNewPrsPerHour <= 0) return null;
  const limits = new Map<string, number | undefined>();
  /** `pr.opened` times per project within the last hour, read forward from `cursor`. */
  const opened: { at: number; projectId: string }[] = [];
  let cursor: number | null = null;

  async function limitOf(projectId: string): Promise<number | undefined> {
    if (!limits.has(projectId)) {
      for (const project of await store.projects.listProjects()) {
        limits.set(project.id, projectLimit(project, options.projects));
      }
      if (!limits.has(projectId)) limits.set(projectId, undefined);
    }
    return limits.get(projectId);
  }

  async function openedLastHour(now: number): Promise<Map<string, number>> {
    const latest = await store.events.latestEventId();
    let query = store.db
      .selectFrom('events')
      .select(['at', 'data'])
      .where('type', '=', 'pr.opened')
      .where('id', '<=', latest);
    query =
      cursor === null ? query.where('at', '>=', now - hourMs) : query.where('id', '>', cursor);
    for (const row of await query.execute()) {
      const data = JSON.parse(row.data) as { project_id?: unknown };
      if (typeof data.project_id === 'string')
        opened.push({ at: row.at, projectId: data.project_id });
    }
    cursor = latest;
    while (opened.length > 0 && (opened[0]?.at ?? now) < now - hourMs) opened.shift();
    const counts = new Map<string, number>();
    for (const { projectId } of opened) counts.set(projectId, (counts.get(projectId) ?? 0) + 1);
    return counts;
  }

  async function loopRows(loopIds: readonly string[]): Promise<LoopRow[]> {
    if (loopIds.length === 0) return [];
    const rows = await store.db
      .selectFrom('loops')
      .select(['id', 'project_id', 'pr_number'])
      .where('id', 'in', [...loopIds])
      .execute();
    return rows.map((r) => ({
      loopId: r.id,
      projectId: r.project_id,
      hasPr: r.pr_number !== null,
    }));
  }

  async function claimable(now: number): Promise<LoopRow[]> {
    const rows = await store.db
      .selectFrom('queue_entries as q')
      .innerJoin('loops as l', 'l.id', 'q.loop_id')
      .select(['q.loop_id', 'l.project_id', 'l.pr_number'])
      .where('q.status', '=', 'queued')
      .where('q.not_before', '<=', now)
      .execute();
    return rows.map((r) => ({
      loopId: r.loop_id,
      projectId: r.project_id,
      hasPr: r.pr_number !== null,
    }));
  }

  return {
    async blocked(running) {
      const now = clock.now();
      const candidates = await claimable(now);
      if (candidates.length === 0) return [];
      const busy = new Map<string, number>();
      const opening = new Map<string, number>();
      for (const row of await loopRows(running)) {
        busy.set(row.projectId, (busy.get(row.projectId) ?? 0) + 1);
        if (!row.hasPr) opening.set(row.projectId, (opening.get(row.projectId) ?? 0) + 1);
      }
      const cap = options.maxNewPrsPerHour;
      const prs = cap > 0 ? await openedLastHour(now) : new Map<string, number>();
      const held: string[] = [];
      for (const row of candidates) {
        const limit = await limitOf(row.projectId);
        if (limit !== undefined && (busy.get(row.projectId) ?? 0) >= limit) {
          held.push(row.loopId);
          continue;
        }
        // A loop without a PR will open one: count those already on their way to opening one.
        const soon = (prs.get(row.projectId) ?? 0) + (opening.get(row.projectId) ?? 0);
        if (cap > 0 && !row.hasPr && soon >= cap) held.push(row.loopId);
      }
      return held;
    },
  };
}
