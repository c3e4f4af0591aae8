// The daemon's front door: start a daemon in this process (looperd's main, and `looper demo`).
export type { Daemon, DaemonOptions } from './compose.js';
export { startDaemon } from './compose.js';
export type { GitHubTokenSource } from './projects.js';
export { findGitHubToken } from './projects.js';
export { looperVersion } from './version.js';
export { readForwardedRepos } from './webhook-forward-choice.js';
