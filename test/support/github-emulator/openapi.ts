// Validates the emulator's responses (and the requests it receives) against GitHub's published
// OpenAPI description from @octokit/openapi, so the emulator cannot drift from real API shapes.
// The description (api.github.com.json, with $refs) is parsed once per process; only the served
// operations and the components they reach are kept (cached on disk by package version), and each
// component compiles once into a shared validator (the dereferenced file would inline and recompile
// `repository` in every pull request schema).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Schema = Record<string, unknown>;

export interface OperationSchemas {
  /** status code → JSON schema of the body (null: the status has no JSON body). */
  responses: Record<string, Schema | null>;
  request: Schema | null;
}

export interface ServedSchemas {
  operations: Record<string, OperationSchemas>;
  /** The components/schemas the operations reach, by name. */
  components: Record<string, Schema>;
}

const require = createRequire(import.meta.url);
const DOC_ID = 'github';
const componentRef = '#/components/schemas/';

function specFile(): { file: string; version: string } {
  const pkg = require.resolve('@octokit/openapi/package.json');
  const version = (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
  return { file: path.join(path.dirname(pkg), 'generated', 'api.github.com.json'), version };
}

/**
 * GitHub's descriptions use `oneOf` with overlapping branches (nullable members, private/public
 * users) that strict JSON Schema rejects for valid payloads, and OpenAPI 3.0 `nullable` beside
 * `enum` or without `type`. Rewrite those into plain JSON Schema Ajv reads the way GitHub means,
 * point component refs at the shared document, and note which components are reached.
 */
function normalise(node: unknown, reached: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((item) => normalise(item, reached));
  if (node === null || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'discriminator' || key === 'example' || key === 'examples') continue;
    if (key === '$ref' && typeof value === 'string' && value.startsWith(componentRef)) {
      reached.add(value.slice(componentRef.length));
      out.$ref = `${DOC_ID}${value}`;
      continue;
    }
    out[key === 'oneOf' ? 'anyOf' : key] = normalise(value, reached);
  }
  if (out.nullable === true) {
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (out.type === undefined) {
      const { nullable: _drop, ...rest } = out;
      return { anyOf: [{ type: 'null' }, rest] };
    }
  }
  return out;
}

function extract(spec: Schema, keys: readonly string[]): ServedSchemas {
  const paths = spec.paths as Record<string, Record<string, Schema>>;
  const components = spec.components as Record<string, Record<string, Schema>>;
  const reached = new Set<string>();
  const operations: Record<string, OperationSchemas> = {};
  for (const key of keys) {
    const [method, template] = key.split(' ') as [string, string];
    const op = paths[template]?.[method.toLowerCase()];
    if (!op) throw new Error(`OpenAPI has no operation ${key}`);
    const responses: Record<string, Schema | null> = {};
    for (const [status, entry] of Object.entries(op.responses as Record<string, Schema>)) {
      const ref = typeof entry.$ref === 'string' ? entry.$ref.split('/').pop() : undefined;
      const response = ref ? (components.responses?.[ref] ?? {}) : entry;
      const content = response.content as Record<string, { schema?: Schema }> | undefined;
      const schema = content?.['application/json']?.schema;
      responses[status] = schema ? (normalise(schema, reached) as Schema) : null;
    }
    const body = op.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined;
    const request = body?.content?.['application/json']?.schema;
    operations[key] = {
      responses,
      request: request ? (normalise(request, reached) as Schema) : null,
    };
  }
  const kept: Record<string, Schema> = {};
  const queue = [...reached];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (kept[name]) continue;
    const before = new Set(reached);
    kept[name] = normalise(components.schemas?.[name] ?? {}, reached) as Schema;
    for (const found of reached) if (!before.has(found)) queue.push(found);
  }
  return { operations, components: kept };
}

let loaded: { keys: string; schemas: Promise<ServedSchemas> } | null = null;

/** The schemas of `keys` ("GET /repos/{owner}/{repo}"), loaded once per process. */
export function loadOperations(keys: readonly string[]): Promise<ServedSchemas> {
  const sorted = [...keys].sort().join('\n');
  if (loaded?.keys === sorted) return loaded.schemas;
  const schemas = (async () => {
    const { file, version } = specFile();
    const digest = createHash('sha1').update(sorted).digest('hex').slice(0, 12);
    const cacheFile = path.join(
      os.tmpdir(),
      `looper-github-openapi-refs-${version}-${digest}.json`,
    );
    if (fs.existsSync(cacheFile)) {
      return JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as ServedSchemas;
    }
    const spec = JSON.parse(await fs.promises.readFile(file, 'utf8')) as Schema;
    const result = extract(spec, keys);
    const temp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(result));
    fs.renameSync(temp, cacheFile);
    return result;
  })();
  loaded = { keys: sorted, schemas };
  return schemas;
}

/**
 * Statuses GitHub may send on any operation (auth, missing or hidden resources, rate limits,
 * outages) whether or not the description lists them, and their body shape.
 */
const anyOperationStatuses = new Set(['401', '403', '404', '429', '500', '502', '503']);
const basicError: Schema = {
  type: 'object',
  required: ['message'],
  properties: { message: { type: 'string' }, documentation_url: { type: 'string' } },
};

// ajv-formats is CommonJS: depending on the loader the default import is the plugin or its module.
type FormatsPlugin = (ajv: Ajv) => Ajv;
const formatsModule = addFormatsModule as unknown as FormatsPlugin & { default?: FormatsPlugin };
const addFormats: FormatsPlugin = formatsModule.default ?? formatsModule;

export class OpenApiValidator {
  private readonly ajv = addFormats(
    new Ajv({
      strict: false,
      allErrors: true,
      logger: false,
      validateSchema: false,
      // Compile each component once and share it, instead of inlining it into every parent.
      inlineRefs: false,
    }),
  );
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly operations: Record<string, OperationSchemas>;

  constructor(schemas: ServedSchemas) {
    this.operations = schemas.operations;
    this.ajv.addSchema({ $id: DOC_ID, components: { schemas: schemas.components } });
  }

  private compile(id: string, schema: Schema): ValidateFunction {
    let fn = this.compiled.get(id);
    if (!fn) {
      fn = this.ajv.compile(schema);
      this.compiled.set(id, fn);
    }
    return fn;
  }

  private describe(fn: ValidateFunction): string {
    return (fn.errors ?? [])
      .slice(0, 8)
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
      .join('; ');
  }

  /** null when valid, else why not. */
  validateResponse(key: string, status: number, body: unknown): string | null {
    const op = this.operations[key];
    if (!op) return `no OpenAPI operation for ${key}`;
    const code = String(status);
    if (!(code in op.responses)) {
      if (status === 304 && key.startsWith('GET ')) return null;
      // GitHub answers bad input to any write with 422, documented or not.
      const badInput = status === 422 && !key.startsWith('GET ');
      if (!anyOperationStatuses.has(code) && !badInput) {
        return `${key} does not document status ${code}`;
      }
      const fn = this.compile('basic-error', basicError);
      return fn(body) ? null : `${key} ${code}: ${this.describe(fn)}`;
    }
    const schema = op.responses[code];
    if (!schema) return null;
    const fn = this.compile(`${key} ${code}`, schema);
    return fn(body) ? null : `${key} ${code}: ${this.describe(fn)}`;
  }

  /** null when the request body matches the operation's requestBody schema. */
  validateRequest(key: string, body: unknown): string | null {
    const schema = this.operations[key]?.request;
    if (!schema) return null;
    const fn = this.compile(`${key} request`, schema);
    return fn(body) ? null : this.describe(fn);
  }
}
