import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenAiServer, startOpenAiServer } from './openai-server.js';

let server: OpenAiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function sse(res: Response): Promise<EventSourceMessage[]> {
  const events: EventSourceMessage[] = [];
  createParser({ onEvent: (e) => events.push(e) }).feed(await res.text());
  return events;
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', body: JSON.stringify(body) });
}

describe('scripted OpenAI server', () => {
  it('streams a Responses turn with text and a custom tool call, and sees tool outputs', async () => {
    server = await startOpenAiServer(() => ({
      text: 'Patching.',
      toolCall: { name: 'apply_patch', input: 'P' },
    }));

    const res = await post(`${server.url}/responses`, {
      model: 'm',
      stream: true,
      tools: [{ type: 'custom', name: 'apply_patch' }],
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'fix' }] },
        { type: 'function_call', call_id: 'c1', name: 'exec_command', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'file body' },
      ],
    });
    const events = await sse(res);

    expect(events.map((e) => e.event)).toEqual([
      'response.created',
      'response.output_item.added',
      'response.output_text.delta',
      'response.output_item.done',
      'response.output_item.added',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(JSON.parse(events[5]?.data ?? '{}').item).toMatchObject({
      type: 'custom_tool_call',
      name: 'apply_patch',
      input: 'P',
    });
    expect(
      JSON.parse(events[6]?.data ?? '{}').response.usage.input_tokens_details.cached_tokens,
    ).toBe(7);
    expect(server.turns[0]).toMatchObject({
      api: 'responses',
      hasTools: true,
      lastUserText: 'fix',
    });
    expect(server.turns[0]?.toolOutputs).toEqual([{ callId: 'c1', text: 'file body' }]);
  });

  it('streams a Chat Completions tool call and ends with usage and [DONE]', async () => {
    server = await startOpenAiServer(() => ({
      toolCall: { name: 'read', arguments: { filePath: '/a' } },
    }));

    const res = await post(`${server.url}/chat/completions`, {
      model: 'm',
      stream: true,
      tools: [{ type: 'function', function: { name: 'read' } }],
      messages: [{ role: 'user', content: 'go' }],
    });
    const events = await sse(res);

    const chunks = events.filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data));
    expect(
      chunks.flatMap((c) => c.choices).find((c) => c.delta?.tool_calls)?.delta.tool_calls[0],
    ).toMatchObject({
      function: { name: 'read', arguments: '{"filePath":"/a"}' },
    });
    expect(chunks.at(-1)?.usage.prompt_tokens).toBeGreaterThan(0);
    expect(events.at(-1)?.data).toBe('[DONE]');
  });

  it('answers an injected error with its status and OpenAI error body', async () => {
    server = await startOpenAiServer(() => ({
      error: { status: 429, message: 'quota', type: 'insufficient_quota' },
    }));

    const res = await post(`${server.url}/chat/completions`, { model: 'm', messages: [] });

    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({
      error: {
        message: 'quota',
        type: 'insufficient_quota',
        code: 'insufficient_quota',
        param: null,
      },
    });
  });
});
