// `looperd`: loads the configuration, starts the daemon in the foreground, and stops it gracefully on
// SIGTERM/SIGINT (a second signal exits at once).
import { loadConfig } from '../config/index.js';
import { isLooperError } from '../domain/index.js';
import { startDaemon } from './compose.js';
import { looperVersion } from './version.js';

function fail(message: string, code: number): never {
  process.stderr.write(`looperd: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--version')) {
    process.stdout.write(`${looperVersion}\n`);
    return;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(
      'Usage: looperd\n\nRuns the Looper daemon in the foreground for the data dir in LOOPER_HOME (default ~/.looper).\nUse `looper daemon start` to run it in the background.\n',
    );
    return;
  }
  const loaded = loadConfig({ env: process.env });
  for (const warning of loaded.warnings) process.stderr.write(`looperd: warning: ${warning}\n`);
  let stopping = false;
  const daemon = await startDaemon({
    loaded,
    env: process.env,
    onShutdownRequest: () => void shutdown(),
  });
  process.stderr.write(
    `looperd ${looperVersion} listening on ${daemon.url} (data dir ${daemon.dataDir}, pid ${process.pid})\n`,
  );

  async function shutdown(): Promise<void> {
    if (stopping) {
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(
      `looperd: stopping; running agents get up to ${loaded.config.daemon['shutdown-grace-secs']} s (signal again to exit now)\n`,
    );
    await daemon.stop();
    process.exit(0);
  }
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}

main().catch((error: unknown) => {
  if (isLooperError(error)) fail(error.message, error.exitCode);
  fail(error instanceof Error ? (error.stack ?? error.message) : String(error), 1);
});
