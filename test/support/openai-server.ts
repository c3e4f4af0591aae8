// A scripted OpenAI server on 127.0.0.1 for end-to-end tests: Codex talks to it through a custom
// model provider (Responses API), OpenCode through an openai-compatible provider (Chat Completions).
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerChat, answerResponses, sendJson } from './openai-answers.js';

export type OpenAiApi = 'responses' | 'chat';

export interface ScriptedToolOutput {
  callId: string;
  text: string;
}

export interface ScriptedOpenAiRequest {
  api: OpenAiApi;
  /** The parsed JSON request body. */
  body: Record<string, unknown>;
  /** 1-based count of model requests so far (both APIs), this one included. */
  turn: number;
  model: string;
  /** True when the request offers tools (the agent's own turns; title requests have none). */
  hasTools: boolean;
  stream: boolean;
  /** The text of the last user message. */
  lastUserText: string;
  /** Tool outputs sent back since the last assistant turn. */
  toolOutputs: ScriptedToolOutput[];
}

/**
 * A tool call: `arguments` makes a function call (JSON arguments); `input` makes a Responses
 * custom (freeform) tool call, as Codex's `apply_patch` expects.
 */
export interface ScriptedToolCall {
  name: string;
  arguments?: Record<string, unknown>;
  input?: string;
}

export interface ScriptedOpenAiError {
  status: number;
  message: string;
  /** OpenAI's error type / code, e.g. `insufficient_quota`, `rate_limit_exceeded`. */
  type?: string;
  code?: string;
  headers?: Record<string, string>;
}

export type ScriptedOpenAiTurn =
  | { text: string; toolCall?: ScriptedToolCall }
  | { text?: string; toolCall: ScriptedToolCall }
  | { error: ScriptedOpenAiError };

export type OpenAiScript = (request: ScriptedOpenAiRequest) => ScriptedOpenAiTurn;

export interface RecordedOpenAiRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface OpenAiServer {
  /** The API base, ending in `/v1`. */
  url: string;
  requests: RecordedOpenAiRequest[];
  /** The model requests only, as the script saw them. */
  turns: ScriptedOpenAiRequest[];
  close(): Promise<void>;
}

const ROUTES: Record<string, OpenAiApi> = {
  '/v1/responses': 'responses',
  '/v1/chat/completions': 'chat',
};

export async function startOpenAiServer(script: OpenAiScript): Promise<OpenAiServer> {
  const requests: RecordedOpenAiRequest[] = [];
  const turns: ScriptedOpenAiRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = parseJson(raw);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      const api = ROUTES[pathname];
      if (req.method === 'GET' && pathname === '/v1/models') {
        sendJson(res, 200, { object: 'list', data: [] });
        return;
      }
      if (req.method !== 'POST' || !api || !isRecord(body)) {
        sendError(res, {
          status: 404,
          message: `scripted server: no route ${req.method} ${pathname}`,
        });
        return;
      }
      const request = toScriptedRequest(api, body, turns.length + 1);
      turns.push(request);
      let turn: ScriptedOpenAiTurn;
      try {
        turn = script(request);
      } catch (err) {
        turn = { error: { status: 500, message: `script threw: ${err}`, type: 'server_error' } };
      }
      if ('error' in turn) {
        sendError(res, turn.error);
        return;
      }
      const usage = { input: Math.max(1, Math.ceil(raw.length / 4)), cached: 7 };
      if (api === 'responses') answerResponses(res, request, turn, usage);
      else answerChat(res, request, turn, usage);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    turns,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function toScriptedRequest(
  api: OpenAiApi,
  body: Record<string, unknown>,
  turn: number,
): ScriptedOpenAiRequest {
  const items = (api === 'responses' ? body.input : body.messages) ?? [];
  const list = Array.isArray(items) ? items.filter(isRecord) : [];
  return {
    api,
    body,
    turn,
    model: typeof body.model === 'string' ? body.model : '',
    hasTools: Array.isArray(body.tools) && body.tools.length > 0,
    stream: body.stream === true,
    lastUserText: lastUserText(list),
    toolOutputs: api === 'responses' ? responsesToolOutputs(list) : chatToolOutputs(list),
  };
}

function lastUserText(items: Record<string, unknown>[]): string {
  const user = [...items].reverse().find((m) => m.role === 'user');
  if (!user) return '';
  if (typeof user.content === 'string') return user.content;
  if (!Array.isArray(user.content)) return '';
  return user.content
    .filter(isRecord)
    .map((c) => (typeof c.text === 'string' ? c.text : ''))
    .join('\n');
}

/** The trailing `function_call_output` / `custom_tool_call_output` items of a Responses input. */
function responsesToolOutputs(items: Record<string, unknown>[]): ScriptedToolOutput[] {
  const outputs: ScriptedToolOutput[] = [];
  let sawCall = false;
  for (const item of [...items].reverse()) {
    const isOutput =
      item.type === 'function_call_output' || item.type === 'custom_tool_call_output';
    const isCall = item.type === 'function_call' || item.type === 'custom_tool_call';
    if (isOutput && !sawCall) {
      outputs.unshift({ callId: String(item.call_id ?? ''), text: outputText(item.output) });
    } else if (isCall) {
      sawCall = true;
    } else if (item.type !== 'reasoning') {
      break;
    }
  }
  return outputs;
}

function chatToolOutputs(messages: Record<string, unknown>[]): ScriptedToolOutput[] {
  const outputs: ScriptedToolOutput[] = [];
  for (const message of [...messages].reverse()) {
    if (message.role !== 'tool') break;
    outputs.unshift({
      callId: String(message.tool_call_id ?? ''),
      text: outputText(message.content),
    });
  }
  return outputs;
}

function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) {
    return output
      .filter(isRecord)
      .map((c) => (typeof c.text === 'string' ? c.text : ''))
      .join('\n');
  }
  if (isRecord(output) && typeof output.content === 'string') return output.content;
  return JSON.stringify(output ?? '');
}

function sendError(res: http.ServerResponse, error: ScriptedOpenAiError): void {
  res.writeHead(error.status, { 'content-type': 'application/json', ...error.headers });
  res.end(
    JSON.stringify({
      error: {
        message: error.message,
        type: error.type ?? 'invalid_request_error',
        code: error.code ?? error.type ?? null,
        param: null,
      },
    }),
  );
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
