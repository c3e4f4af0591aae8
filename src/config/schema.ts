// The shape of looper.toml: one strict zod schema with every default. The loader validates the
// merged layers against it; everyone else reads the parsed `Config` (kebab-case keys, as in docs).

import { z } from 'zod';
import { type Role, roles, vendorNames } from '../domain/index.js';

const count = (min: number) => z.number().int().min(min);
const stringMap = () => z.record(z.string(), z.string());

const Server = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: count(0).max(65535).default(7391),
});

const Daemon = z.strictObject({
  'max-concurrent-loops': count(1).default(4),
  'poll-interval-secs': count(1).default(30),
  'shutdown-grace-secs': count(0).default(30),
  'lease-secs': count(5).default(60),
});

/** `""` (SQLite at `<data-dir>/looper.db`), `sqlite://<path>` or `postgres://…`. */
export function isStorageUrl(url: string): boolean {
  return url === '' || /^sqlite:\/\/.+/.test(url) || /^postgres(ql)?:\/\/.+/.test(url);
}

/** `[scheduler]`: how transient failures are retried (exponential backoff with jitter). */
const Scheduler = z.strictObject({
  retry: z
    .strictObject({
      'max-attempts': count(1).default(3),
      'base-delay-secs': z.number().min(0).default(5),
      'max-delay-secs': z.number().min(0).default(300),
    })
    .prefault({}),
});

/** `[worktrees]`: garbage collection of finished loops' worktrees. */
const Worktrees = z.strictObject({
  'retention-hours': z.number().min(0).default(24),
});

const Storage = z.strictObject({
  url: z
    .string()
    .refine(isStorageUrl, 'expected "", sqlite://<path> or postgres://user@host/db')
    .default(''),
});

const httpUrl = z
  .string()
  .refine(
    (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol),
    'expected an http(s) URL',
  );

const Github = z.strictObject({
  'api-url': httpUrl.default('https://api.github.com'),
  token: z.string().default(''),
  'webhook-secret': z.string().default(''),
  'bot-login': z.string().default(''),
  /** Milliseconds between two writes through the gateway (GitHub advises 1 s); 0 = no spacing. */
  'write-spacing-ms': count(0).default(1000),
  /** Writes that may go at once before the spacing applies (a token bucket); 1 = strict spacing. */
  'write-burst': count(1).default(3),
});

const Vendor = z.enum(vendorNames);

const Agent = z.strictObject({
  vendor: Vendor.default('claude-code'),
  model: z.string().default(''),
  'timeout-secs': count(1).default(1800),
  'idle-timeout-secs': count(1).default(300),
  'max-turns': count(1).optional(),
  env: stringMap().default({}),
  fallback: z.array(Vendor).default([]),
});

const RoleOverride = z.strictObject({
  vendor: Vendor.optional(),
  model: z.string().optional(),
  'timeout-secs': count(1).optional(),
  'idle-timeout-secs': count(1).optional(),
  'max-turns': count(1).optional(),
  fallback: z.array(Vendor).optional(),
});

const roleShape = Object.fromEntries(roles.map((role) => [role, RoleOverride.optional()])) as {
  [R in Role]: z.ZodOptional<typeof RoleOverride>;
};

/** `[roles.plan-reviewer]` is accepted as another spelling of `[roles.plan_reviewer]`. */
const Roles = z
  .strictObject({ ...roleShape, 'plan-reviewer': RoleOverride.optional() })
  .refine((value) => !(value['plan-reviewer'] && value.plan_reviewer), {
    message: 'set [roles.plan_reviewer] or [roles.plan-reviewer], not both',
  })
  .transform(({ 'plan-reviewer': alias, ...rest }) =>
    alias === undefined ? rest : { ...rest, plan_reviewer: rest.plan_reviewer ?? alias },
  );

/** Keys accepted only as other spellings; left out of key listings. */
export const aliasKeys: readonly string[] = ['roles.plan-reviewer'];

/** The executable each vendor runs unless `[vendors.<name>] command` says otherwise. */
export const defaultVendorCommands = {
  'claude-code': 'claude',
  codex: 'codex',
  opencode: 'opencode',
  cursor: 'cursor-agent',
  gemini: 'gemini',
  custom: '',
} as const satisfies Record<(typeof vendorNames)[number], string>;

