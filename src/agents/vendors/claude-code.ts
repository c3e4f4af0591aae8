// The `claude-code` vendor: runs `claude -p --output-format stream-json --verbose` unattended in
// the worktree, with a per-run HOME and config dir so runs never share or leak session state.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AgentRequest, Vendor, VendorInvocation } from '../vendor.js';
import { claudeCodeParser } from './claude-code-stream.js';
import {
  copyLoginFile,
  copySessionStore,
  defaultsNotOverridden,
  resolveVendorCommand,
} from './vendor-command.js';

/**
 * What passes from the daemon's env to Claude Code: Anthropic API key / token / endpoint / model,
 * the long-lived subscription token from `claude setup-token`, and the switches and credentials
 * for Bedrock and Vertex. AWS/Google profile files live under the real HOME, which the agent does
 * not see: point AWS_CONFIG_FILE etc. at them through `vendors.claude-code.env` if needed.
 */
export const claudeCodeAuthVars = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_BASE_URL',
  'ANTHROPIC_MODEL',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'CLAUDE_CODE_USE_BEDROCK',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_BEARER_TOKEN_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
  'CLOUD_ML_REGION',
  'ANTHROPIC_VERTEX_PROJECT_ID',
  'GOOGLE_APPLICATION_CREDENTIALS',
] as const;

/**
 * Unattended defaults, each overridable through `agent.env` / `vendors.claude-code.env`.
 * IS_SANDBOX=1 lets `--dangerously-skip-permissions` run as root (it refuses otherwise); few
 * retries keep a rate-limited run short so the scheduler can back off or fall back instead.
 */
const UNATTENDED_ENV = {
  IS_SANDBOX: '1',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_AUTOUPDATER: '1',
  CLAUDE_CODE_MAX_RETRIES: '2',
} as const;

export function claudeCodeVendor(): Vendor {
  return {
    name: 'claude-code',
    authVars: claudeCodeAuthVars,
    build: buildClaudeCode,
    parser: claudeCodeParser,
  };
}

function buildClaudeCode(req: AgentRequest, runHome: string): VendorInvocation {
  const configDir = path.join(runHome, '.claude');
  fs.mkdirSync(configDir, { recursive: true, mode: 0o700 });
  copyCredentials(req.baseEnv, configDir);
  // Sessions live per project under the config dir: bring the one to resume into this run's.
  if (req.resumeSessionId)
    copySessionStore(req.resumeFromHome, runHome, path.join('.claude', 'projects'));
  // The prompt goes on stdin: an argument is capped at 128 KiB on Linux, and prompts carry logs.
  const args = ['-p', '--output-format', 'stream-json', '--verbose'];
  // No one is there to answer permission prompts; the worktree is the agent's own sandbox.
  args.push('--dangerously-skip-permissions');
  if (req.model) args.push('--model', req.model);
  if (req.maxTurns !== undefined && req.maxTurns > 0)
    args.push('--max-turns', String(req.maxTurns));
  if (req.resumeSessionId) args.push('--resume', req.resumeSessionId);
  args.push(...req.vendorConfig.args);
  const env = defaultsNotOverridden(req, UNATTENDED_ENV);
  env.CLAUDE_CONFIG_DIR = configDir;
  const command = resolveVendorCommand(req, {
    bin: 'claude',
    npmPackage: '@anthropic-ai/claude-code',
  });
  return { command, args, stdin: req.prompt, env };
}

/**
 * Each run gets its own CLAUDE_CONFIG_DIR, so a user who logged in with `claude /login` (OAuth,
 * stored in `~/.claude/.credentials.json`, or `$CLAUDE_CONFIG_DIR/.credentials.json` when the
 * daemon runs with that set) would look logged out. Copying that one file keeps their auth
 * working without sharing sessions, settings or history. On macOS the login lives in the
 * keychain instead; there an API key or `CLAUDE_CODE_OAUTH_TOKEN` is the way.
 */
function copyCredentials(baseEnv: NodeJS.ProcessEnv, configDir: string): void {
  const sourceDir = baseEnv.CLAUDE_CONFIG_DIR || path.join(baseEnv.HOME || os.homedir(), '.claude');
  copyLoginFile(
    path.join(sourceDir, '.credentials.json'),
    path.join(configDir, '.credentials.json'),
  );
}
