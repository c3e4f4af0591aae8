// Finds a vendor CLI's executable (configured command, PATH, or the copy installed with Looper's
// own dependencies) and copies a user's login file into a per-run config dir.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AgentRequest } from '../vendor.js';

/** Where a vendor's CLI may be found: its binary name and the npm package that ships it. */
export interface VendorBinary {
  bin: string;
  npmPackage: string | null;
}

/** `vendors.<v>.command`, else the binary on PATH, else the npm copy installed with Looper. */
export function resolveVendorCommand(req: AgentRequest, binary: VendorBinary): string {
  const configured = req.vendorConfig.command?.trim();
  if (configured) return configured;
  return (
    findOnPath(binary.bin, req.baseEnv.PATH) ??
    (binary.npmPackage ? packagedBin(binary.npmPackage, binary.bin) : null) ??
    binary.bin
  );
}

export function findOnPath(name: string, pathVar: string | undefined): string | null {
  for (const dir of (pathVar ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** The `bin` entry of an npm package when Node can resolve it from this module. */
export function packagedBin(npmPackage: string, bin: string): string | null {
  try {
    const require = createRequire(import.meta.url);
    const manifestPath = require.resolve(`${npmPackage}/package.json`);
    const manifest: unknown = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
    const entry = binEntry(manifest, bin);
    if (!entry) return null;
    const candidate = path.resolve(path.dirname(manifestPath), entry);
    return isExecutableFile(candidate) ? candidate : null;
  } catch {
    return null;
  }
}

function binEntry(manifest: unknown, name: string): string | null {
  if (typeof manifest !== 'object' || manifest === null || !('bin' in manifest)) return null;
  const bin: unknown = manifest.bin;
  if (typeof bin === 'string') return bin;
  if (typeof bin !== 'object' || bin === null) return null;
  const entry: unknown = (bin as Record<string, unknown>)[name];
  return typeof entry === 'string' ? entry : null;
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Copies a login file (OAuth tokens, API key cache) into a run's private config dir with mode
 * 0600. A missing or unreadable source is not an error here: the CLI reports its own auth error,
 * which is classified.
 */
export function copyLoginFile(source: string, target: string): void {
  if (path.resolve(source) === path.resolve(target) || !fs.existsSync(source)) return;
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    fs.copyFileSync(source, target);
    fs.chmodSync(target, 0o600);
  } catch {
    // see above: the CLI's auth error says what is wrong
  }
}

/**
 * Copies a vendor's session store from an earlier run's home into this run's home, so a native
 * resume finds the session although every run has its own config dir.
 */
export function copySessionStore(fromHome: string | undefined, toHome: string, rel: string): void {
  if (!fromHome || path.resolve(fromHome) === path.resolve(toHome)) return;
  const source = path.join(fromHome, rel);
  if (!fs.existsSync(source)) return;
  try {
    fs.cpSync(source, path.join(toHome, rel), { recursive: true, force: false });
  } catch {
    // a session that cannot be copied makes the resume fail, and the runner starts afresh
  }
}

/** Unattended defaults that `agent.env` / `vendors.<v>.env` did not override. */
export function defaultsNotOverridden(
  req: AgentRequest,
  defaults: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(defaults)) {
    if (!(name in req.agentEnv) && !(name in req.vendorConfig.env)) env[name] = value;
  }
  return env;
}
