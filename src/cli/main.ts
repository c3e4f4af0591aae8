// Entry of the `looper` bin (bundled to dist/looper.js): hands argv and the process's streams to
// runCli. Only commander and the command definitions load here; handlers load on use.
import { exitQuietlyOnBrokenPipe } from './output.js';
import { runCli } from './program.js';

exitQuietlyOnBrokenPipe([process.stdout, process.stderr], (code) => process.exit(code));
process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  clock: { now: () => Date.now() },
  // Resolved here, in the entry file: chunks live in dist/chunks/, looperd.js beside looper.js.
  daemonEntry: new URL('./looperd.js', import.meta.url),
  execPath: process.execPath,
});
