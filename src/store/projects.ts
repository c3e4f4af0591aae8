// Projects: the watched repositories (a forge repo or a local path) with their check commands.
import type { Selectable } from 'kysely';
import { type Clock, type IdSource, LooperError, type ProjectId } from '../domain/index.js';
import { type Db, fromJson, isUniqueViolation, toJson } from './db-helpers.js';
import type { ForgeKind, ProjectsTable } from './schema.js';

export interface ProjectRecord {
  id: ProjectId;
  name: string;
  forge: ForgeKind;
  /** `owner/name` on a hosted forge, else null. */
  repo: string | null;
  /** Local repository path (local forge), else null. */
  path: string | null;
  baseBranch: string;
  checks: string[];
  createdAt: number;
  updatedAt: number;
}

export interface CreateProject {
  /** Default: a new id from the store's IdSource (pass one when it is needed before the insert). */
  id?: string;
  name: string;
  forge: ForgeKind;
  repo?: string | null;
  path?: string | null;
  baseBranch?: string;
  checks?: string[];
}

export interface UpdateProject {
  checks?: string[];
  baseBranch?: string;
}

export interface ProjectsRepo {
  createProject(input: CreateProject): Promise<ProjectRecord>;
  /** Throws LooperError('not_found'). */
  getProject(id: string): Promise<ProjectRecord>;
  findProjectByPath(path: string): Promise<ProjectRecord | null>;
  findProjectByRepo(repo: string): Promise<ProjectRecord | null>;
  listProjects(): Promise<ProjectRecord[]>;
  /** Throws LooperError('not_found'). */
  updateProject(id: string, patch: UpdateProject): Promise<ProjectRecord>;
}

function toRecord(row: Selectable<ProjectsTable>): ProjectRecord {
  return {
    id: row.id as ProjectId,
    name: row.name,
    forge: row.forge,
    repo: row.repo,
    path: row.path,
    baseBranch: row.base_branch,
    checks: fromJson<string[]>(row.checks, []),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createProjectsRepo(db: Db, clock: Clock, ids: IdSource): ProjectsRepo {
  const find = async (column: 'id' | 'path' | 'repo', value: string) => {
    const row = await db
      .selectFrom('projects')
      .selectAll()
      .where(column, '=', value)
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  };

  const getProject = async (id: string) => {
    const project = await find('id', id);
    if (!project) throw new LooperError('not_found', `project ${id} not found`);
    return project;
  };

  return {
    async createProject(input) {
      const now = clock.now();
      const insert = db
        .insertInto('projects')
        .values({
          id: input.id ?? ids.next('prj'),
          name: input.name,
          forge: input.forge,
          repo: input.repo ?? null,
          path: input.path ?? null,
          base_branch: input.baseBranch ?? 'main',
          checks: toJson(input.checks ?? []),
          created_at: now,
          updated_at: now,
        })
        .returningAll();
      try {
        return toRecord(await insert.executeTakeFirstOrThrow());
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const where = input.repo ?? input.path ?? input.name;
        throw new LooperError('conflict', `a project for ${where} already exists`, {
          cause: error,
        });
      }
    },
    getProject,
    findProjectByPath: (path) => find('path', path),
    findProjectByRepo: (repo) => find('repo', repo),
    async listProjects() {
      const rows = await db.selectFrom('projects').selectAll().orderBy('created_at').execute();
      return rows.map(toRecord);
    },
    async updateProject(id, patch) {
      await db
        .updateTable('projects')
        .set({
          updated_at: clock.now(),
          ...(patch.checks ? { checks: toJson(patch.checks) } : {}),
          ...(patch.baseBranch ? { base_branch: patch.baseBranch } : {}),
        })
        .where('id', '=', id)
        .execute();
      return getProject(id);
    },
  };
}
