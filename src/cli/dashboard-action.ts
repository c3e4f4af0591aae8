// `looper dashboard [--open]`: the dashboard's URL; with --open, the browser is started on it.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { CommandContext } from './context.js';
import { connect } from './daemon-process.js';
import { exitCodes } from './output.js';

function opener(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'open';
  if (platform === 'win32') return 'explorer';
  return 'xdg-open';
}

export async function dashboardAction(
  ctx: CommandContext,
  options: { open: boolean },
): Promise<number> {
  const { target } = await connect(ctx, { autostart: true });
  const url = `${target.baseUrl}/dashboard`;
  let opened = false;
  if (options.open) {
    const token =
      ctx.io.env.LOOPER_TOKEN?.trim() ||
      (await readFile(target.tokenFile, 'utf8').then(
        (text) => text.trim(),
        () => '',
      ));
    const withToken = token === '' ? url : `${url}#token=${encodeURIComponent(token)}`;
    opened = await new Promise<boolean>((resolve) => {
      const child = spawn(opener(process.platform), [withToken], {
        detached: true,
        stdio: 'ignore',
      });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    });
  }
  ctx.out.result({ url, opened }, () =>
    options.open && !opened
      ? `${url}\n(could not start ${opener(process.platform)}; open the URL yourself)`
      : url,
  );
  return exitCodes.success;
}
