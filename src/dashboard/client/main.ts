// The dashboard in the browser: loops, their runs, events and logs, live from the daemon's REST API
// and event stream; control actions with the bearer token. Every value from the API is shown as
// text (issue titles and agent output are untrusted), never as HTML.

interface Loop {
  id: string;
  kind: string;
  number: number;
  title: string;
  stage: string;
  paused: boolean;
  reason: string | null;
  branch: string | null;
  project: { name: string; repo: string | null };
  pr: { number: number; url: string; state: string } | null;
  cost_usd: number;
  updated_at: string;
  runs?: Run[];
}

interface Run {
  id: string;
  role: string;
  vendor: string;
  status: string;
  started_at: string;
  duration_ms: number | null;
  cost_usd: number | null;
  summary: string | null;
}

interface QueueEntry {
  loop_id: string;
  project: { name: string; repo: string | null };
  number: number;
  title: string;
  queue: string;
  state: string;
  owner: string | null;
}

interface Failure {
  loop_id: string;
  project: { name: string; repo: string | null };
  number: number;
  title: string;
  stage: string;
  reason: string | null;
}

interface LooperEvent {
  id: number;
  at: string;
  type: string;
  loop_id: string | null;
  data: Record<string, unknown>;
}

const api = '/api/v1';
const tokenKey = 'looper-token';
let selected: string | null = null;

// `looper dashboard` opens the page with #token=…: kept for this tab only, then taken off the URL.
const fromHash = /token=([^&]+)/.exec(location.hash)?.[1];
if (fromHash) {
  sessionStorage.setItem(tokenKey, decodeURIComponent(fromHash));
  history.replaceState(null, '', location.pathname);
}

function headers(): Record<string, string> {
  const token = sessionStorage.getItem(tokenKey);
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${api}${path}`, { headers: headers() });
  const body = (await response.json()) as { ok: boolean; data: T; error?: { message: string } };
  if (!body.ok) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
  return body.data;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  cls?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} missing`);
  return node;
}

function setNotice(text: string): void {
  byId('notice').textContent = text;
}

async function renderStatus(): Promise<void> {
  const s = await get<{
    version: string;
    loops: { active: number };
    queue: { queued: number; claimed: number };
    runs: { running: number };
  }>('/status');
  byId('status').textContent =
    `looperd ${s.version} · ${s.loops.active} active loops · queue ${s.queue.queued} waiting, ${s.queue.claimed} claimed · ${s.runs.running} agents running`;
}

async function renderLoops(): Promise<void> {
  const loops = await get<Loop[]>('/loops?limit=100');
  const body = byId('loops');
  body.replaceChildren();
  for (const loop of loops) {
    const row = el('tr');
    row.className = loop.id === selected ? 'selected' : '';
    row.append(
      el('td', `${loop.project.repo ?? loop.project.name}#${loop.number}`),
      el('td', loop.kind),
      el('td', loop.title),
      el('td', loop.paused ? `${loop.stage} (paused)` : loop.stage, `stage ${loop.stage}`),
      el('td', `$${loop.cost_usd.toFixed(2)}`),
      el('td', new Date(loop.updated_at).toLocaleTimeString()),
    );
    row.addEventListener('click', () => {
      selected = loop.id;
      void renderDetail();
      void renderLoops();
    });
    body.append(row);
  }
}

/** A short list under a heading; each item selects its loop. */
function renderList<T extends { loop_id: string }>(
  id: string,
  items: T[],
  line: (item: T) => string,
  empty: string,
): void {
  const list = byId(id);
  list.replaceChildren();
  if (items.length === 0) list.append(el('li', empty, 'empty'));
  for (const item of items) {
    const entry = el('li', line(item));
    entry.addEventListener('click', () => {
      selected = item.loop_id;
      void refresh();
    });
    list.append(entry);
  }
}

