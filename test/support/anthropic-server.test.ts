import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AnthropicServer,
  type Script,
  startAnthropicServer,
  workingDirectoryOf,
} from './anthropic-server.js';

let server: AnthropicServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(script: Script): Promise<AnthropicServer> {
  server = await startAnthropicServer(script);
  return server;
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function sse(res: Response): Promise<EventSourceMessage[]> {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  parser.feed(await res.text());
  return events;
}

const toolRequest = {
  model: 'claude-test',
  stream: true,
  tools: [{ name: 'Write' }],
  system: [{ type: 'text', text: 'Primary working directory: /tmp/wt\nOther' }],
  messages: [
    { role: 'user', content: 'fix it' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Read', input: {} }] },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'file body' }] },
        { type: 'text', text: 'go on' },
      ],
    },
  ],
};

describe('scripted Anthropic server', () => {
  it('streams a text and tool_use turn as Messages API server-sent events', async () => {
    const { url, turns } = await start(() => ({
      text: 'Writing.',
      toolUse: { name: 'Write', input: { file_path: '/tmp/wt/a', content: 'x' } },
    }));

    const events = await sse(await post(`${url}/v1/messages?beta=true`, toolRequest));

    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const data = events.map((e) => JSON.parse(e.data));
    expect(data[0].message.usage.input_tokens).toBeGreaterThan(0);
    expect(JSON.parse(data[5].delta.partial_json)).toEqual({
      file_path: '/tmp/wt/a',
      content: 'x',
    });
    expect(data[7].delta.stop_reason).toBe('tool_use');
    expect(turns[0]).toMatchObject({
      turn: 1,
      model: 'claude-test',
      hasTools: true,
      lastUserText: 'go on',
      toolResults: [{ toolUseId: 't1', isError: false, text: 'file body' }],
    });
    expect(turns[0] && workingDirectoryOf(turns[0])).toBe('/tmp/wt');
  });

  it('answers a non-streaming request with one message', async () => {
    const { url } = await start(() => ({ text: 'a title' }));

    const res = await post(`${url}/v1/messages`, { model: 'haiku', messages: [] });

    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      type: 'message',
      content: [{ type: 'text', text: 'a title' }],
      stop_reason: 'end_turn',
    });
  });

  it('returns a scripted API error with its status', async () => {
    const { url } = await start(() => ({
      error: { status: 429, type: 'rate_limit_error', message: 'slow down' },
    }));

    const res = await post(`${url}/v1/messages`, toolRequest);

    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'slow down' },
    });
  });

  it('answers HEAD, counts tokens and refuses unknown routes with a JSON 404', async () => {
    const { url, requests } = await start(() => ({ text: 'unused' }));

    const head = await fetch(url, { method: 'HEAD' });
    const count = await post(`${url}/v1/messages/count_tokens`, toolRequest);
    const missing = await fetch(`${url}/v1/models`);

    expect(head.status).toBe(200);
    expect(((await count.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { type: 'not_found_error' } });
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'HEAD /',
      'POST /v1/messages/count_tokens',
      'GET /v1/models',
    ]);
  });
});
