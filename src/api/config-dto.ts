// Request and response shapes of `GET|PATCH /config`: the daemon's configuration (kebab-case keys as
// in the file, secrets masked) and a JSON merge patch of it. snake_case on the wire around them.
import { z } from 'zod';

/** `PATCH /config`: a JSON merge patch (RFC 7386) of config keys; `null` removes a key. */
export const PatchConfigRequest = z.record(z.string(), z.unknown());
export type PatchConfigRequest = z.infer<typeof PatchConfigRequest>;

export interface ConfigView {
  /** The daemon's config file, or where `PATCH /config` creates one. */
  file: string;
  file_exists: boolean;
  /** The configuration the daemon runs with (loaded at start), secrets masked. */
  config: Record<string, unknown>;
  /** True when the file now holds other settings than the running ones: a restart applies them. */
  restart_required: boolean;
}

export interface ConfigPatchView {
  /** The file written. */
  file: string;
  created: boolean;
  /** The keys the patch changed, each with its new value (masked if secret; null when removed). */
  changed: { key: string; value: unknown; secret: boolean }[];
  /** The configuration the daemon will run with after a restart, secrets masked. */
  config: Record<string, unknown>;
  /** Always true: the running daemon keeps the configuration it loaded at start. */
  restart_required: true;
  /** What else to know: comments dropped from the file, env variables overriding a key. */
  notes: string[];
}
