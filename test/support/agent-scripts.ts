// E2E helpers for hand-written `custom` agents (sh scripts written by a test) and for looking at the
// processes they leave: which members of a process group are still alive (zombies do not count).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/** Writes an sh script and returns its path. */
export function writeScript(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}`, { mode: 0o755 });
  return file;
}

/** The env that makes `sh <script>` the `custom` vendor, plus agent env vars (agent.env). */
export function scriptAgentEnv(
  script: string,
  agentEnv: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    LOOPER_AGENT_VENDOR: 'custom',
    LOOPER_VENDORS_CUSTOM_COMMAND: 'sh',
    LOOPER_VENDORS_CUSTOM_ARGS: JSON.stringify([script]),
  };
  for (const [name, value] of Object.entries(agentEnv)) env[`LOOPER_AGENT_ENV_${name}`] = value;
  return env;
}

interface ProcInfo {
  pid: number;
  state: string;
  pgrp: number;
  cmdline: string;
}

function readProc(pid: number): ProcInfo | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat
      .slice(stat.lastIndexOf(')') + 1)
      .trim()
      .split(/\s+/);
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return { pid, state: fields[0] ?? '?', pgrp: Number(fields[2]), cmdline };
  } catch {
    return null; // gone meanwhile
  }
}

/** Live (non-zombie) processes, from /proc (Linux). */
export function liveProcesses(): ProcInfo[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => readProc(Number(entry)))
    .filter((p): p is ProcInfo => p !== null && p.state !== 'Z' && p.state !== 'X');
}

/** Live processes in the group `pgid`, or whose command line contains `marker`. */
export function survivors(pgids: readonly number[], marker: string): ProcInfo[] {
  return liveProcesses().filter((p) => pgids.includes(p.pgrp) || p.cmdline.includes(marker));
}

export interface RawResponse {
  status: number;
  body: string;
}

/** An HTTP request with full control of the headers (fetch cannot set Host). */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
