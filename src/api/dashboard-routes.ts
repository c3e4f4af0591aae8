// Serves the dashboard (SPEC §1): `/` and `/dashboard` the page, `/dashboard/app.css` and
// `/dashboard/app.js` its style and script, each with a strict Content-Security-Policy.
import type { Hono } from 'hono';
import {
  dashboardCss,
  dashboardHtml,
  dashboardSecurityHeaders,
  loadDashboardScript,
} from '../dashboard/index.js';

export function serveDashboard(app: Hono): void {
  let script: string | null | undefined;
  const send = (body: string, type: string, status: 200 | 503 = 200) =>
    new Response(body, {
      status,
      headers: { 'content-type': type, 'cache-control': 'no-store', ...dashboardSecurityHeaders },
    });
  app.get('/', (c) => c.redirect('/dashboard'));
  app.get('/dashboard', () => send(dashboardHtml, 'text/html; charset=utf-8'));
  app.get('/dashboard/app.css', () => send(dashboardCss, 'text/css; charset=utf-8'));
  app.get('/dashboard/app.js', () => {
    script ??= loadDashboardScript();
    return script === null
      ? send('// dashboard script not built: run npm run build\n', 'text/javascript', 503)
      : send(script, 'text/javascript; charset=utf-8');
  });
}
