// The `cursor` vendor: runs `cursor-agent -p --output-format stream-json --force` in the worktree.
// Cursor's CLI is not on npm and talks only to Cursor's backend: it is tested on recorded streams.
import path from 'node:path';
import type { AgentRequest, Vendor, VendorInvocation } from '../vendor.js';
import { cursorParser } from './cursor-stream.js';
import { copySessionStore, resolveVendorCommand } from './vendor-command.js';

/** Cursor's API key for headless runs (a `cursor-agent login` lives in the real HOME). */
export const cursorAuthVars = ['CURSOR_API_KEY'] as const;

export function cursorVendor(): Vendor {
  return { name: 'cursor', authVars: cursorAuthVars, build: buildCursor, parser: cursorParser };
}

function buildCursor(req: AgentRequest, runHome: string): VendorInvocation {
  // Chats live in ~/.cursor/chats/<workspace hash>/<chat id>/ of the run that had them.
  if (req.resumeSessionId)
    copySessionStore(req.resumeFromHome, runHome, path.join('.cursor', 'chats'));
  const args = ['-p', '--output-format', 'stream-json'];
  // No one answers prompts: run tools unless denied, trust the worktree, work in it.
  args.push('--force', '--trust', '--workspace', req.cwd);
  if (req.model) args.push('--model', req.model);
  if (req.resumeSessionId) args.push('--resume', req.resumeSessionId);
  args.push(...req.vendorConfig.args);
  // The documented way to give the prompt is the argument; stdin stays at EOF.
  args.push(req.prompt);
  return {
    command: resolveVendorCommand(req, { bin: 'cursor-agent', npmPackage: null }),
    args,
    env: {},
  };
}
