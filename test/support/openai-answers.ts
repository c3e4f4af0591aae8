// The scripted OpenAI server's answers: a turn as a Responses API response (named server-sent
// events) or as a Chat Completions response (data-only chunks ending in [DONE]).
import type http from 'node:http';
import type {
  ScriptedOpenAiError,
  ScriptedOpenAiRequest,
  ScriptedOpenAiTurn,
} from './openai-server.js';

export type Usage = { input: number; cached: number };
type Answer = Exclude<ScriptedOpenAiTurn, { error: ScriptedOpenAiError }>;

export function answerResponses(
  res: http.ServerResponse,
  request: ScriptedOpenAiRequest,
  turn: Answer,
  usage: Usage,
): void {
  const id = `resp_scripted_${request.turn}`;
  const output: Record<string, unknown>[] = [];
  if (turn.text) {
    output.push({
      type: 'message',
      id: `msg_scripted_${request.turn}`,
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: turn.text, annotations: [] }],
    });
  }
  if (turn.toolCall) {
    const callId = `call_scripted_${request.turn}`;
    const { name } = turn.toolCall;
    output.push(
      turn.toolCall.input !== undefined
        ? {
            type: 'custom_tool_call',
            id: `ctc_${request.turn}`,
            call_id: callId,
            name,
            input: turn.toolCall.input,
          }
        : {
            type: 'function_call',
            id: `fc_${request.turn}`,
            call_id: callId,
            name,
            arguments: JSON.stringify(turn.toolCall.arguments ?? {}),
            status: 'completed',
          },
    );
  }
  const outputTokens = Math.max(1, Math.ceil(JSON.stringify(output).length / 4));
  const response = {
    id,
    object: 'response',
    model: request.model,
    status: 'completed',
    output,
    usage: {
      input_tokens: usage.input,
      input_tokens_details: { cached_tokens: usage.cached },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: usage.input + outputTokens,
    },
  };
  if (!request.stream) {
    sendJson(res, 200, response);
    return;
  }
  const send = startSse(res, true);
  send({ type: 'response.created', response: { ...response, status: 'in_progress', output: [] } });
  output.forEach((item, index) => {
    const pending =
      item.type === 'message' ? { ...item, content: [], status: 'in_progress' } : item;
    send({ type: 'response.output_item.added', output_index: index, item: pending });
    if (item.type === 'message' && turn.text) {
      send({
        type: 'response.output_text.delta',
        item_id: item.id,
        output_index: index,
        content_index: 0,
        delta: turn.text,
      });
    }
    send({ type: 'response.output_item.done', output_index: index, item });
  });
  send({ type: 'response.completed', response });
  res.end();
}

export function answerChat(
  res: http.ServerResponse,
  request: ScriptedOpenAiRequest,
  turn: Answer,
  usage: Usage,
): void {
  const id = `chatcmpl_scripted_${request.turn}`;
  const toolCalls = turn.toolCall
    ? [
        {
          index: 0,
          id: `call_scripted_${request.turn}`,
          type: 'function',
          function: {
            name: turn.toolCall.name,
            arguments: turn.toolCall.input ?? JSON.stringify(turn.toolCall.arguments ?? {}),
          },
        },
      ]
    : undefined;
  const finishReason = toolCalls ? 'tool_calls' : 'stop';
  const outputTokens = Math.max(
    1,
    Math.ceil(((turn.text ?? '') + JSON.stringify(toolCalls ?? '')).length / 4),
  );
  const usageBlock = {
    prompt_tokens: usage.input,
    completion_tokens: outputTokens,
    total_tokens: usage.input + outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cached },
  };
  const base = { id, object: 'chat.completion', created: 1_700_000_000, model: request.model };
  if (!request.stream) {
    const message = { role: 'assistant', content: turn.text ?? null, tool_calls: toolCalls };
    sendJson(res, 200, {
      ...base,
      choices: [{ index: 0, message, finish_reason: finishReason }],
      usage: usageBlock,
    });
    return;
  }
  const send = startSse(res, false);
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra = {}) =>
    send({
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, finish_reason: finish }],
      ...extra,
    });
  chunk({ role: 'assistant', content: '' }, null);
  if (turn.text) chunk({ content: turn.text }, null);
  if (toolCalls) chunk({ tool_calls: toolCalls }, null);
  chunk({}, finishReason);
  send({ ...base, object: 'chat.completion.chunk', choices: [], usage: usageBlock });
  res.write('data: [DONE]\n\n');
  res.end();
}

/** Server-sent events: the Responses API names each event; Chat Completions sends data only. */
function startSse(
  res: http.ServerResponse,
  named: boolean,
): (data: Record<string, unknown>) => void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  return (data) => {
    const event = named && typeof data.type === 'string' ? `event: ${data.type}\n` : '';
    res.write(`${event}data: ${JSON.stringify(data)}\n\n`);
  };
}

export function sendJson(res: http.ServerResponse, status: number, data: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(data));
}
