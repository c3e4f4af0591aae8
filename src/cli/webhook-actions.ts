// `looper webhook enable|disable|status` through the API (`/webhooks`); the daemon holds the token.
// When GitHub cannot be told directly, enable prints the manual setup and, where `gh` is installed,
// the `gh webhook forward` command that relays deliveries to this machine (which `--forward` has
// looperd run and supervise itself).
import type {
  WebhookDisableView,
  WebhookEnableView,
  WebhookForwardView,
  WebhookHookView,
  WebhookManualView,
  WebhookStatusView,
} from '../api/index.js';
import type { WebhookOptions } from './command-webhook.js';
import type { CommandContext } from './context.js';
import { connect } from './daemon-process.js';
import { exitCodes, formatPairs } from './output.js';
import { shellQuote, which } from './which.js';

/** `gh webhook forward …` relaying `repo`'s events to `receiver`, the secret read from its file. */
export function forwardCommand(manual: WebhookManualView, repo: string, receiver: string): string {
  const secret =
    manual.secret.source === 'config'
      ? '<github.webhook-secret>'
      : `"$(cat ${shellQuote(manual.secret.file)})"`;
  return [
    'gh webhook forward',
    `--repo=${shellQuote(repo)}`,
    `--events=${manual.events.join(',')}`,
    `--url=${shellQuote(receiver)}`,
    `--secret=${secret}`,
  ].join(' ');
}

function secretLine(manual: WebhookManualView): string {
  return manual.secret.source === 'config'
    ? 'github.webhook-secret from your config'
    : `the contents of ${manual.secret.file}`;
}

export function manualText(view: WebhookEnableView, forward: string | null): string {
  const manual = view.manual;
  if (manual === null) return '';
  const lines = [
    `Looper did not create a webhook on ${view.repo}: ${manual.reason}`,
    '',
    `Configure it by hand (${view.repo} on GitHub: Settings → Webhooks → Add webhook):`,
    formatPairs([
      ['Payload URL', manual.payload_url ?? '<public URL of your tunnel or proxy>/webhooks/github'],
      ['Content type', manual.content_type],
      ['Secret', secretLine(manual)],
      ['Events', manual.events.join(', ')],
    ])
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n'),
  ];
  if (forward !== null) {
    lines.push(
      '',
      'Or relay deliveries to this machine with the GitHub CLI (`gh extension install cli/gh-webhook`):',
      `  ${forward}`,
      '',
      'Or have looperd run and supervise that command for you:',
      `  looper webhook enable --repo ${shellQuote(view.repo)} --forward`,
    );
  } else if (manual.payload_url === null) {
    lines.push(
      '',
      'gh (the GitHub CLI) is not on PATH. With it and its webhook extension',
      '(`gh extension install cli/gh-webhook`), `looper webhook enable --forward` relays deliveries',
      'to looperd without a public URL.',
    );
  }
  return lines.join('\n');
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;

function exitText(exit: NonNullable<WebhookForwardView['last_exit']>): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${exit.exit_code}`;
}

/** One line on the supervised `gh webhook forward`. */
export function forwardLine(view: WebhookForwardView): string {
  const last = view.last_exit;
  const lastExit = last ? `, last exit ${exitText(last)} at ${last.at}` : '';
  switch (view.state) {
    case 'running':
      return `forward: gh webhook forward running (pid ${view.pid}, since ${view.started_at}, ${view.restarts} restart(s)${lastExit}) → ${view.url}`;
    case 'restarting': {
      const why = last?.stderr_tail.split('\n').at(-1) ?? '';
      return `forward: gh webhook forward exited (${last ? exitText(last) : 'unknown'}${why ? `: ${why}` : ''}); restarting in ${seconds(view.restart_delay_ms ?? 0)}`;
    }
    case 'unavailable':
      return `forward: not running: ${view.reason}`;
    case 'stopped':
      return `forward: stopped${lastExit}`;
    default: {
      const never: never = view.state;
      return never;
    }
  }
}

function hookLine(hook: WebhookHookView): string {
  const last = hook.last_response;
  const delivery =
    last === null
      ? 'no delivery yet'
      : `last delivery ${[last.code, last.status].filter((v) => v !== null).join(' ')}`;
  return `${hook.id}  ${hook.active ? 'active' : 'inactive'}  ${hook.url}  ${delivery}`;
}

export async function webhookEnableAction(
  ctx: CommandContext,
  options: WebhookOptions,
): Promise<number> {
  const { client, target } = await connect(ctx, { autostart: false });
  const view = await client.post<WebhookEnableView>('/webhooks', {
    ...(options.repo === undefined ? {} : { repo: options.repo }),
    ...(options.url === undefined ? {} : { url: options.url }),
    ...(options.forward ? { forward: true } : {}),
  });
  const forward =
    view.manual !== null &&
    view.manual.payload_url === null &&
    which('gh', ctx.io.env.PATH, ctx.io.cwd) !== null
      ? forwardCommand(view.manual, view.repo, `${target.baseUrl}/webhooks/github`)
      : null;
  ctx.out.result({ ...view, forward_command: forward }, () => {
    if (view.forward !== null)
      return `forwarding ${view.repo}'s events to looperd; it restarts gh when it exits and stops it on shutdown\n${forwardLine(view.forward)}`;
    if (view.manual !== null) return manualText(view, forward);
    const hook = view.hook;
    if (hook === null) return '';
    const verb = view.created ? 'created webhook' : 'webhook already there:';
    return `${verb} ${hook.id} on ${view.repo} → ${hook.url}\nsecret: ${view.secret.source === 'config' ? 'github.webhook-secret' : view.secret.file}`;
  });
  // Asked for a public URL and could not create the hook: the job is not done.
  return view.manual !== null && view.manual.payload_url !== null
    ? exitCodes.failure
    : exitCodes.success;
}

