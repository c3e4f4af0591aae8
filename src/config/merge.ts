// Merges config layers (file → env → overrides) key by key and remembers which layer supplied
// each value, so a validation error can name the file or variable to fix.

import type { ConfigPath } from './introspect.js';

export interface ConfigLayer {
  /** Shown in errors: a file path, `env LOOPER_…` or `overrides`. */
  label: string;
  value: Record<string, unknown>;
  /** Per-path labels inside this layer (env vars); `label` covers the rest. */
  labels?: ReadonlyMap<string, string>;
}

export interface MergedLayers {
  value: Record<string, unknown>;
  /** The label of the layer that set `path` (or its nearest set ancestor); "defaults" if none. */
  originOf(path: ConfigPath): string;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function pathKey(path: ConfigPath): string {
  return path.map(String).join('\u0000');
}

/** Later layers win; tables merge key by key, anything else (arrays included) is replaced. */
export function mergeLayers(layers: readonly ConfigLayer[]): MergedLayers {
  const origins = new Map<string, string>();
  const value: Record<string, unknown> = Object.create(null);

  const labelFor = (layer: ConfigLayer, path: ConfigPath): string => {
    for (let end = path.length; end > 0; end--) {
      const label = layer.labels?.get(pathKey(path.slice(0, end)));
      if (label !== undefined) return label;
    }
    return layer.label;
  };

  const forget = (path: ConfigPath): void => {
    const prefix = `${pathKey(path)}\u0000`;
    for (const key of [...origins.keys()]) if (key.startsWith(prefix)) origins.delete(key);
  };

  const copy = (source: unknown, path: ConfigPath, layer: ConfigLayer): unknown => {
    origins.set(pathKey(path), labelFor(layer, path));
    if (Array.isArray(source)) return source.map((item, i) => copy(item, [...path, i], layer));
    if (!isPlainObject(source)) return source;
    const out: Record<string, unknown> = Object.create(null);
    for (const [key, item] of Object.entries(source)) {
      if (item !== undefined) out[key] = copy(item, [...path, key], layer);
    }
    return out;
  };

  const mergeInto = (
    target: Record<string, unknown>,
    source: Record<string, unknown>,
    path: ConfigPath,
    layer: ConfigLayer,
  ): void => {
    for (const [key, item] of Object.entries(source)) {
      if (item === undefined) continue;
      const childPath = [...path, key];
      const existing = target[key];
      if (isPlainObject(item) && isPlainObject(existing)) {
        mergeInto(existing, item, childPath, layer);
        continue;
      }
      forget(childPath);
      target[key] = copy(item, childPath, layer);
    }
  };

  for (const layer of layers) mergeInto(value, layer.value, [], layer);

  return {
    value,
    originOf(path) {
      for (let end = path.length; end >= 0; end--) {
        const label = origins.get(pathKey(path.slice(0, end)));
        if (label !== undefined) return label;
      }
      return 'defaults';
    },
  };
}
