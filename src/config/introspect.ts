// Reads the config schema as data: which keys an object allows (for "did you mean" hints), what
// type a key holds (to coerce env strings) and the flat list of keys with defaults (for docs).

import { z } from 'zod';
import { aliasKeys, ConfigSchema } from './schema.js';

export type ConfigPath = readonly (string | number)[];

export type ValueKind =
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'enum'
  | 'string-list'
  | 'string-map'
  | 'table'
  | 'table-list'
  | 'unknown';

export interface ConfigKeyInfo {
  /** Dotted key as written in docs: `loop.max-fix-rounds`, `projects[].checks`. */
  key: string;
  kind: ValueKind;
  /** The default, or undefined when the key is optional with none. */
  default: unknown;
  /** Allowed values of an enum key. */
  values?: readonly string[];
}

/** Strips defaults, optionals and transforms down to the schema that checks the value. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
}

/** The schema of the value at `path` (array indexes and record keys included), if any. */
export function schemaAt(path: ConfigPath, root: z.ZodType = ConfigSchema): z.ZodType | undefined {
  let current: z.ZodType | undefined = root;
  for (const segment of path) {
    if (current === undefined) return undefined;
    const base = unwrapSchema(current);
    if (base instanceof z.ZodObject) {
      const shape = base.shape as Record<string, z.ZodType>;
      current = Object.hasOwn(shape, String(segment)) ? shape[String(segment)] : undefined;
    } else if (base instanceof z.ZodArray) {
      current = base.element as z.ZodType;
    } else if (base instanceof z.ZodRecord) {
      current = base.valueType as z.ZodType;
    } else {
      return undefined;
    }
  }
  return current;
}

/** The keys allowed in the object at `path`, or [] when it is not an object. */
export function objectKeysAt(path: ConfigPath, root: z.ZodType = ConfigSchema): string[] {
  const schema = schemaAt(path, root);
  if (schema === undefined) return [];
  const base = unwrapSchema(schema);
  return base instanceof z.ZodObject ? Object.keys(base.shape) : [];
}

export function valueKind(schema: z.ZodType): ValueKind {
  const base = unwrapSchema(schema);
  if (base instanceof z.ZodString) return 'string';
  if (base instanceof z.ZodNumber) return base.isInt ? 'integer' : 'number';
  if (base instanceof z.ZodBoolean) return 'boolean';
  if (base instanceof z.ZodEnum) return 'enum';
  if (base instanceof z.ZodRecord) return 'string-map';
  if (base instanceof z.ZodObject) return 'table';
  if (base instanceof z.ZodArray) {
    return unwrapSchema(base.element as z.ZodType) instanceof z.ZodObject
      ? 'table-list'
      : 'string-list';
  }
  return 'unknown';
}

function defaultOf(schema: z.ZodType): unknown {
  if (schema instanceof z.ZodDefault) return schema.def.defaultValue;
  if (schema instanceof z.ZodOptional) return defaultOf(schema.unwrap() as z.ZodType);
  return undefined;
}

/** Every leaf key of the schema, in schema order, with its kind and default. */
export function configKeys(root: z.ZodType = ConfigSchema): ConfigKeyInfo[] {
  const out: ConfigKeyInfo[] = [];
  const walk = (schema: z.ZodType, prefix: string): void => {
    const base = unwrapSchema(schema);
    const kind = valueKind(base);
    if (kind === 'table' && base instanceof z.ZodObject) {
      for (const [key, child] of Object.entries(base.shape as Record<string, z.ZodType>)) {
        const path = prefix === '' ? key : `${prefix}.${key}`;
        if (!aliasKeys.includes(path)) walk(child, path);
      }
      return;
    }
    if (kind === 'table-list' && base instanceof z.ZodArray) {
      walk(base.element as z.ZodType, `${prefix}[]`);
      return;
    }
    const info: ConfigKeyInfo = { key: prefix, kind, default: defaultOf(schema) };
    if (base instanceof z.ZodEnum) info.values = base.options.map(String);
    out.push(info);
  };
  walk(root, '');
  return out;
}
