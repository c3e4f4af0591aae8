// The cli folder's front door: the `looper` program, its HTTP client, the loop follower and output.

export type { ClientOptions, LoopListQuery, StreamOptions } from './client.js';
export { ApiClient } from './client.js';
export type { CliIo, CommandContext, Target } from './context.js';
export { clientFor, resolveTarget } from './context.js';
export { ensureDaemon, startDaemon, stopDaemon } from './daemon-process.js';
export type { FollowLoopOptions } from './follow.js';
export { followLoop } from './follow.js';
export type { Output, OutputOptions, PrintableError, TextSink } from './output.js';
export { createOutput, exitCodes, formatError, formatTable } from './output.js';
export { createProgram, runCli, version } from './program.js';
