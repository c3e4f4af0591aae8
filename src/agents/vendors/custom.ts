// The `custom` vendor: any executable. It gets the prompt on stdin and in LOOPER_PROMPT, and may
// print AgentEvent JSON lines; every other line is plain text.
import { z } from 'zod';
import { LooperError } from '../../domain/index.js';
import type {
  AgentEvent,
  AgentRequest,
  StreamParser,
  Vendor,
  VendorInvocation,
} from '../vendor.js';
import { summarise } from '../vendor.js';

const nonNegative = z.number().nonnegative();

/** The JSON lines a custom agent may print, one schema per event type. */
const CustomEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('tool_use'), name: z.string(), input: z.unknown().optional() }),
  z.object({
    type: z.literal('tool_result'),
    isError: z.boolean().default(false),
    text: z.string(),
  }),
  z.object({
    type: z.literal('usage'),
    inputTokens: nonNegative.default(0),
    outputTokens: nonNegative.default(0),
    cachedTokens: nonNegative.default(0),
    costUsd: nonNegative.nullable().default(null),
  }),
  z.object({
    type: z.literal('result'),
    text: z.string(),
    isError: z.boolean().default(false),
    sessionId: z.string().nullable().default(null),
    numTurns: z.number().int().nullable().default(null),
  }),
  z.object({ type: z.literal('session'), sessionId: z.string() }),
  z.object({
    type: z.literal('error'),
    kind: z.enum(['rate_limit', 'quota', 'auth', 'api', 'max_turns', 'unknown']).default('unknown'),
    message: z.string(),
  }),
]);

export function customVendor(): Vendor {
  return {
    name: 'custom',
    authVars: [],
    build: buildCustom,
    parser: customParser,
  };
}

function buildCustom(req: AgentRequest): VendorInvocation {
  const command = req.vendorConfig.command?.trim();
  if (!command) {
    throw new LooperError('config_invalid', 'vendors.custom.command must name an executable', {
      details: { key: 'vendors.custom.command' },
    });
  }
  const env: Record<string, string> = {
    LOOPER_PROMPT: req.prompt,
    LOOPER_ROLE: req.role,
    LOOPER_RUN_ID: req.runId,
  };
  if (req.model) env.LOOPER_MODEL = req.model;
  return { command, args: [...req.vendorConfig.args], stdin: req.prompt, env };
}

export function customParser(): StreamParser {
  return {
    feed(line) {
      return [parseLine(line)];
    },
    end() {
      return [];
    },
  };
}

function parseLine(line: string): AgentEvent {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return { type: 'text', text: line };
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return { type: 'text', text: line };
  }
  const parsed = CustomEvent.safeParse(json);
  if (!parsed.success) return { type: 'text', text: line };
  const event = parsed.data;
  if (event.type === 'tool_use')
    return { type: 'tool_use', name: event.name, input: summarise(event.input ?? '') };
  return event;
}
