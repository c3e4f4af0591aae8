// Serves an ApiApp over HTTP with @hono/node-server; `close` ends open streams so that stopping
// the daemon never waits on an SSE client.
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { LooperError } from '../domain/index.js';
import type { ApiApp } from './app.js';

export interface ApiServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** How long in-flight requests may take to finish on close before connections are cut. */
  graceMs?: number;
}

export interface ApiServer {
  port: number;
  close(): Promise<void>;
}

export function startApiServer(app: ApiApp, options: ApiServerOptions): Promise<ApiServer> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(
        new LooperError('internal', `cannot listen on ${options.host}:${options.port}`, {
          cause: err,
          details: { host: options.host, port: options.port, reason: err.message },
        }),
      );
    };
    // serve() always builds an http.Server unless told to use http2 or https, which we never do.
    const server = serve(
      { fetch: app.fetch, hostname: options.host, port: options.port },
      (info) => {
        server.off('error', onError);
        resolve({ port: info.port, close: closer(app, server, options.graceMs ?? 5_000) });
      },
    ) as Server;
    server.once('error', onError);
  });
}

function closer(app: ApiApp, server: Server, graceMs: number): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= new Promise<void>((resolve, reject) => {
      const cut = setTimeout(() => server.closeAllConnections(), graceMs);
      server.close((err) => {
        clearTimeout(cut);
        if (err) reject(err);
        else resolve();
      });
      app.closeStreams();
      server.closeIdleConnections();
    });
    return closing;
  };
}
