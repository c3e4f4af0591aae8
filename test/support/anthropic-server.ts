// A scripted Anthropic Messages API server on 127.0.0.1 for end-to-end tests: the real Claude Code
// CLI talks to it through ANTHROPIC_BASE_URL and the test decides each model turn.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedToolResult {
  toolUseId: string;
  isError: boolean;
  text: string;
}

export interface ScriptedRequest {
  /** The parsed JSON request body. */
  body: Record<string, unknown>;
  /** 1-based count of POST /v1/messages requests so far, this one included. */
  turn: number;
  model: string;
  /** True when the request offers tools (the agent's own turns; side requests usually have none). */
  hasTools: boolean;
  stream: boolean;
  lastUserText: string;
  systemText: string;
  toolResults: ScriptedToolResult[];
}

export type ScriptedTurn =
  | { text: string; toolUse?: { name: string; input: Record<string, unknown> } }
  | { text?: string; toolUse: { name: string; input: Record<string, unknown> } }
  | {
      error: { status: number; type: string; message: string; headers?: Record<string, string> };
    };

export type Script = (request: ScriptedRequest) => ScriptedTurn;

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface AnthropicServer {
  url: string;
  requests: RecordedRequest[];
  /** The POST /v1/messages requests only, as the script saw them. */
  turns: ScriptedRequest[];
  close(): Promise<void>;
}

type Block = { type: string; [key: string]: unknown };

export async function startAnthropicServer(script: Script): Promise<AnthropicServer> {
  const requests: RecordedRequest[] = [];
  const turns: ScriptedRequest[] = [];
  let counter = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        body = raw;
      }
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      if (req.method === 'HEAD' || (req.method === 'GET' && pathname === '/')) {
        res.writeHead(200).end();
        return;
      }
      if (req.method === 'POST' && pathname === '/v1/messages/count_tokens') {
        sendJson(res, 200, { input_tokens: Math.max(1, Math.ceil(raw.length / 4)) });
        return;
      }
      if (req.method === 'POST' && pathname === '/v1/messages' && isRecord(body)) {
        counter += 1;
        const request = toScriptedRequest(body, counter);
        turns.push(request);
        let turn: ScriptedTurn;
        try {
          turn = script(request);
        } catch (err) {
          turn = { error: { status: 500, type: 'api_error', message: `script threw: ${err}` } };
        }
        answer(res, request, turn, counter, Math.ceil(raw.length / 4));
        return;
      }
      sendJson(res, 404, {
        type: 'error',
        error: {
          type: 'not_found_error',
          message: `scripted server: no route ${req.method} ${pathname}`,
        },
      });
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

/** The directory Claude Code names in its system prompt (`Primary working directory: …`). */
export function workingDirectoryOf(request: ScriptedRequest): string | null {
  const all = `${request.systemText}\n${JSON.stringify(request.body.messages ?? '')}`;
  const match = /Primary working directory: ([^\n\\]+)/.exec(all);
  return match?.[1]?.trim() ?? null;
}

function toScriptedRequest(body: Record<string, unknown>, turn: number): ScriptedRequest {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const lastUser = [...messages].reverse().find((m) => isRecord(m) && m.role === 'user');
  const blocks = isRecord(lastUser) ? contentBlocks(lastUser.content) : [];
  const toolResults: ScriptedToolResult[] = blocks
    .filter((b) => b.type === 'tool_result')
    .map((b) => ({
      toolUseId: String(b.tool_use_id ?? ''),
      isError: b.is_error === true,
      text: contentBlocks(b.content)
        .map((c) => (typeof c.text === 'string' ? c.text : ''))
        .join('\n'),
    }));
  const lastUserText = blocks
    .filter((b) => b.type === 'text')
    .map((b) => String(b.text ?? ''))
    .join('\n');
  const systemText = contentBlocks(body.system)
    .map((b) => String(b.text ?? ''))
    .join('\n');
  return {
    body,
    turn,
    model: typeof body.model === 'string' ? body.model : '',
    hasTools: Array.isArray(body.tools) && body.tools.length > 0,
    stream: body.stream === true,
    lastUserText,
    systemText,
    toolResults,
  };
}

function answer(
  res: http.ServerResponse,
  request: ScriptedRequest,
  turn: ScriptedTurn,
  counter: number,
  inputTokens: number,
): void {
  if ('error' in turn) {
    const { status, type, message, headers } = turn.error;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ type: 'error', error: { type, message } }));
    return;
  }
  const content: Block[] = [];
  if (turn.text) content.push({ type: 'text', text: turn.text });
  if (turn.toolUse) {
    content.push({
      type: 'tool_use',
      id: `toolu_scripted_${counter}`,
      name: turn.toolUse.name,
      input: turn.toolUse.input,
    });
  }
  const stopReason = turn.toolUse ? 'tool_use' : 'end_turn';
  const outputTokens = Math.max(1, Math.ceil(JSON.stringify(content).length / 4));
  const message = {
    id: `msg_scripted_${counter}`,
    type: 'message',
    role: 'assistant',
    model: request.model || 'claude-scripted',
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: {
      input_tokens: inputTokens,
      output_tokens: outputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 7,
    },
  };
  if (!request.stream) {
    sendJson(res, 200, message);
    return;
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const send = (event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  send('message_start', {
    type: 'message_start',
    message: {
      ...message,
      content: [],
      stop_reason: null,
      usage: { ...message.usage, output_tokens: 1 },
    },
  });
  content.forEach((block, index) => {
    if (block.type === 'text') {
      send('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'text', text: '' },
      });
      send('content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'text_delta', text: block.text },
      });
    } else {
      send('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      });
      send('content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
      });
    }
    send('content_block_stop', { type: 'content_block_stop', index });
  });
  send('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: outputTokens },
  });
  send('message_stop', { type: 'message_stop' });
  res.end();
}

function sendJson(res: http.ServerResponse, status: number, data: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(data));
}

function contentBlocks(content: unknown): Block[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  return content.filter((b): b is Block => isRecord(b) && typeof b.type === 'string');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
