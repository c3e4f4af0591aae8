// The environment an agent process gets: an allow-list over the daemon's env plus configured
// extras. Git variables, forge tokens and Looper's own settings never reach an agent.

export interface AgentEnvInput {
  /** The daemon's environment; only allow-listed names are read from it. */
  base: NodeJS.ProcessEnv;
  /** The agent's HOME (a per-run directory). */
  home: string;
  /** The vendor's own auth and endpoint variables, copied from `base` when set. */
  vendorVars: readonly string[];
  /** Config's `agent.env` and `vendors.<v>.env`, applied last (still filtered). */
  extra: Record<string, string>;
}

const BASE_NAMES = ['PATH', 'LANG', 'TERM', 'TZ', 'TMPDIR'] as const;

/** Names that are never passed, whatever their source. */
export function isForbiddenAgentVar(name: string): boolean {
  const upper = name.toUpperCase();
  return (
    upper.startsWith('GIT_') ||
    upper.startsWith('LOOPER_') ||
    upper === 'GITHUB_TOKEN' ||
    upper === 'GH_TOKEN'
  );
}

export function buildAgentEnv(input: AgentEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  const copy = (name: string) => {
    const value = input.base[name];
    if (value !== undefined && !isForbiddenAgentVar(name)) env[name] = value;
  };
  for (const name of BASE_NAMES) copy(name);
  for (const name of Object.keys(input.base)) {
    if (name.startsWith('LC_')) copy(name);
  }
  for (const name of input.vendorVars) copy(name);
  for (const [name, value] of Object.entries(input.extra)) {
    if (!isForbiddenAgentVar(name)) env[name] = value;
  }
  env.HOME = input.home;
  return env;
}

const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i;

/**
 * The values of secret-looking variables in an agent env (API keys, tokens), for the executor to
 * redact from logs: an agent may print its own environment. Short values are skipped, since
 * redacting them would mangle ordinary output.
 */
export function secretValues(env: Record<string, string>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && value.length >= 8)
    .map(([, value]) => value);
}
