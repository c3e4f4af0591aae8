// Builds the OpenAPI 3.1 document `GET /openapi.json` serves from the operations table: request
// schemas generated from the zod schemas the routes validate with, answers in the envelope, errors.
import { z } from 'zod';
import { type ErrorCode, errorCodes } from '../domain/index.js';
import {
  type Access,
  operations as allOperations,
  type OperationSpec,
  type ResponseSpec,
} from './openapi-operations.js';
import { componentSchemas } from './openapi-schemas.js';

type Json = Record<string, unknown>;

/** `/loops/:id/retry` → `/loops/{id}/retry`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

function jsonSchema(schema: z.ZodType): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Json;
  return rest;
}

function components(): Json {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(componentSchemas)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  const clean: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = schema;
    clean[id] = rest;
  }
  return {
    ...clean,
    ErrorCode: { type: 'string', enum: Object.keys(errorCodes) },
    Error: {
      type: 'object',
      description: 'The error envelope every failure answers with.',
      required: ['ok', 'error'],
      properties: {
        ok: { const: false },
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: {
            code: { $ref: '#/components/schemas/ErrorCode' },
            message: { type: 'string' },
            details: { description: 'Validation issues (`{issues: [{path, message}]}`) and more.' },
          },
        },
      },
    },
  };
}

/** Errors any operation with this access can answer with, besides its own. */
const accessErrors: Record<Access, readonly ErrorCode[]> = {
  write: ['unauthorized', 'forbidden', 'internal'],
  read: ['unauthorized', 'forbidden', 'internal'],
  open: ['forbidden', 'internal'],
  signature: ['unauthorized', 'internal'],
};

const accessSecurity: Record<Access, Json[]> = {
  write: [{ bearer: [] }],
  // No token on loopback; the token when looperd is bound beyond it.
  read: [{}, { bearer: [] }],
  open: [],
  signature: [{ githubSignature: [] }],
};

function errorResponses(op: OperationSpec): Json {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set([...accessErrors[op.access], ...(op.errors ?? [])])) {
    const status = errorCodes[code].http;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Json = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: codes.map((code) => `\`${code}\``).join(', '),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return responses;
}

function dataSchema(data: Extract<ResponseSpec, { kind: 'json' }>['data']): Json {
  if (typeof data === 'string') return { $ref: `#/components/schemas/${data}` };
  if ('arrayOf' in data) {
    return { type: 'array', items: { $ref: `#/components/schemas/${data.arrayOf}` } };
  }
  return jsonSchema(data);
}

function successResponse(response: ResponseSpec): [string, Json] {
  switch (response.kind) {
    case 'json': {
      const schema = {
        type: 'object',
        required: ['ok', 'data'],
        properties: { ok: { const: true }, data: dataSchema(response.data) },
      };
      return [
        String(response.status ?? 200),
        { description: 'Success', content: { 'application/json': { schema } } },
      ];
    }
    case 'text':
      return [
        '200',
        {
          description: response.description,
          content: { [response.contentType]: { schema: { type: 'string' } } },
        },
      ];
    case 'sse':
      return [
        '200',
        {
          description:
            'One message per event: `id` the event id, `event` its type, `data` the EventView as ' +
            'JSON; comment lines keep the connection alive.',
          content: { 'text/event-stream': { schema: { type: 'string' } } },
        },
      ];
    case 'document':
      return [
        '200',
        {
          description: 'This OpenAPI document (not enveloped).',
          content: { 'application/json': { schema: { type: 'object' } } },
        },
      ];
    default: {
      const never: never = response;
      throw new Error(`unknown response kind ${JSON.stringify(never)}`);
    }
  }
}

function parameters(op: OperationSpec): Json[] {
  const params: Json[] = [...op.path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (op.query) {
    const schema = jsonSchema(op.query) as {
      properties?: Record<string, Json>;
      required?: string[];
    };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      const { description, ...rest } = property;
      params.push({
        name,
        in: 'query',
        required: schema.required?.includes(name) ?? false,
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      });
    }
  }
  if (op.response.kind === 'sse') {
    params.push({
      name: 'Last-Event-ID',
      in: 'header',
      required: false,
      description: 'Resume after this event id (wins over `after`).',
      schema: { type: 'string', pattern: '^\\d{1,15}$' },
    });
  }
  return params;
}

function operationId(op: OperationSpec): string {
  const words = op.path
    .replace(/^\/api\/v1/, '')
    .split(/[/.]/)
    .filter((part) => part !== '')
    .map((part) => (part.startsWith(':') ? `by-${part.slice(1)}` : part))
    .flatMap((part) => part.split(/[-_]/));
  return [op.method, ...words.map((w) => w.charAt(0).toUpperCase() + w.slice(1))].join('');
}

function operation(op: OperationSpec): Json {
  const [status, success] = successResponse(op.response);
  const params = parameters(op);
  return {
    operationId: operationId(op),
    summary: op.summary,
    tags: [op.tag],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: !op.body.safeParse(undefined).success,
            content: { 'application/json': { schema: jsonSchema(op.body) } },
          },
        }
      : {}),
    responses: { [status]: success, ...errorResponses(op) },
    security: accessSecurity[op.access],
  };
}

export function buildOpenApiDocument(
  version: string,
  operations: readonly OperationSpec[] = allOperations,
): Json {
  const paths: Record<string, Json> = {};
  for (const op of operations) {
    const path = openApiPath(op.path);
    paths[path] = { ...paths[path], [op.method]: operation(op) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Looper API',
      version,
      description:
        'The REST API of looperd. Answers are `{ok: true, data}` or `{ok: false, error: {code, ' +
        'message, details}}`. Writes need `Authorization: Bearer <token>` (the token is in ' +
        '`<data dir>/token`); reads need it too when looperd is bound beyond loopback. Requests ' +
        'whose Host header is not the configured host are refused.',
    },
    tags: [...new Set(operations.map((op) => op.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components(),
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        githubSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Hub-Signature-256',
          description: 'sha256=<HMAC-SHA256 of the raw body with the webhook secret>',
        },
      },
    },
  };
}
