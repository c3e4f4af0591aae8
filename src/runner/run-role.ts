// Runs one role: builds its prompt, invokes the vendor CLI through the agent runner, records the run
// (pid, usage, outcome) and parses the role's `__LOOPER_RESULT__`. A missing result is retried once
// with a reminder (SPEC §4).
import { join } from 'node:path';
import type { AgentEvent, AgentOutcome } from '../agents/index.js';
import { roleSettings } from '../config/index.js';
import {
  type FailureClass,
  parseRoleResult,
  type Role,
  type RoleResults,
  type RunStatus,
  type VendorName,
} from '../domain/index.js';
import type { RunRecord } from '../store/index.js';
import type { RunnerDeps } from './deps.js';
import { type LoopContext, logDir } from './loop-context.js';
import { buildPrompt, type PromptContext } from './prompts.js';

export type RoleRun<R extends Role> =
  | { ok: true; result: RoleResults[R]; run: RunRecord; costUsd: number }
  | { ok: false; failureClass: FailureClass | 'cancelled'; reason: string; costUsd: number };

export type PromptExtras = Pick<PromptContext, 'planComments' | 'fix' | 'diff'>;

const activityTypes = new Set<AgentEvent['type']>(['text', 'tool_use', 'error']);

function runStatus(outcome: AgentOutcome): Exclude<RunStatus, 'running'> {
  if (outcome.status === 'timed_out') return 'timed_out';
  return outcome.status;
}

/** How a failed agent run is handled: bad credentials need a person; the rest is worth a retry. */
function failureClassOf(outcome: AgentOutcome): FailureClass {
  if (outcome.errorKind === 'auth' || outcome.errorKind === 'spawn_failed') return 'needs_human';
  return 'transient';
}

function activityData(event: AgentEvent): Record<string, unknown> {
  switch (event.type) {
    case 'text':
      return { kind: 'text', text: event.text.slice(0, 500) };
    case 'tool_use':
      return { kind: 'tool_use', name: event.name, input: event.input.slice(0, 200) };
    case 'error':
      return { kind: 'error', error_kind: event.kind, message: event.message.slice(0, 500) };
    default:
      return { kind: event.type };
  }
}

export async function runRole<R extends Role>(
  deps: RunnerDeps,
  ctx: LoopContext,
  role: R,
  extras: PromptExtras,
  signal: AbortSignal,
): Promise<RoleRun<R>> {
  let reminder: string | undefined;
  let costUsd = 0;
  for (let parseAttempt = 1; parseAttempt <= 2; parseAttempt++) {
    const once = await runWithFallback(deps, ctx, role, { ...extras, reminder }, signal);
    costUsd += once.costUsd;
    if (once.kind === 'failed')
      return { ok: false, failureClass: once.failureClass, reason: once.reason, costUsd };
    const parsed = parseRoleResult(role, once.outcome.finalText);
    if (parsed.ok) {
      const run = await deps.store.runs.finishRun(once.run.id, {
        ...finishFields(once.outcome),
        status: 'succeeded',
        summary: summaryOf(parsed.value),
        result: parsed.value,
      });
      await emitFinished(deps, run);
      return { ok: true, result: parsed.value, run, costUsd };
    }
    const run = await deps.store.runs.finishRun(once.run.id, {
      ...finishFields(once.outcome),
      status: 'parse_failed',
      errorMessage: parsed.reason,
    });
    await emitFinished(deps, run);
    reminder = parsed.reason;
  }
  return {
    ok: false,
    failureClass: 'needs_human',
    reason: `the ${role} did not print a valid result twice (${reminder})`,
    costUsd,
  };
}

function summaryOf(result: object): string | null {
  return 'summary' in result && typeof result.summary === 'string' ? result.summary : null;
}

function finishFields(outcome: AgentOutcome) {
  return {
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    errorKind: outcome.errorKind,
    errorMessage: outcome.errorMessage,
    sessionId: outcome.sessionId,
    inputTokens: outcome.usage.inputTokens,
    outputTokens: outcome.usage.outputTokens,
    cachedTokens: outcome.usage.cachedTokens,
    costUsd: outcome.usage.costUsd,
  };
}

