// What `GET|PATCH /config` need from the daemon. Optional in the app: without it those routes
// answer 404 (the API tests' fake service has none).
import type { ConfigPatchView, ConfigView, PatchConfigRequest } from './config-dto.js';

export interface ConfigService {
  /** The running configuration, secrets masked, and its file. */
  getConfig(): Promise<ConfigView>;
  /**
   * Validates the patched file and writes it; the running daemon keeps its loaded config. Throws
   * LooperError('config_invalid') (422) naming each bad key, and then writes nothing.
   */
  patchConfig(patch: PatchConfigRequest): Promise<ConfigPatchView>;
}
