// A stateful GitHub REST (+ the few GraphQL operations bots use) emulator on 127.0.0.1 for tests.
// Repos are real bare git repositories (clone/push to `cloneUrl`); every response is validated
// against @octokit/openapi. Tests act as people through the helper methods (not counted requests).
//
//   const gh = await startGitHubEmulator({ tokens: { t0k: 'looper-bot' } });
//   const repo = await gh.createRepo('acme/app', { files: { 'README.md': 'hi\n' } });
//   gh.faults.serverError('/repos/{owner}/{repo}/issues/{issue_number}', 2);
//   gh.addCheckRun('acme/app', sha, { name: 'ci', conclusion: 'failure', log: 'boom\n' });
//   gh.setAllowAutoMerge('acme/app');
//   gh.protectBranch('acme/app', 'main', { requiredChecks: ['ci'] });
//   …; await gh.settled(); expect(gh.violations).toEqual([]); await gh.close();
import { GitHubEmulator, type GitHubEmulatorOptions } from './emulator.js';
import { loadOperations, OpenApiValidator } from './openapi.js';
import type { RateState } from './router.js';
import { actionRoutes } from './routes-actions.js';
import { checkRoutes } from './routes-checks.js';
import { hookRoutes } from './routes-hooks.js';
import { issueRoutes } from './routes-issues.js';
import { pullRoutes } from './routes-pulls.js';
import { reviewRoutes } from './routes-reviews.js';

export { blobRoute } from './blobs.js';
export type { CheckRunInput, ReviewInput, StatusInput } from './ci.js';
export type { CreateRepoOptions, GitHubEmulatorOptions } from './emulator.js';
export { GitHubEmulator } from './emulator.js';
export type { FaultSpec } from './faults.js';
export { FaultQueue } from './faults.js';
export type { Counts, RequestRecord } from './server.js';
export type * from './state.js';
export type { WebhookPayloadInput } from './webhook-payloads.js';
export type { WebhookDelivery, WebhookResult } from './webhooks.js';
export { examplePayload, sendWebhook } from './webhooks.js';

export async function startGitHubEmulator(
  options: GitHubEmulatorOptions = {},
): Promise<GitHubEmulator> {
  const rate: RateState = {
    limit: options.rateLimit ?? 5000,
    resetAt: Math.floor(Date.now() / 1000) + 3600,
    used: new Map(),
  };
  const routes = [
    ...issueRoutes,
    ...pullRoutes,
    ...reviewRoutes,
    ...checkRoutes(rate),
    ...actionRoutes,
    ...hookRoutes,
  ];
  const operations = await loadOperations(routes.map((r) => `${r.method} ${r.template}`));
  const emulator = new GitHubEmulator(options, routes, new OpenApiValidator(operations), rate);
  await emulator.listen();
  return emulator;
}