async function renderQueueAndFailures(): Promise<void> {
  const [queue, failures] = await Promise.all([
    get<QueueEntry[]>('/queue'),
    get<Failure[]>('/failures?limit=10'),
  ]);
  const target = (x: { project: { name: string; repo: string | null }; number: number }) =>
    `${x.project.repo ?? x.project.name}#${x.number}`;
  renderList(
    'queue',
    queue,
    (e) => `${e.queue} · ${e.state}${e.owner ? ` by ${e.owner}` : ''} · ${target(e)} ${e.title}`,
    'nothing waiting',
  );
  renderList(
    'failures',
    failures,
    (f) => `${f.stage} · ${target(f)} ${f.title}${f.reason ? ` — ${f.reason}` : ''}`,
    'none',
  );
}

async function renderDetail(): Promise<void> {
  const pane = byId('detail');
  if (selected === null) return;
  const loop = await get<Loop>(`/loops/${selected}`);
  const events = await get<LooperEvent[]>(`/events?loop=${loop.id}&limit=500`);
  pane.replaceChildren();
  pane.append(el('h2', `${loop.title}`), el('p', `${loop.id} · ${loop.kind} loop · ${loop.stage}`));
  if (loop.reason) pane.append(el('p', loop.reason, 'reason'));
  if (loop.pr) {
    const link = el('a', `PR #${loop.pr.number} (${loop.pr.state})`);
    link.href = loop.pr.url;
    link.rel = 'noreferrer';
    const line = el('p');
    line.append(link);
    pane.append(line);
  }
  const actions = el('div', undefined, 'actions');
  for (const action of ['pause', 'resume', 'cancel', 'retry', 'approve']) {
    const button = el('button', action);
    button.addEventListener('click', () => void control(loop.id, action));
    actions.append(button);
  }
  pane.append(actions, el('h3', 'Runs'));
  const runs = el('ul');
  for (const run of loop.runs ?? []) {
    const item = el(
      'li',
      `${run.role} · ${run.vendor} · ${run.status}${run.summary ? ` — ${run.summary}` : ''}`,
    );
    const logs = el('button', 'log');
    logs.addEventListener('click', () => void showLog(run.id));
    item.append(' ', logs);
    runs.append(item);
  }
  pane.append(runs, el('pre', '', 'log'), el('h3', 'Events'));
  const list = el('ol', undefined, 'events');
  for (const event of events.slice(-100)) list.append(eventLine(event));
  pane.append(list);
}

function eventLine(event: LooperEvent): HTMLElement {
  const data = event.type === 'loop.stage' ? `${event.data.from} → ${event.data.to}` : '';
  return el('li', `${new Date(event.at).toLocaleTimeString()} ${event.type} ${data}`.trim());
}

async function showLog(runId: string): Promise<void> {
  const response = await fetch(`${api}/runs/${runId}/log`, { headers: headers() });
  const text = await response.text();
  const pre = document.querySelector('#detail pre.log');
  if (pre) pre.textContent = text.slice(-20_000);
}

async function control(loopId: string, action: string): Promise<void> {
  const body = action === 'retry' ? '{"mode":"resume"}' : '{}';
  const response = await fetch(`${api}/loops/${loopId}/${action}`, {
    method: 'POST',
    headers: { ...headers(), 'content-type': 'application/json' },
    body,
  });
  const answer = (await response.json()) as { ok: boolean; error?: { message: string } };
  setNotice(
    answer.ok ? `${action}: done` : `${action}: ${answer.error?.message ?? response.status}`,
  );
  await refresh();
}

async function refresh(): Promise<void> {
  try {
    await Promise.all([renderStatus(), renderLoops(), renderQueueAndFailures(), renderDetail()]);
  } catch (error) {
    setNotice(String(error));
  }
}

let pending: ReturnType<typeof setTimeout> | null = null;
function refreshSoon(): void {
  if (pending !== null) return;
  pending = setTimeout(() => {
    pending = null;
    void refresh();
  }, 300);
}

function listen(): void {
  const stream = new EventSource(`${api}/events/stream`);
  stream.onmessage = () => refreshSoon();
  // Reads beyond loopback need the token, which EventSource cannot send: poll instead.
  stream.onerror = () => {
    stream.close();
    setInterval(() => void refresh(), 5000);
  };
}

byId('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = byId('token') as HTMLInputElement;
  sessionStorage.setItem(tokenKey, input.value.trim());
  input.value = '';
  setNotice('token kept for this tab');
  void refresh();
});

void refresh();
listen();