async function emitFinished(deps: RunnerDeps, run: RunRecord): Promise<void> {
  await deps.events.emit({
    loopId: run.loopId,
    runId: run.id,
    type: 'run.finished',
    data: {
      role: run.role,
      vendor: run.vendor,
      status: run.status,
      exit_code: run.exitCode,
      error_kind: run.errorKind,
      error_message: run.errorMessage,
      summary: run.summary,
      duration_ms: run.durationMs,
      tokens: { input: run.inputTokens, output: run.outputTokens, cached: run.cachedTokens },
      cost_usd: run.costUsd,
    },
  });
}

type Once =
  | { kind: 'done'; run: RunRecord; outcome: AgentOutcome; costUsd: number }
  | {
      kind: 'failed';
      failureClass: FailureClass | 'cancelled';
      reason: string;
      costUsd: number;
      errorKind?: string | null;
    };

/** Error kinds that mean "this vendor cannot serve us now", so the next fallback vendor is tried. */
const fallbackKinds = new Set(['rate_limit', 'quota', 'auth']);

/**
 * Runs the role with its vendor, then with each `fallback` vendor in turn while a run ends out of
 * quota, rate-limited or unauthorised. The loop keeps its stage throughout.
 */
async function runWithFallback<R extends Role>(
  deps: RunnerDeps,
  ctx: LoopContext,
  role: R,
  extras: PromptExtras & { reminder?: string },
  signal: AbortSignal,
): Promise<Once> {
  const settings = roleSettings(deps.config, role);
  const primary = ctx.loop.options.vendor ?? settings.vendor;
  const chain = [primary, ...settings.fallback.filter((v) => v !== primary)];
  let costUsd = 0;
  let last: Once | undefined;
  for (const [index, vendor] of chain.entries()) {
    const once = await runOnce(deps, ctx, role, vendor, extras, signal);
    costUsd += once.costUsd;
    last = { ...once, costUsd };
    const next = chain[index + 1];
    if (
      once.kind === 'done' ||
      !once.errorKind ||
      !fallbackKinds.has(once.errorKind) ||
      next === undefined
    )
      return last;
    await deps.events.emit({
      loopId: ctx.loop.id,
      type: 'run.fallback',
      data: { role, from: vendor, to: next, error_kind: once.errorKind },
    });
  }
  return last as Once;
}

/** The session of this role's interrupted run at this stage, when the same vendor can resume it. */
async function resumable(
  deps: RunnerDeps,
  ctx: LoopContext,
  role: Role,
  vendor: string,
): Promise<{ sessionId: string; home: string } | null> {
  const runs = await deps.store.runs.listRunsForLoop(ctx.loop.id);
  const last = runs.filter((r) => r.role === role && r.stage === ctx.loop.stage).at(-1);
  if (last?.status !== 'interrupted' || last.sessionId === null || last.vendor !== vendor)
    return null;
  return { sessionId: last.sessionId, home: join(deps.dataDir, 'runs', last.id) };
}

/** Cost from `[vendors.<v>] price` (USD per million tokens) for vendors that report none. */
function priced(deps: RunnerDeps, vendor: VendorName, outcome: AgentOutcome): number | null {
  const price = deps.config.vendors[vendor].price;
  if (!price) return null;
  const { inputTokens, outputTokens, cachedTokens } = outcome.usage;
  const fresh = Math.max(0, inputTokens - cachedTokens);
  return (
    (fresh * price.input + cachedTokens * price.cached + outputTokens * price.output) / 1_000_000
  );
}

