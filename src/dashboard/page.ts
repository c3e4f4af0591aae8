// The dashboard's page and styles, served by the daemon at `/dashboard`; its script is bundled at
// build time from client/main.ts into dist/dashboard.js and read from there.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const dashboardHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Looper</title>
<link rel="stylesheet" href="/dashboard/app.css">
</head>
<body>
<header>
<h1>Looper</h1>
<p id="status">connecting…</p>
<form id="token-form"><input id="token" type="password" placeholder="API token (for actions)" autocomplete="off"><button>Use</button></form>
<p id="notice"></p>
</header>
<main>
<section>
<table>
<thead><tr><th>target</th><th>kind</th><th>title</th><th>stage</th><th>cost</th><th>updated</th></tr></thead>
<tbody id="loops"></tbody>
</table>
<h3>Queue</h3>
<ul id="queue" class="side"></ul>
<h3>Stopped for a person or failed</h3>
<ul id="failures" class="side"></ul>
</section>
<section id="detail"><p>Select a loop.</p></section>
</main>
<script type="module" src="/dashboard/app.js"></script>
</body>
</html>
`;

export const dashboardCss = `body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
header{padding:12px 20px;background:#fff;border-bottom:1px solid #d0d7de;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
h1{font-size:18px;margin:0}#notice{color:#9a6700}
main{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:16px;padding:16px 20px}
table{width:100%;border-collapse:collapse;background:#fff}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eaeef2}
tbody tr{cursor:pointer}tbody tr:hover,tr.selected{background:#ddf4ff}
.stage.ready,.stage.merged{color:#1a7f37}.stage.needs_human,.stage.failed{color:#cf222e}
#detail{background:#fff;padding:12px;border:1px solid #d0d7de;overflow:auto}
pre.log{max-height:320px;overflow:auto;background:#0d1117;color:#e6edf3;padding:8px;white-space:pre-wrap}
pre.log:empty{display:none}.reason{color:#cf222e}.actions button{margin-right:6px}
ol.events{font-family:ui-monospace,monospace;font-size:12px;padding-left:20px}
ul.side{background:#fff;border:1px solid #d0d7de;padding:6px 6px 6px 24px}ul.side li{cursor:pointer}ul.side li.empty{color:#57606a;cursor:default}
`;

/** Served with every dashboard response: only this origin's script, style and API. */
export const dashboardSecurityHeaders: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The bundled browser script (dist/dashboard.js), found next to the running bundle; null if absent. */
export function loadDashboardScript(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'dashboard.js');
    if (existsSync(candidate)) return readFileSync(candidate, 'utf8');
    const dist = join(dir, 'dist', 'dashboard.js');
    if (existsSync(dist)) return readFileSync(dist, 'utf8');
    dir = dirname(dir);
  }
  return null;
}
