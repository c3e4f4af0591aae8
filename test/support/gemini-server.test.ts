import { afterEach, describe, expect, it } from 'vitest';
import { exampleOf, type GeminiServer, startGeminiServer } from './gemini-server.js';

let server: GeminiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', body: JSON.stringify(body) });
}

describe('scripted Gemini server', () => {
  it('answers a request with a response schema from the schema, without the script', async () => {
    server = await startGeminiServer(() => ({ text: 'never asked' }));
    const schema = {
      type: 'OBJECT',
      properties: {
        complexity_reasoning: { type: 'STRING' },
        complexity_score: { type: 'INTEGER' },
        next_speaker: { type: 'STRING', enum: ['user', 'model'] },
      },
    };

    const res = await post(`${server.url}/v1beta/models/flash:generateContent`, {
      contents: [],
      generationConfig: { responseJsonSchema: schema },
    });
    const body = (await res.json()) as { candidates: { content: { parts: { text: string }[] } }[] };

    expect(JSON.parse(body.candidates[0]?.content.parts[0]?.text ?? '')).toEqual({
      complexity_reasoning: 'scripted',
      complexity_score: 30,
      next_speaker: 'user',
    });
    expect(server.turns).toEqual([]);
  });

  it('streams an agent turn with a function call and passes function responses to the script', async () => {
    server = await startGeminiServer(() => ({
      functionCall: { name: 'read_file', args: { file_path: 'a' } },
    }));

    const res = await post(`${server.url}/v1beta/models/pro:streamGenerateContent?alt=sse`, {
      tools: [{ functionDeclarations: [{ name: 'read_file' }] }],
      contents: [
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'glob', response: { output: 'x' } } }],
        },
      ],
    });
    const text = await res.text();

    expect(text.startsWith('data: ')).toBe(true);
    expect(JSON.parse(text.slice(6)).candidates[0].content.parts[0]).toEqual({
      functionCall: { name: 'read_file', args: { file_path: 'a' } },
    });
    expect(server.turns[0]).toMatchObject({
      model: 'pro',
      functionResponses: [{ name: 'glob', response: { output: 'x' } }],
    });
  });

  it('makes enum, array and boolean examples', () => {
    expect(exampleOf({ type: 'array' })).toEqual([]);
    expect(exampleOf({ type: 'boolean' })).toBe(false);
    expect(exampleOf({ type: 'string', enum: ['a', 'b'] })).toBe('a');
  });
});
