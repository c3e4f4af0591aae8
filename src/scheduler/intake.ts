// The one admit path for work from a forge (webhook and poller alike): who did it (trust, the
// self-trigger guard), what it asks for (label or comment command), and whether the target already
// has a live loop (dedupe). Refusals are recorded as events, never silently dropped.
import type { Config } from '../config/index.js';
import { isTerminalStage, type LoopEvent, LooperError, type LoopKind } from '../domain/index.js';
import type { ProjectRef } from '../forge/index.js';
import type { EventSink, LoopRunner } from '../runner/index.js';
import type { LoopRecord, ProjectRecord, Store } from '../store/index.js';

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

/** What intake asks of a hosted forge. */
export interface TrustSource {
  permissionOf(project: ProjectRef, user: string): Promise<Permission>;
}

export type Trigger =
  | {
      type: 'label';
      project: ProjectRecord;
      number: number;
      isPullRequest: boolean;
      label: string;
      actor: string;
      title: string;
      body: string;
      source: 'webhook' | 'poll';
    }
  | {
      type: 'comment';
      project: ProjectRecord;
      number: number;
      isPullRequest: boolean;
      actor: string;
      body: string;
      source: 'webhook' | 'poll';
    }
  /** An issue was opened (`[[projects]] auto.authors`). */
  | {
      type: 'opened';
      project: ProjectRecord;
      number: number;
      actor: string;
      title: string;
      body: string;
      source: 'webhook' | 'poll';
    };

export interface AdmitResult {
  accepted: boolean;
  reason: string;
  loopId?: string;
}

export interface IntakeDeps {
  store: Store;
  events: EventSink;
  runner: Pick<LoopRunner, 'control'>;
  enqueue: (loopId: string, queue: 'planned' | 'manual' | 'auto') => Promise<void>;
  trustFor: (project: ProjectRecord) => TrustSource;
  config: Config;
}

const writeLevels: readonly Permission[] = ['admin', 'maintain', 'write'];
const commandPattern = /^\s*\/looper\s+(stop|retry|approve|status)\b/im;

export function parseCommand(body: string): 'stop' | 'retry' | 'approve' | 'status' | null {
  const match = commandPattern.exec(body);
  return match ? (match[1]?.toLowerCase() as 'stop' | 'retry' | 'approve' | 'status') : null;
}

/**
 * Whether `loop` no longer stands in the way of a new `kind` loop on its target. Any terminal loop of
 * an issue makes way for a new issue loop (a ready one is superseded); a review or fix loop at `ready`
 * still watches its PR, and Looper's own PR is its issue loop's until that loop stopped.
 */
function isEnded(loop: LoopRecord, kind: LoopKind): boolean {
  if (kind === 'issue') return isTerminalStage(loop.stage);
  return isTerminalStage(loop.stage) && loop.stage !== 'ready';
}

