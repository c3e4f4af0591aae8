// Roles, vendors and run statuses as data.

export const roles = ['planner', 'plan_reviewer', 'worker', 'reviewer', 'fixer'] as const;
export type Role = (typeof roles)[number];

export const vendorNames = [
  'claude-code',
  'codex',
  'opencode',
  'cursor',
  'gemini',
  'custom',
] as const;
export type VendorName = (typeof vendorNames)[number];

export const runStatuses = [
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'parse_failed',
  'interrupted',
  'cancelled',
] as const;
export type RunStatus = (typeof runStatuses)[number];

export const terminalRunStatuses: readonly RunStatus[] = [
  'succeeded',
  'failed',
  'timed_out',
  'parse_failed',
  'interrupted',
  'cancelled',
];

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export function isVendorName(value: string): value is VendorName {
  return (vendorNames as readonly string[]).includes(value);
}
