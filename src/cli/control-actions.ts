// `looper loop pause|resume|approve` and `looper run retry`: one POST to the loop's control endpoint,
// then the loop as it is now.
import type { LoopView } from '../api/index.js';
import type { CommandContext } from './context.js';
import { connect } from './daemon-process.js';
import { loopIdFor } from './loop-actions.js';
import { exitCodes } from './output.js';

export type ControlVerb = 'pause' | 'resume' | 'approve' | 'retry';

export async function controlAction(
  ctx: CommandContext,
  id: string,
  verb: ControlVerb,
  mode?: 'resume' | 'restart',
): Promise<number> {
  const { client } = await connect(ctx, { autostart: false });
  const loopId = await loopIdFor(client, id);
  const body = verb === 'retry' ? { mode: mode ?? 'resume' } : undefined;
  const loop = await client.post<LoopView>(`/loops/${encodeURIComponent(loopId)}/${verb}`, body);
  ctx.out.result(loop, () => {
    const stage = loop.paused ? `${loop.stage} (paused)` : loop.stage;
    return `${loop.id} ${stage}`;
  });
  return exitCodes.success;
}