async function runOnce<R extends Role>(
  deps: RunnerDeps,
  ctx: LoopContext,
  role: R,
  vendor: VendorName,
  extras: PromptExtras & { reminder?: string },
  signal: AbortSignal,
): Promise<Once> {
  const settings = roleSettings(deps.config, role);
  const primary = ctx.loop.options.vendor ?? settings.vendor;
  // A per-loop or per-role model belongs to the primary vendor; a fallback vendor runs the model
  // of its own `[vendors.<v>] model` (or the CLI's default).
  const vendorModel = deps.config.vendors[vendor].model || undefined;
  const model =
    vendor === primary ? (ctx.loop.options.model ?? (settings.model || vendorModel)) : vendorModel;
  const resume = await resumable(deps, ctx, role, vendor);
  const runId = deps.ids.next('run');
  const logPath = join(logDir(deps, ctx.loop.id), `${runId}.log`);
  const run = await deps.store.runs.createRun({
    id: runId,
    loopId: ctx.loop.id,
    role,
    vendor,
    model: model ?? null,
    stage: ctx.loop.stage,
    attempt: ctx.loop.state.attempt,
    logPath,
    nodeId: deps.nodeId,
  });
  await deps.events.emit({
    loopId: ctx.loop.id,
    runId,
    type: 'run.started',
    data: { role, vendor, model: model ?? null, attempt: run.attempt },
  });
  const prompt = buildPrompt({
    role,
    worktree: ctx.worktree,
    issue: {
      number: ctx.loop.number,
      title: ctx.loop.title,
      body: ctx.loop.body,
      kind: ctx.loop.kind === 'issue' ? 'issue' : 'pull request',
    },
    specPath: ctx.specPath,
    baseBranch: ctx.baseBranch,
    checks: ctx.checks,
    ...extras,
  });
  const outcome = await deps.agents.run({
    runId,
    loopId: ctx.loop.id,
    role,
    vendor,
    model,
    prompt,
    cwd: ctx.worktree,
    logPath,
    runHome: join(deps.dataDir, 'runs', runId),
    timeoutMs: settings.timeoutSecs * 1000,
    idleTimeoutMs: settings.idleTimeoutSecs * 1000,
    maxTurns: settings.maxTurns,
    vendorConfig: deps.config.vendors[vendor],
    agentEnv: deps.config.agent.env,
    baseEnv: deps.env,
    signal,
    ...(resume ? { resumeSessionId: resume.sessionId, resumeFromHome: resume.home } : {}),
    onSpawn: (pid) => {
      // Recorded so a restarted daemon can tell its own orphaned agent from a reused pid.
      void deps.store.runs
        .setRunPid(runId, pid, deps.processStartTime(pid))
        .catch((error: unknown) => {
          deps.log.warn({ runId, error: String(error) }, 'could not record agent pid');
        });
    },
    onEvent: (event) => {
      if (event.type === 'session') {
        void deps.store.runs.setRunSession(runId, event.sessionId).catch(() => undefined);
        return;
      }
      if (!activityTypes.has(event.type)) return;
      // Activity is best-effort telemetry for watchers; the run record is the durable outcome.
      void deps.events
        .emit({ loopId: ctx.loop.id, runId, type: 'run.activity', data: activityData(event) })
        .catch(() => undefined);
    },
  });
  const costUsd = outcome.usage.costUsd ?? priced(deps, vendor, outcome) ?? 0;
  await deps.store.loops.addLoopUsage(ctx.loop.id, {
    inputTokens: outcome.usage.inputTokens,
    outputTokens: outcome.usage.outputTokens,
    cachedTokens: outcome.usage.cachedTokens,
    costUsd,
  });
  if (outcome.status === 'succeeded') return { kind: 'done', run, outcome, costUsd };
  const finished = await deps.store.runs.finishRun(runId, {
    ...finishFields(outcome),
    status: runStatus(outcome),
  });
  await emitFinished(deps, finished);
  if (outcome.status === 'cancelled')
    return { kind: 'failed', failureClass: 'cancelled', reason: 'the run was stopped', costUsd };
  const why = outcome.errorMessage ?? outcome.errorKind ?? `exit ${outcome.exitCode}`;
  return {
    kind: 'failed',
    failureClass: failureClassOf(outcome),
    reason: `${role} run ${runId} ${outcome.status}: ${why}`,
    costUsd,
    errorKind: outcome.errorKind,
  };
}
