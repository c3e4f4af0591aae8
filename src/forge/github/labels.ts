// Labels on GitHub: SPEC §3's labels created if missing (with colours), and the state label kept
// exactly one at a time with the fewest writes (only the labels that change are touched).
import { LooperError, stateLabels } from '../../domain/index.js';
import type { ProjectRef } from '../forge.js';
import { call, type GitHubContext, parse, repoOf, statusOf } from './context.js';
import { Issue, Label, labelNames } from './schemas.js';
import type { LabelSpec } from './types.js';

export const looperLabels = [
  { name: 'looper:plan', color: '1d76db', description: 'Looper: plan and implement this issue' },
  { name: 'looper:planning', color: 'c5def5', description: 'Looper is planning' },
  { name: 'looper:working', color: 'fbca04', description: 'Looper is working' },
  { name: 'looper:fixing', color: 'd93f0b', description: 'Looper is fixing' },
  { name: 'looper:done', color: '0e8a16', description: 'Looper finished: PR ready' },
  { name: 'looper:needs-human', color: 'b60205', description: 'Looper stopped: needs a person' },
  { name: 'looper:failed', color: '5c0000', description: 'Looper failed' },
  { name: 'looper:review', color: '5319e7', description: 'Looper: review this PR' },
  { name: 'looper:fix', color: 'e99695', description: 'Looper: fix this PR until green' },
  { name: 'looper:approve', color: 'bfd4f2', description: 'Approve the Looper plan' },
] as const satisfies readonly LabelSpec[];

const stateLabelSet: ReadonlySet<string> = new Set(
  Object.values(stateLabels).filter((l): l is NonNullable<typeof l> => l !== null),
);

export function createLabels(ctx: GitHubContext) {
  const ensured = new Map<string, Promise<string[]>>();

  const ensureLabels = async (
    project: ProjectRef,
    specs: readonly LabelSpec[] = looperLabels,
  ): Promise<string[]> => {
    const { owner, repo } = repoOf(project);
    const existing = await call('list labels', () =>
      ctx.client.paginate(ctx.client.rest.issues.listLabelsForRepo, { owner, repo, per_page: 100 }),
    );
    const have = new Set(existing.map((l) => parse(Label, l, 'labels').name.toLowerCase()));
    const created: string[] = [];
    for (const spec of specs) {
      if (have.has(spec.name.toLowerCase())) continue;
      try {
        await call('create a label', () =>
          ctx.client.rest.issues.createLabel({ owner, repo, ...spec }),
        );
        created.push(spec.name);
      } catch (error) {
        // Someone (another Looper node) created it since the list: fine.
        if (!(error instanceof LooperError && error.code === 'validation_failed')) throw error;
      }
    }
    return created;
  };

  /** SPEC §3 labels exist, checked once per repo per gateway (a failure is retried next time). */
  const ensureDefaultsOnce = (project: ProjectRef): Promise<string[]> => {
    const key = project.repo ?? '';
    let pending = ensured.get(key);
    if (!pending) {
      pending = ensureLabels(project).catch((error: unknown) => {
        ensured.delete(key);
        throw error;
      });
      ensured.set(key, pending);
    }
    return pending;
  };

  const removeLabel = async (project: ProjectRef, number: number, name: string) => {
    const { owner, repo } = repoOf(project);
    try {
      await ctx.client.rest.issues.removeLabel({ owner, repo, issue_number: number, name });
    } catch (error) {
      if (statusOf(error) === 404) return;
      await call('remove a label', () => Promise.reject(error));
    }
  };

  const addLabels = async (project: ProjectRef, number: number, labels: string[]) => {
    if (labels.length === 0) return;
    const { owner, repo } = repoOf(project);
    await call('add labels', () =>
      ctx.client.rest.issues.addLabels({ owner, repo, issue_number: number, labels }),
    );
  };

  const setStateLabel = async (project: ProjectRef, number: number, label: string | null) => {
    if (label !== null && !stateLabelSet.has(label)) {
      throw new LooperError('bad_request', `${label} is not a Looper state label`);
    }
    const { owner, repo } = repoOf(project);
    await ensureDefaultsOnce(project);
    const { data } = await call('get an issue', () =>
      ctx.client.rest.issues.get({ owner, repo, issue_number: number }),
    );
    const current = labelNames(parse(Issue, data, 'GET issue').labels);
    for (const name of current) {
      if (stateLabelSet.has(name) && name !== label) await removeLabel(project, number, name);
    }
    if (label !== null && !current.includes(label)) await addLabels(project, number, [label]);
  };

  return { ensureLabels, removeLabel, addLabels, setStateLabel };
}
