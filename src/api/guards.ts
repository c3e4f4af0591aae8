// Request guards run before any route: the Host check (DNS-rebinding defence) and bearer-token
// auth for every request that can change something.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { LooperError } from '../domain/index.js';

export interface HostGuardOptions {
  host: string;
  /** 0 means "whatever port the request arrived on" (tests bind an ephemeral port). */
  port: number;
}

export function hostGuard(options: HostGuardOptions): MiddlewareHandler {
  const fixed = options.port === 0 ? null : allowedHosts(options.host, options.port);
  return async (c, next) => {
    const host = (c.req.header('host') ?? new URL(c.req.url).host).toLowerCase();
    const allowed = fixed ?? allowedHosts(options.host, arrivalPort(c.env));
    if (!allowed.has(host)) {
      throw new LooperError('forbidden', 'Host header is not allowed', { details: { host } });
    }
    await next();
  };
}

function allowedHosts(host: string, port: number | null): Set<string> {
  const configured = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const names = ['127.0.0.1', 'localhost', '[::1]', configured.toLowerCase()];
  if (port === null) return new Set();
  const hosts = names.map((name) => `${name}:${port}`);
  // Clients omit the default port from Host.
  if (port === 80) hosts.push(...names);
  return new Set(hosts);
}

/** The local port of the socket under @hono/node-server; null in-process (`app.request`). */
function arrivalPort(env: unknown): number | null {
  const incoming = (env as { incoming?: { socket?: { localPort?: number } } } | undefined)
    ?.incoming;
  return incoming?.socket?.localPort ?? null;
}

const readMethods = new Set(['GET', 'HEAD']);

/** True for the addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/**
 * Writes need `Authorization: Bearer <token>`; reads too when `reads` is set (a daemon bound beyond
 * loopback). `/healthz` stays open: clients probe it to find the daemon.
 */
export function bearerGuard(token: string, options: { reads: boolean }): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    if (readMethods.has(c.req.method) && (!options.reads || c.req.path.endsWith('/healthz'))) {
      return next();
    }
    const match = /^Bearer +(\S+) *$/i.exec(c.req.header('authorization') ?? '');
    // Compare fixed-length digests so neither content nor length leaks through timing.
    const given = digest(match?.[1] ?? '');
    if (!match || !timingSafeEqual(given, expected)) {
      throw new LooperError('unauthorized', 'missing or invalid bearer token');
    }
    await next();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