export function createIntake(deps: IntakeDeps) {
  const ref = (project: ProjectRecord): ProjectRef => ({
    id: project.id,
    repo: project.repo,
    path: project.path,
  });

  async function refuse(trigger: Trigger, reason: string): Promise<AdmitResult> {
    await deps.events.emit({
      type: 'intake.refused',
      data: {
        repo: trigger.project.repo,
        number: trigger.number,
        actor: trigger.actor,
        trigger: trigger.type,
        source: trigger.source,
        reason,
      },
    });
    return { accepted: false, reason };
  }

  /** The self-trigger guard: Looper's own actions never trigger work, nor other bots'. */
  function selfOrBot(actor: string): string | null {
    const bot = deps.config.github['bot-login'];
    if (bot !== '' && actor.toLowerCase() === bot.toLowerCase())
      return "Looper's own action never triggers work";
    return actor.endsWith('[bot]') ? `${actor} is a bot` : null;
  }

  async function trusted(trigger: Trigger): Promise<string | null> {
    const self = selfOrBot(trigger.actor);
    if (self !== null) return self;
    const allowed = deps.config.trust['allowed-users'].map((u) => u.toLowerCase());
    if (allowed.includes(trigger.actor.toLowerCase())) return null;
    const permission = await deps
      .trustFor(trigger.project)
      .permissionOf(ref(trigger.project), trigger.actor);
    return writeLevels.includes(permission)
      ? null
      : `${trigger.actor} has ${permission} permission; write, maintain or admin is needed`;
  }

  /** The project's loops on issue or PR `number`, newest first (PR loops and the PR). */
  async function loopsOn(project: ProjectRecord, number: number): Promise<LoopRecord[]> {
    const loops = await deps.store.loops.listLoops({ projectId: project.id, limit: 500 });
    return loops.filter(
      (l) => l.number === number || (l.kind === 'issue' && l.prNumber === number),
    );
  }

  /**
   * A new loop for a target whose previous loop is still watching its PR at `ready` supersedes it:
   * the old one is cancelled (its worktree freed) so exactly one loop owns the branch.
   */
  async function supersede(previous: LoopRecord[], by: string): Promise<void> {
    for (const old of previous.filter((l) => l.stage === 'ready')) {
      await deps.runner.control(old.id, { type: 'cancel', reason: `superseded by loop ${by}` });
    }
  }

  /** The project's `auto` rules from the config (SPEC §2's lowest-priority queue). */
  function autoRules(project: ProjectRecord): { labels: string[]; authors: string[] } {
    const configured = deps.config.projects.find(
      (p) => p.repo !== undefined && p.repo.toLowerCase() === (project.repo ?? '').toLowerCase(),
    );
    return {
      labels: configured?.auto?.labels ?? [],
      authors: (configured?.auto?.authors ?? []).map((a) => a.toLowerCase()),
    };
  }

  async function startLoop(
    trigger: Extract<Trigger, { type: 'label' | 'opened' }>,
    kind: LoopKind,
    queue: 'planned' | 'auto' = 'planned',
  ): Promise<AdmitResult> {
    const isPullRequest = trigger.type === 'label' && trigger.isPullRequest;
    const target = isPullRequest ? 'pull request' : 'issue';
    const existing = (await loopsOn(trigger.project, trigger.number)).filter((l) =>
      kind === 'issue' ? l.kind === 'issue' && l.number === trigger.number : true,
    );
    const active = existing.find((l) => !isEnded(l, kind));
    if (active) {
      const what =
        active.kind === 'issue' && active.number !== trigger.number
          ? `is Looper's pull request for issue #${active.number}, whose loop ${active.id} handles its feedback; use /looper retry there`
          : `already has an active loop (${active.id}), a ${active.kind} loop at ${active.stage}`;
      return refuse(trigger, `${target} #${trigger.number} ${what}`);
    }
    const loop = await deps.store.loops.createLoop({
      projectId: trigger.project.id,
      kind,
      number: trigger.number,
      title: trigger.title,
      body: trigger.body,
      ...(kind === 'issue' ? {} : { prNumber: trigger.number }),
    });
    await supersede(existing, loop.id);
    await deps.events.emit({
      loopId: loop.id,
      type: 'loop.created',
      data: {
        project: trigger.project.name,
        number: trigger.number,
        title: trigger.title,
        queue,
        kind,
        actor: trigger.actor,
        source: trigger.source,
      },
    });
    await deps.enqueue(loop.id, queue);
    return { accepted: true, reason: `loop ${loop.id} queued`, loopId: loop.id };
  }

  async function controlLatest(trigger: Trigger, event: LoopEvent): Promise<AdmitResult> {
    // The newest loop on the issue, on the PR (a review or fix loop), or owning the PR (its issue's).
    const [loop] = await loopsOn(trigger.project, trigger.number);
    if (!loop) return refuse(trigger, `no loop for #${trigger.number}`);
    try {
      const result = await deps.runner.control(loop.id, event);
      if (result.requeue) await deps.enqueue(loop.id, 'planned');
      return { accepted: true, reason: `${event.type} applied to ${loop.id}`, loopId: loop.id };
    } catch (error) {
      if (error instanceof LooperError && error.code === 'invalid_transition')
        return refuse(trigger, error.message);
      throw error;
    }
  }

  async function label(trigger: Extract<Trigger, { type: 'label' }>): Promise<AdmitResult> {
    switch (trigger.label) {
      case 'looper:plan':
        if (trigger.isPullRequest) return refuse(trigger, 'looper:plan belongs on an issue');
        return startLoop(trigger, 'issue');
      case 'looper:approve':
        return controlLatest(trigger, { type: 'approved' });
      case 'looper:review':
      case 'looper:fix':
        if (!trigger.isPullRequest)
          return refuse(trigger, `${trigger.label} belongs on a pull request`);
        return startLoop(trigger, trigger.label === 'looper:review' ? 'review' : 'fix');
      default:
        if (!trigger.isPullRequest && autoRules(trigger.project).labels.includes(trigger.label))
          return startLoop(trigger, 'issue', 'auto');
        return { accepted: false, reason: `label ${trigger.label} is not Looper's` };
    }
  }

  /**
   * Listing an author in `auto.authors` is the operator's trust in their new issues (a bot too, when
   * named); Looper's own issues (`looper run --repo owner/name`) never count.
   */
  async function opened(trigger: Extract<Trigger, { type: 'opened' }>): Promise<AdmitResult> {
    const bot = deps.config.github['bot-login'];
    if (bot !== '' && trigger.actor.toLowerCase() === bot.toLowerCase())
      return { accepted: false, reason: "Looper's own action never triggers work" };
    return startLoop(trigger, 'issue', 'auto');
  }

  async function comment(trigger: Extract<Trigger, { type: 'comment' }>): Promise<AdmitResult> {
    const command = parseCommand(trigger.body);
    switch (command) {
      case null:
        return { accepted: false, reason: 'not a /looper command' };
      case 'stop':
        return controlLatest(trigger, {
          type: 'cancel',
          reason: `stopped by ${trigger.actor} with /looper stop`,
        });
      case 'retry':
        return controlLatest(trigger, { type: 'retry', mode: 'resume' });
      case 'approve':
        return controlLatest(trigger, { type: 'approved' });
      case 'status':
        return controlLatest(trigger, { type: 'tick' });
      default: {
        const never: never = command;
        throw new Error(`unknown command ${String(never)}`);
      }
    }
  }

  return {
    async admit(trigger: Trigger): Promise<AdmitResult> {
      if (trigger.type === 'opened') {
        // Every new issue passes here: only an author the rules name is news (no refusal event).
        if (!autoRules(trigger.project).authors.includes(trigger.actor.toLowerCase()))
          return { accepted: false, reason: `no auto rule names ${trigger.actor}` };
        return opened(trigger);
      }
      if (
        trigger.type === 'label' &&
        !trigger.label.startsWith('looper:') &&
        (trigger.isPullRequest || !autoRules(trigger.project).labels.includes(trigger.label))
      ) {
        return { accepted: false, reason: `label ${trigger.label} is not Looper's` };
      }
      if (trigger.type === 'comment' && parseCommand(trigger.body) === null) {
        return { accepted: false, reason: 'not a /looper command' };
      }
      const distrust = await trusted(trigger);
      if (distrust !== null) return refuse(trigger, distrust);
      return trigger.type === 'label' ? label(trigger) : comment(trigger);
    },
  };
}

export type Intake = ReturnType<typeof createIntake>;
