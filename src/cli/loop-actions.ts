// `looper run list`, `looper run cancel` and `looper inspect`: read or change loops through the API.
import type { LoopView } from '../api/index.js';
import { isStage, LooperError, stages } from '../domain/index.js';
import type { ApiClient } from './client.js';
import type { RunListOptions } from './command-run.js';
import type { CommandContext } from './context.js';
import { connect } from './daemon-process.js';
import { loopDetails, loopTable, runTable } from './format.js';
import { exitCodes } from './output.js';

/** The loop an id names: a loop id as is, a run id through its run. */
export async function loopIdFor(client: ApiClient, id: string): Promise<string> {
  if (!id.startsWith('run_')) return id;
  const run = await client.getRun(id);
  return run.loop_id;
}

export async function listAction(ctx: CommandContext, options: RunListOptions): Promise<number> {
  if (options.stage !== undefined && !isStage(options.stage)) {
    throw new LooperError('bad_request', `unknown stage '${options.stage}'`, {
      details: { issues: [`--stage: expected one of ${stages.join(', ')}`] },
    });
  }
  const limit = options.all === true ? 500 : Number(options.limit ?? '50');
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw new LooperError('bad_request', `--limit must be a whole number from 1 to 500`);
  }
  const { client } = await connect(ctx, { autostart: false });
  const loops = await client.listLoops({
    stage: options.stage,
    active: options.active === true ? true : undefined,
    limit,
  });
  const now = ctx.io.clock.now();
  ctx.out.result(loops, () => loopTable(loops, now, ctx.out.width));
  return exitCodes.success;
}

export async function cancelAction(ctx: CommandContext, id: string): Promise<number> {
  const { client } = await connect(ctx, { autostart: false });
  const loop = await client.cancelLoop(await loopIdFor(client, id));
  ctx.out.result(loop, () => `${loop.id} ${loop.stage}`);
  return exitCodes.success;
}

export async function inspectAction(ctx: CommandContext, id: string): Promise<number> {
  const { client } = await connect(ctx, { autostart: false });
  const loop: LoopView = await client.getLoop(await loopIdFor(client, id));
  const now = ctx.io.clock.now();
  ctx.out.result(loop, () => `${loopDetails(loop, now)}\n\n${runTable(loop.runs ?? [])}`);
  return exitCodes.success;
}
