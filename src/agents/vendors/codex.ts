// The `codex` vendor: runs `codex exec --json` unattended in the worktree (workspace-write sandbox,
// no approval prompts) with a per-run CODEX_HOME, and `codex exec resume <thread>` to continue.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AgentRequest, Vendor, VendorInvocation } from '../vendor.js';
import { codexParser } from './codex-stream.js';
import { copyLoginFile, copySessionStore, resolveVendorCommand } from './vendor-command.js';

/**
 * What passes from the daemon's env to Codex: the OpenAI key and endpoint of the built-in
 * provider, Codex's own key for `codex exec` and its access token for trusted automation. A
 * custom provider's key (its `env_key`) goes in `vendors.codex.env`.
 */
export const codexAuthVars = [
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'OPENAI_ORGANIZATION',
  'OPENAI_PROJECT',
  'CODEX_API_KEY',
  'CODEX_ACCESS_TOKEN',
] as const;

export function codexVendor(): Vendor {
  return { name: 'codex', authVars: codexAuthVars, build: buildCodex, parser: codexParser };
}

function buildCodex(req: AgentRequest, runHome: string): VendorInvocation {
  const codexHome = path.join(runHome, '.codex');
  fs.mkdirSync(codexHome, { recursive: true, mode: 0o700 });
  copyLoginFile(
    path.join(userCodexHome(req.baseEnv), 'auth.json'),
    path.join(codexHome, 'auth.json'),
  );
  if (req.resumeSessionId)
    copySessionStore(req.resumeFromHome, runHome, path.join('.codex', 'sessions'));
  const args = ['exec', '--json', '--skip-git-repo-check', '-C', req.cwd];
  // Nobody answers approval prompts: commands run in the workspace-write sandbox, never asked.
  args.push('--sandbox', 'workspace-write', '-c', 'approval_policy="never"');
  if (req.model) args.push('-m', req.model);
  // `-c` overrides (model provider, sandbox network access…) from config, verbatim.
  args.push(...req.vendorConfig.args);
  if (req.resumeSessionId) args.push('resume', req.resumeSessionId);
  // `-` reads the prompt from stdin, which is then closed: an argument is capped at 128 KiB, and
  // codex reads an open stdin to EOF even when the prompt is an argument.
  args.push('-');
  return {
    command: resolveVendorCommand(req, { bin: 'codex', npmPackage: '@openai/codex' }),
    args,
    stdin: req.prompt,
    env: { CODEX_HOME: codexHome },
  };
}

/** `$CODEX_HOME` of the daemon when set, else `~/.codex`: where `codex login` saved auth.json. */
function userCodexHome(baseEnv: NodeJS.ProcessEnv): string {
  return baseEnv.CODEX_HOME || path.join(baseEnv.HOME || os.homedir(), '.codex');
}
