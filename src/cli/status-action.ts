// `looper status`: reads StatusView from the daemon (autostarting one) and prints it.
import type { CommandContext } from './context.js';
import { connect } from './daemon-process.js';
import { statusDetails } from './format.js';
import { exitCodes } from './output.js';

export async function statusAction(ctx: CommandContext): Promise<number> {
  const { target, client, status } = await connect(ctx, { autostart: true });
  const view = status ?? (await client.status());
  ctx.out.result(view, () => statusDetails(view, target.baseUrl));
  return exitCodes.success;
}
