// Derived views of a parsed Config that other folders need: the effective agent settings of a
// role (its [roles.<role>] over [agent]) and the loop limits the state machine enforces.

import type { LoopLimits, Role, VendorName } from '../domain/index.js';
import type { Config } from './schema.js';

export interface RoleSettings {
  vendor: VendorName;
  /** "" lets the vendor CLI pick its default model. */
  model: string;
  timeoutSecs: number;
  idleTimeoutSecs: number;
  maxTurns: number | undefined;
  /** Vendors tried in order when a run ends out of quota, rate-limited or unauthorised. */
  fallback: VendorName[];
}

/**
 * The agent settings a role runs with: each key of `[roles.<role>]` wins over `[agent]`. A role
 * that switches vendor without naming a model gets "" (the vendor's default), because
 * `agent.model` names a model of the other vendor.
 */
export function roleSettings(config: Config, role: Role): RoleSettings {
  const agent = config.agent;
  const own = config.roles[role] ?? {};
  const vendor = own.vendor ?? agent.vendor;
  const inheritedModel = vendor === agent.vendor ? agent.model : '';
  return {
    vendor,
    model: own.model ?? inheritedModel,
    timeoutSecs: own['timeout-secs'] ?? agent['timeout-secs'],
    idleTimeoutSecs: own['idle-timeout-secs'] ?? agent['idle-timeout-secs'],
    maxTurns: own['max-turns'] ?? agent['max-turns'],
    fallback: (own.fallback ?? agent.fallback).filter((name) => name !== vendor),
  };
}

/** The `[loop]` limits in the shape the loop state machine takes. */
export function loopLimits(config: Config): LoopLimits {
  const loop = config.loop;
  return {
    approval: loop.approval,
    maxPlanRounds: loop['max-plan-rounds'],
    maxLocalFixRounds: loop['max-local-fix-rounds'],
    maxFixRounds: loop['max-fix-rounds'],
    maxWallMinutes: loop['max-wall-minutes'],
    maxCostUsd: loop['max-cost-usd'],
    autoMerge: loop['auto-merge'],
  };
}
