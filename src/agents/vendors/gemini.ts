// The `gemini` vendor: runs `gemini -p --output-format stream-json --approval-mode yolo` in the
// worktree with a per-run HOME whose ~/.gemini/settings.json picks the auth type for the run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AgentRequest, Vendor, VendorInvocation } from '../vendor.js';
import { geminiParser } from './gemini-stream.js';
import { copyLoginFile, copySessionStore, resolveVendorCommand } from './vendor-command.js';

/**
 * What passes from the daemon's env to Gemini CLI: the Gemini API key and endpoint, the Vertex AI
 * switch with its project, location and credentials, and the Google-login switch.
 */
export const geminiAuthVars = [
  'GEMINI_API_KEY',
  'GOOGLE_GEMINI_BASE_URL',
  'GEMINI_MODEL',
  'GOOGLE_API_KEY',
  'GOOGLE_GENAI_USE_VERTEXAI',
  'GOOGLE_GENAI_USE_GCA',
  'GOOGLE_CLOUD_PROJECT',
  'GOOGLE_CLOUD_LOCATION',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'GOOGLE_VERTEX_BASE_URL',
] as const;

type AuthType = 'gemini-api-key' | 'vertex-ai' | 'oauth-personal';

/** Login files `gemini` keeps under ~/.gemini after "Login with Google". */
const LOGIN_FILES = ['oauth_creds.json', 'google_accounts.json'] as const;

export function geminiVendor(): Vendor {
  return { name: 'gemini', authVars: geminiAuthVars, build: buildGemini, parser: geminiParser };
}

function buildGemini(req: AgentRequest, runHome: string): VendorInvocation {
  const geminiDir = path.join(runHome, '.gemini');
  fs.mkdirSync(geminiDir, { recursive: true, mode: 0o700 });
  const userDir = path.join(req.baseEnv.HOME || os.homedir(), '.gemini');
  for (const file of LOGIN_FILES)
    copyLoginFile(path.join(userDir, file), path.join(geminiDir, file));
  if (req.resumeSessionId) {
    // Chats live per project under ~/.gemini/tmp, named through ~/.gemini/projects.json.
    copySessionStore(req.resumeFromHome, runHome, path.join('.gemini', 'tmp'));
    copySessionStore(req.resumeFromHome, runHome, path.join('.gemini', 'projects.json'));
  }
  fs.writeFileSync(
    path.join(geminiDir, 'settings.json'),
    `${JSON.stringify(runSettings(req, userDir), null, 2)}\n`,
    { mode: 0o600 },
  );
  // `-p ''` selects headless mode; the prompt itself comes on stdin, which -p is appended to.
  const args = ['-p', '', '--output-format', 'stream-json'];
  // Nobody answers approval prompts, and the worktree is not in a trusted-folders list.
  args.push('--approval-mode', 'yolo', '--skip-trust');
  if (req.model) args.push('--model', req.model);
  if (req.resumeSessionId) args.push('--resume', req.resumeSessionId);
  args.push(...req.vendorConfig.args);
  return {
    command: resolveVendorCommand(req, { bin: 'gemini', npmPackage: '@google/gemini-cli' }),
    args,
    stdin: req.prompt,
    env: {},
  };
}

/** The run's ~/.gemini/settings.json: auth type, turn limit, no update checks or usage stats. */
function runSettings(req: AgentRequest, userDir: string): Record<string, unknown> {
  const settings: Record<string, unknown> = {
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
    privacy: { usageStatisticsEnabled: false },
  };
  const authType = chooseAuthType(req, userDir);
  if (authType) settings.security = { auth: { selectedType: authType } };
  if (req.maxTurns !== undefined && req.maxTurns > 0) {
    settings.model = { maxSessionTurns: req.maxTurns };
  }
  return settings;
}

/**
 * Headless Gemini CLI needs an auth type: the explicit switches first, then an API key, then what
 * the user chose with `gemini` itself (e.g. Login with Google, whose files were copied).
 */
function chooseAuthType(req: AgentRequest, userDir: string): AuthType | null {
  const env = (name: string) =>
    req.vendorConfig.env[name] ?? req.agentEnv[name] ?? req.baseEnv[name];
  if (env('GOOGLE_GENAI_USE_GCA') === 'true') return 'oauth-personal';
  if (env('GOOGLE_GENAI_USE_VERTEXAI') === 'true') return 'vertex-ai';
  if (env('GEMINI_API_KEY')) return 'gemini-api-key';
  return userAuthType(path.join(userDir, 'settings.json'));
}

function userAuthType(file: string): AuthType | null {
  try {
    const settings: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    const selected = pick(pick(pick(settings, 'security'), 'auth'), 'selectedType');
    return selected === 'gemini-api-key' ||
      selected === 'vertex-ai' ||
      selected === 'oauth-personal'
      ? selected
      : null;
  } catch {
    return null;
  }
}

function pick(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
