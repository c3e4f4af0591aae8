// The emulator's second host, standing in for GitHub's blob storage: serves signed downloads (job
// logs) as text/plain to anyone holding the URL, and records whether a token was sent along.
import type http from 'node:http';
import type { RequestRecord } from './server.js';
import type { EmulatorState } from './state.js';

export const blobRoute = 'GET (blob host) /job-logs/{token}';

export function createBlobHandler(deps: {
  state: EmulatorState;
  requests: RequestRecord[];
}): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://blobs');
    const match = /^\/job-logs\/([\w-]+)$/.exec(url.pathname);
    const text =
      match?.[1] && url.searchParams.get('sig') === match[1]
        ? deps.state.blobs.get(match[1])
        : undefined;
    const status = req.method === 'GET' && text !== undefined ? 200 : 404;
    deps.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      route: blobRoute,
      status,
      counted: false,
      fault: false,
      login: null,
      authorization: req.headers.authorization !== undefined,
    });
    if (status === 404) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('BlobNotFound');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
  };
}
