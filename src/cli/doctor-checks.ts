// `looper doctor`'s vocabulary: one check = status + name + detail (+ data for --json), the text
// rendering, the exit code, which vendors the config needs, and how each vendor's login shows.
import { join } from 'node:path';
import { type Config, roleSettings } from '../config/index.js';
import { roles, type VendorName, vendorNames } from '../domain/index.js';

export type DoctorStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  check: string;
  status: DoctorStatus;
  detail: string;
  data?: Record<string, unknown>;
}

export interface DoctorReport {
  /** False when any check failed (exit 1). */
  ok: boolean;
  checks: DoctorCheck[];
}

export function doctorReport(checks: DoctorCheck[]): DoctorReport {
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}

/** `ok    git         git version 2.43.0`, the names aligned. */
export function formatDoctor(report: DoctorReport): string {
  const width = Math.max(0, ...report.checks.map((c) => c.check.length));
  return report.checks
    .map((c) => `${c.status.padEnd(4)}  ${c.check.padEnd(width)}  ${c.detail}`.trimEnd())
    .join('\n');
}

export type VendorNeed = 'primary' | 'fallback' | 'unused';

/** Vendors some role runs (`primary`), vendors only in fallback lists, and the rest. */
export function vendorNeeds(config: Config): Record<VendorName, VendorNeed> {
  const needs = Object.fromEntries(vendorNames.map((v) => [v, 'unused'])) as Record<
    VendorName,
    VendorNeed
  >;
  for (const role of roles) {
    const settings = roleSettings(config, role);
    for (const name of settings.fallback) if (needs[name] === 'unused') needs[name] = 'fallback';
  }
  for (const role of roles) needs[roleSettings(config, role).vendor] = 'primary';
  return needs;
}

interface VendorAuth {
  /** Variables any one of which authenticates the CLI (API keys, tokens, cloud switches). */
  vars: readonly string[];
  /** Credentials files the CLI's own login writes. */
  files: (env: Record<string, string | undefined>, home: string) => string[];
  /** How to log in. */
  login: string;
}

const opencodeKeys = [
  'OPENCODE_AUTH_CONTENT',
  'OPENCODE_API_KEY',
  'ANTHROPIC_API_KEY',
  'OPENAI_API_KEY',
  'OPENROUTER_API_KEY',
  'GEMINI_API_KEY',
  'GOOGLE_GENERATIVE_AI_API_KEY',
  'GROQ_API_KEY',
  'DEEPSEEK_API_KEY',
  'XAI_API_KEY',
  'MISTRAL_API_KEY',
  'AZURE_API_KEY',
  'AWS_BEARER_TOKEN_BEDROCK',
] as const;

export const vendorAuth: Record<Exclude<VendorName, 'custom'>, VendorAuth> = {
  'claude-code': {
    vars: [
      'ANTHROPIC_API_KEY',
      'ANTHROPIC_AUTH_TOKEN',
      'CLAUDE_CODE_OAUTH_TOKEN',
      'CLAUDE_CODE_USE_BEDROCK',
      'CLAUDE_CODE_USE_VERTEX',
    ],
    files: (env, home) => [
      ...(env.CLAUDE_CONFIG_DIR ? [join(env.CLAUDE_CONFIG_DIR, '.credentials.json')] : []),
      join(home, '.claude', '.credentials.json'),
    ],
    login: '`claude` then /login, or `claude setup-token`',
  },
  codex: {
    vars: ['OPENAI_API_KEY', 'CODEX_API_KEY', 'CODEX_ACCESS_TOKEN'],
    files: (env, home) => [
      ...(env.CODEX_HOME ? [join(env.CODEX_HOME, 'auth.json')] : []),
      join(home, '.codex', 'auth.json'),
    ],
    login: '`codex login`',
  },
  opencode: {
    vars: opencodeKeys,
    files: (env, home) => [
      join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'opencode', 'auth.json'),
    ],
    login: '`opencode auth login`',
  },
  cursor: {
    vars: ['CURSOR_API_KEY'],
    files: () => [],
    login: '`cursor-agent login`, or CURSOR_API_KEY',
  },
  gemini: {
    vars: ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_GENAI_USE_GCA'],
    files: (_env, home) => [join(home, '.gemini', 'oauth_creds.json')],
    login: '`gemini` once (sign in with Google), or GEMINI_API_KEY',
  },
};

export interface VendorLogin {
  /** True when a key or a credentials file was found; null when nothing cheap says so. */
  loggedIn: boolean | null;
  /** `ANTHROPIC_API_KEY`, or the credentials file found; the hint to log in otherwise. */
  via: string;
}

/** Whether a vendor looks logged in: a variable set (env or config) or its credentials file. */
export function vendorLogin(
  vendor: Exclude<VendorName, 'custom'>,
  env: Record<string, string | undefined>,
  home: string,
  exists: (file: string) => boolean,
): VendorLogin {
  const auth = vendorAuth[vendor];
  const variable = auth.vars.find((name) => (env[name] ?? '').trim() !== '');
  if (variable !== undefined) return { loggedIn: true, via: variable };
  const file = auth.files(env, home).find(exists);
  if (file !== undefined) return { loggedIn: true, via: file };
  return { loggedIn: null, via: `no key or credentials found; log in with ${auth.login}` };
}