const vendorSettings = (command: string) =>
  z
    .strictObject({
      command: z.string().default(command),
      /** The model this vendor runs when a role names none (and for fallback runs); '' = the CLI's. */
      model: z.string().default(''),
      args: z.array(z.string()).default([]),
      env: stringMap().default({}),
      /** USD per million tokens, used when the vendor reports no cost itself. */
      price: z
        .strictObject({
          input: z.number().nonnegative(),
          output: z.number().nonnegative(),
          cached: z.number().nonnegative().default(0),
        })
        .optional(),
    })
    .prefault({});

const Vendors = z.strictObject({
  'claude-code': vendorSettings(defaultVendorCommands['claude-code']),
  codex: vendorSettings(defaultVendorCommands.codex),
  opencode: vendorSettings(defaultVendorCommands.opencode),
  cursor: vendorSettings(defaultVendorCommands.cursor),
  gemini: vendorSettings(defaultVendorCommands.gemini),
  custom: vendorSettings(defaultVendorCommands.custom),
});

const Loop = z.strictObject({
  approval: z.enum(['auto', 'label']).default('auto'),
  'max-plan-rounds': count(0).default(2),
  'max-local-fix-rounds': count(0).default(3),
  'max-fix-rounds': count(0).default(5),
  'max-wall-minutes': count(1).default(240),
  'max-cost-usd': z.number().min(0).default(10),
  'ci-wait-minutes': count(0).default(10),
  /** New pull requests one project may open per hour; 0 = no cap. */
  'max-new-prs-per-hour': count(0).default(10),
  'check-timeout-secs': count(1).default(900),
  'auto-merge': z.boolean().default(false),
  /** How an auto-merged PR is merged. */
  'merge-method': z.enum(['merge', 'squash', 'rebase']).default('squash'),
  'commit-author': z
    .string()
    .regex(/^[^<>]+ <[^<>\s]+>$/, 'expected "Name <email>"')
    .default('Looper <looper@localhost>'),
});

const Trust = z.strictObject({
  'allowed-users': z.array(z.string().min(1)).default([]),
});

const Project = z
  .strictObject({
    repo: z
      .string()
      .regex(/^[\w.-]+\/[\w.-]+$/, 'expected "owner/name"')
      .optional(),
    path: z.string().min(1).optional(),
    'clone-url': z.string().min(1).optional(),
    'base-branch': z.string().min(1).default('main'),
    checks: z.array(z.string().min(1)).optional(),
    'max-concurrent': count(1).default(2),
    reviewers: z.array(z.string().min(1)).optional(),
    /**
     * The `auto` queue (SPEC §2): issues that get one of `labels` (from someone with write access)
     * or are opened by one of `authors` start a loop, after manual and planned work.
     */
    auto: z
      .strictObject({
        labels: z.array(z.string().min(1)).default([]),
        authors: z.array(z.string().min(1)).default([]),
      })
      .optional(),
  })
  .refine((project) => project.repo !== undefined || project.path !== undefined, {
    message: 'a project needs "repo" (owner/name) or "path" (a local clone), or both',
  });

/** The whole configuration. Sections default to `{}` so every default applies. */
export const ConfigSchema = z.strictObject({
  server: Server.prefault({}),
  daemon: Daemon.prefault({}),
  scheduler: Scheduler.prefault({}),
  storage: Storage.prefault({}),
  github: Github.prefault({}),
  agent: Agent.prefault({}),
  roles: Roles.prefault({}),
  vendors: Vendors.prefault({}),
  loop: Loop.prefault({}),
  trust: Trust.prefault({}),
  worktrees: Worktrees.prefault({}),
  projects: z.array(Project).default([]),
});

/** The parsed configuration, kebab-case keys as written in the file: `config.loop['max-fix-rounds']`. */
export type Config = z.output<typeof ConfigSchema>;
/** What a file, the environment or flags may write before defaults apply. */
export type ConfigInput = z.input<typeof ConfigSchema>;
export type ProjectConfig = Config['projects'][number];
export type VendorConfig = Config['vendors'][keyof Config['vendors']];
export type ConfigSection = keyof Config;

export const configSections = Object.keys(ConfigSchema.shape) as ConfigSection[];

/** The configuration with nothing set: every default. */
export function defaultConfig(): Config {
  return ConfigSchema.parse({});
}
