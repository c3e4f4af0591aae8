// The `opencode` vendor: runs `opencode run --format json` unattended in the worktree with its own
// XDG config, data, state and cache dirs per run, and `--session <id>` to continue a session.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AgentRequest, Vendor, VendorInvocation } from '../vendor.js';
import { opencodeParser } from './opencode-stream.js';
import {
  copyLoginFile,
  copySessionStore,
  defaultsNotOverridden,
  resolveVendorCommand,
} from './vendor-command.js';

/**
 * What passes from the daemon's env to OpenCode: its own config and auth overrides, and the keys
 * of the providers it most often runs with. Any other provider's key goes in `vendors.opencode.env`.
 */
export const opencodeAuthVars = [
  'OPENCODE_CONFIG',
  'OPENCODE_CONFIG_CONTENT',
  'OPENCODE_AUTH_CONTENT',
  'OPENCODE_API_KEY',
  'ANTHROPIC_API_KEY',
  'OPENAI_API_KEY',
  'OPENROUTER_API_KEY',
  'GEMINI_API_KEY',
  'GOOGLE_GENERATIVE_AI_API_KEY',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'GOOGLE_CLOUD_PROJECT',
  'GROQ_API_KEY',
  'DEEPSEEK_API_KEY',
  'XAI_API_KEY',
  'MISTRAL_API_KEY',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_BEARER_TOKEN_BEDROCK',
  'AZURE_RESOURCE_NAME',
  'AZURE_API_KEY',
] as const;

/** Unattended defaults, each overridable through `agent.env` / `vendors.opencode.env`. */
const UNATTENDED_ENV = {
  OPENCODE_DISABLE_AUTOUPDATE: '1',
  OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
} as const;

/** Where OpenCode keeps sessions (one SQLite database, in WAL mode) under XDG_DATA_HOME. */
const SESSION_FILES = ['opencode.db', 'opencode.db-wal', 'opencode.db-shm'] as const;

export function opencodeVendor(): Vendor {
  return {
    name: 'opencode',
    authVars: opencodeAuthVars,
    build: buildOpenCode,
    parser: opencodeParser,
  };
}

function buildOpenCode(req: AgentRequest, runHome: string): VendorInvocation {
  const xdg = {
    XDG_CONFIG_HOME: path.join(runHome, '.config'),
    XDG_DATA_HOME: path.join(runHome, '.local', 'share'),
    XDG_STATE_HOME: path.join(runHome, '.local', 'state'),
    XDG_CACHE_HOME: path.join(runHome, '.cache'),
  };
  for (const dir of Object.values(xdg)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const dataDir = path.join(xdg.XDG_DATA_HOME, 'opencode');
  copyLoginFile(
    path.join(userDataHome(req.baseEnv), 'opencode', 'auth.json'),
    path.join(dataDir, 'auth.json'),
  );
  if (req.resumeSessionId) {
    for (const file of SESSION_FILES) {
      copySessionStore(req.resumeFromHome, runHome, path.join('.local', 'share', 'opencode', file));
    }
  }
  // The prompt goes on stdin (OpenCode reads a piped stdin as the message), then EOF.
  const args = ['run', '--format', 'json', '--dir', req.cwd];
  // Nobody answers permission prompts: without --auto OpenCode rejects them and ends the run.
  args.push('--auto');
  // API errors it retries are only logged: stderr lets the parser see them and give up.
  args.push('--print-logs', '--log-level', 'ERROR');
  if (req.model) args.push('--model', req.model);
  if (req.resumeSessionId) args.push('--session', req.resumeSessionId);
  args.push(...req.vendorConfig.args);
  const env: Record<string, string> = { ...defaultsNotOverridden(req, UNATTENDED_ENV), ...xdg };
  const config = withMaxSteps(configContent(req), req.maxTurns);
  if (config !== undefined) env.OPENCODE_CONFIG_CONTENT = config;
  return {
    command: resolveVendorCommand(req, { bin: 'opencode', npmPackage: 'opencode-ai' }),
    args,
    stdin: req.prompt,
    env,
  };
}

/** The OPENCODE_CONFIG_CONTENT the run would get, by the env's precedence. */
function configContent(req: AgentRequest): string | undefined {
  return (
    req.vendorConfig.env.OPENCODE_CONFIG_CONTENT ??
    req.agentEnv.OPENCODE_CONFIG_CONTENT ??
    req.baseEnv.OPENCODE_CONFIG_CONTENT
  );
}

/**
 * `max-turns` becomes the build agent's `steps` (after which OpenCode asks for a text-only
 * answer), merged into the inline config unless that sets its own.
 */
function withMaxSteps(
  content: string | undefined,
  maxTurns: number | undefined,
): string | undefined {
  if (maxTurns === undefined || maxTurns <= 0) return content;
  let config: Record<string, unknown> = {};
  if (content !== undefined) {
    try {
      const parsed: unknown = JSON.parse(content);
      if (!isRecord(parsed)) return content;
      config = parsed;
    } catch {
      return content; // OpenCode reports its own config error
    }
  }
  const agents = isRecord(config.agent) ? config.agent : {};
  const build = isRecord(agents.build) ? agents.build : {};
  if ('steps' in build || 'maxSteps' in build) return content;
  return JSON.stringify({ ...config, agent: { ...agents, build: { ...build, steps: maxTurns } } });
}

/** The daemon user's XDG_DATA_HOME, where `opencode auth login` saved auth.json. */
function userDataHome(baseEnv: NodeJS.ProcessEnv): string {
  return baseEnv.XDG_DATA_HOME || path.join(baseEnv.HOME || os.homedir(), '.local', 'share');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
