// `GET|PATCH /config` for the daemon: the configuration it loaded at start (secrets masked), and
// edits of its config file, validated whole. The running daemon keeps its loaded configuration.
import type { ConfigPatchView, ConfigService, ConfigView } from '../api/index.js';
import {
  type ConfigFileOptions,
  type LoadedConfig,
  loadConfig,
  locateConfigFile,
  maskSecrets,
  patchConfigFile,
} from '../config/index.js';

export interface ConfigAdminDeps {
  /** What the daemon loaded at start. */
  loaded: LoadedConfig;
  /** The environment it loaded it with (env layers and discovery). */
  env: NodeJS.ProcessEnv;
  log: { info(obj: object, msg: string): void };
}

export function createConfigAdmin(deps: ConfigAdminDeps): ConfigService {
  const { loaded, env } = deps;
  const fileOptions = (): ConfigFileOptions => ({
    env,
    ...(loaded.file === null ? {} : { file: loaded.file }),
  });
  const running = JSON.stringify(loaded.config);

  /** Whether a start now would load other settings (or fail on the file). */
  function fileDiffers(): boolean {
    try {
      const now = loadConfig({ env, ...(loaded.file === null ? {} : { file: loaded.file }) });
      return JSON.stringify(now.config) !== running;
    } catch {
      return true;
    }
  }

  return {
    async getConfig(): Promise<ConfigView> {
      const location = locateConfigFile(fileOptions());
      return {
        file: location.file,
        file_exists: location.exists,
        config: maskSecrets(loaded.config),
        restart_required: fileDiffers(),
      };
    },

    async patchConfig(patch): Promise<ConfigPatchView> {
      const result = patchConfigFile({ ...fileOptions(), patch });
      const changed = result.changes.map((change) => ({
        key: change.key,
        value: change.value ?? null,
        secret: change.secret,
      }));
      if (result.written) {
        deps.log.info(
          { file: result.file, keys: changed.map((change) => change.key) },
          'config file changed over the API',
        );
      }
      return {
        file: result.file,
        created: result.created,
        changed,
        config: maskSecrets(result.config),
        restart_required: true,
        notes: [
          ...result.notes,
          'looperd keeps running with the configuration it loaded at start; restart it to apply this',
        ],
      };
    },
  };
}
