import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createApiApp } from './app.js';
import { FakeService } from './fake-service.test-support.js';

const token = 'test-token-0123456789';
// Bound beyond loopback: the API's reads need the token; the dashboard's files must not.
const app = createApiApp({
  service: new FakeService(),
  token,
  host: '0.0.0.0',
  port: 4321,
  version: '1',
});
const base = 'http://0.0.0.0:4321';

describe('dashboard routes', () => {
  it('serves the page, its style and script without a token, under a strict CSP', async () => {
    const root = await app.request(`${base}/`);
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/dashboard');
    const page = await app.request(`${base}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/dashboard/app.js"></script>');
    expect((await app.request(`${base}/dashboard/app.css`)).headers.get('content-type')).toContain(
      'text/css',
    );
    const script = await app.request(`${base}/dashboard/app.js`);
    expect([200, 503]).toContain(script.status);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    // The API itself still needs the token here.
    expect((await app.request(`${base}/api/v1/status`)).status).toBe(401);
  });

  it('refuses a foreign Host for the dashboard too (DNS rebinding)', async () => {
    const res = await app.request(`${base}/dashboard`, { headers: { host: 'evil.example:4321' } });
    expect(res.status).toBe(403);
  });

  it('renders API data as text only: the client never writes HTML', () => {
    const client = path.resolve(
      path.dirname(fileURLToPath(import.meta.url)),
      '../dashboard/client/main.ts',
    );
    const source = fs.readFileSync(client, 'utf8');
    expect(source).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(source).toContain('textContent');
  });
});