export async function webhookDisableAction(
  ctx: CommandContext,
  options: WebhookOptions,
): Promise<number> {
  const { client } = await connect(ctx, { autostart: false });
  const params = new URLSearchParams();
  if (options.repo !== undefined) params.set('repo', options.repo);
  if (options.url !== undefined) params.set('url', options.url);
  const query = params.toString();
  const view = await client.delete<WebhookDisableView>(`/webhooks${query ? `?${query}` : ''}`);
  ctx.out.result(view, () => {
    const lines = view.removed.map((h) => `removed webhook ${h.id} (${h.url}) from ${view.repo}`);
    if (view.forward_stopped) lines.push(`stopped gh webhook forward for ${view.repo}`);
    return lines.length === 0 ? `no Looper webhook on ${view.repo}` : lines.join('\n');
  });
  return exitCodes.success;
}

export function statusText(views: readonly WebhookStatusView[]): string {
  if (views.length === 0) return 'no GitHub project (add one with `looper project add owner/name`)';
  return views
    .map((view) => {
      const secret =
        view.secret.source === 'none'
          ? 'secret: none yet (`looper webhook enable` creates one)'
          : `secret: ${view.secret.source === 'config' ? 'github.webhook-secret' : view.secret.file}`;
      const hooks =
        view.error !== null
          ? [`  ${view.error}`]
          : view.hooks.length === 0
            ? [`  no webhook points at Looper${view.forward ? '' : ' (polling only)'}`]
            : view.hooks.map((h) => `  ${hookLine(h)}`);
      const forward = view.forward ? [`  ${forwardLine(view.forward)}`] : [];
      return [`${view.repo}  ${secret}`, ...hooks, ...forward].join('\n');
    })
    .join('\n');
}

export async function webhookStatusAction(
  ctx: CommandContext,
  options: WebhookOptions,
): Promise<number> {
  const { client } = await connect(ctx, { autostart: false });
  const query = options.repo === undefined ? '' : `?repo=${encodeURIComponent(options.repo)}`;
  const views = await client.get<WebhookStatusView[]>(`/webhooks${query}`);
  ctx.out.result(views, () => statusText(views));
  return exitCodes.success;
}
