// A scripted Gemini API server on 127.0.0.1 for end-to-end tests: the real Gemini CLI talks to it
// through GOOGLE_GEMINI_BASE_URL; the test decides each agent turn, the server answers the rest.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedFunctionResponse {
  name: string;
  response: unknown;
}

export interface ScriptedGeminiRequest {
  /** The parsed JSON request body. */
  body: Record<string, unknown>;
  /** 1-based count of agent turns (streamed requests with tools) so far, this one included. */
  turn: number;
  model: string;
  lastUserText: string;
  /** Function results sent back in the last user content. */
  functionResponses: ScriptedFunctionResponse[];
}

export interface ScriptedGeminiError {
  status: number;
  message: string;
  /** Google's status name, e.g. RESOURCE_EXHAUSTED, UNAUTHENTICATED. */
  grpcStatus?: string;
  /** google.rpc details, e.g. a QuotaFailure naming a per-day quota. */
  details?: unknown[];
}

export type ScriptedGeminiTurn =
  | { text: string; functionCall?: { name: string; args: Record<string, unknown> } }
  | { text?: string; functionCall: { name: string; args: Record<string, unknown> } }
  | { error: ScriptedGeminiError };

export type GeminiScript = (request: ScriptedGeminiRequest) => ScriptedGeminiTurn;

export interface RecordedGeminiRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface GeminiServer {
  /** The base for GOOGLE_GEMINI_BASE_URL (no path). */
  url: string;
  requests: RecordedGeminiRequest[];
  /** The agent turns only, as the script saw them. */
  turns: ScriptedGeminiRequest[];
  close(): Promise<void>;
}

const MODEL_ROUTE = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(\w+)$/;

/**
 * Agent turns (requests offering tools) go to the script. Requests with a JSON response schema
 * (the CLI's model router, next-speaker and loop checks) get an answer made from the schema, and
 * other side requests a short text, so a script only writes the agent's own turns.
 */
export async function startGeminiServer(script: GeminiScript): Promise<GeminiServer> {
  const requests: RecordedGeminiRequest[] = [];
  const turns: ScriptedGeminiRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = parseJson(raw);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const match = MODEL_ROUTE.exec(new URL(req.url ?? '/', 'http://x').pathname);
      if (req.method !== 'POST' || !match || !isRecord(body)) {
        sendError(res, { status: 404, message: `no route ${req.method} ${req.url}` });
        return;
      }
      const model = decodeURIComponent(match[1] ?? '');
      const method = match[2] ?? '';
      const inputTokens = Math.max(1, Math.ceil(raw.length / 4));
      if (method === 'countTokens') {
        sendJson(res, 200, { totalTokens: inputTokens });
        return;
      }
      if (method !== 'generateContent' && method !== 'streamGenerateContent') {
        sendError(res, { status: 404, message: `unknown method ${method}` });
        return;
      }
      const answer = answerFor(body, model, turns, script);
      if ('error' in answer) {
        sendError(res, answer.error);
        return;
      }
      const chunk = toChunk(answer, model, inputTokens, requests.length);
      if (method === 'generateContent') {
        sendJson(res, 200, chunk);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    turns,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answerFor(
  body: Record<string, unknown>,
  model: string,
  turns: ScriptedGeminiRequest[],
  script: GeminiScript,
): ScriptedGeminiTurn {
  const config = isRecord(body.generationConfig) ? body.generationConfig : {};
  const schema = config.responseJsonSchema ?? config.responseSchema;
  if (schema !== undefined) return { text: JSON.stringify(exampleOf(schema)) };
  if (!Array.isArray(body.tools) || body.tools.length === 0) return { text: 'ok' };
  const request = toScriptedRequest(body, model, turns.length + 1);
  turns.push(request);
  try {
    return script(request);
  } catch (err) {
    return { error: { status: 500, message: `script threw: ${err}`, grpcStatus: 'INTERNAL' } };
  }
}

/** A value matching a (Gemini-style, upper- or lower-case) JSON schema: first enum value, etc. */
export function exampleOf(schema: unknown): unknown {
  if (!isRecord(schema)) return null;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (String(schema.type ?? '').toLowerCase()) {
    case 'object': {
      const properties = isRecord(schema.properties) ? schema.properties : {};
      return Object.fromEntries(
        Object.entries(properties).map(([name, sub]) => [name, exampleOf(sub)]),
      );
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 30;
    case 'boolean':
      return false;
    case 'string':
      return 'scripted';
    default:
      return null;
  }
}

function toChunk(
  turn: Exclude<ScriptedGeminiTurn, { error: ScriptedGeminiError }>,
  model: string,
  inputTokens: number,
  counter: number,
): Record<string, unknown> {
  const parts: Record<string, unknown>[] = [];
  if (turn.text) parts.push({ text: turn.text });
  if (turn.functionCall) parts.push({ functionCall: turn.functionCall });
  const outputTokens = Math.max(1, Math.ceil(JSON.stringify(parts).length / 4));
  return {
    candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
    usageMetadata: {
      promptTokenCount: inputTokens,
      candidatesTokenCount: outputTokens,
      totalTokenCount: inputTokens + outputTokens,
      cachedContentTokenCount: 7,
    },
    modelVersion: model,
    responseId: `scripted_${counter}`,
  };
}

function toScriptedRequest(
  body: Record<string, unknown>,
  model: string,
  turn: number,
): ScriptedGeminiRequest {
  const contents = Array.isArray(body.contents) ? body.contents.filter(isRecord) : [];
  const lastUser = [...contents].reverse().find((c) => c.role === 'user');
  const parts = lastUser && Array.isArray(lastUser.parts) ? lastUser.parts.filter(isRecord) : [];
  return {
    body,
    turn,
    model,
    lastUserText: parts
      .map((p) => (typeof p.text === 'string' ? p.text : ''))
      .filter(Boolean)
      .join('\n'),
    functionResponses: parts
      .map((p) => p.functionResponse)
      .filter(isRecord)
      .map((r) => ({ name: String(r.name ?? ''), response: r.response })),
  };
}

function sendError(res: http.ServerResponse, error: ScriptedGeminiError): void {
  res.writeHead(error.status, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      error: {
        code: error.status,
        message: error.message,
        status: error.grpcStatus ?? 'UNKNOWN',
        ...(error.details ? { details: error.details } : {}),
      },
    }),
  );
}

function sendJson(res: http.ServerResponse, status: number, data: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(data));
}

function parseJson(raw: string): unknown {
  try {
    return raw ? JSON.parse(raw) : null;
  } catch {
    return raw;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
