// `looper webhook enable|disable|status`: the repository webhook that sends GitHub's events to
// looperd at once (the poller is the fallback). Handlers are loaded on use.
import { type Command, Option } from 'commander';
import type { CommandHost } from './context.js';

export interface WebhookOptions {
  repo?: string;
  url?: string;
  forward?: boolean;
}

export function registerWebhook(program: Command, host: CommandHost): void {
  const webhook = program
    .command('webhook')
    .description("create, remove or show the GitHub webhook that feeds looperd's /webhooks/github")
    .addHelpText(
      'after',
      [
        '',
        'GitHub cannot reach 127.0.0.1: --url is the public URL of a tunnel or reverse proxy that',
        'forwards to looperd (…/webhooks/github is added unless the URL ends with it). Without it,',
        'enable prints the `gh webhook forward` command that relays deliveries from your machine.',
        'Creating the hook needs admin on the repository; otherwise enable prints what to set up by',
        'hand. The secret is github.webhook-secret, or one generated into <data dir>/webhook-secret.',
        '',
        "--forward has looperd run `gh webhook forward` itself (it needs gh on looperd's PATH, the",
        'extension `gh extension install cli/gh-webhook`, and gh logged in with admin on the repo):',
        'restarted with a backoff when it exits, stopped with looperd, kept across restarts (in',
        '<data dir>/webhook-forward.json) until `looper webhook disable`.',
        '',
        'Examples:',
        '  looper webhook enable --repo acme/app --url https://looper.example.com',
        '  looper webhook enable --repo acme/app --forward',
        '  looper webhook status',
        '  looper webhook disable --repo acme/app',
      ].join('\n'),
    );
  const repoOption = ['--repo <owner/name>', 'the GitHub project (default: the only one)'] as const;

  webhook
    .command('enable')
    .description(
      'create the webhook, forward with gh (--forward), or print what to configure by hand',
    )
    .option(...repoOption)
    .option('--url <url>', 'public URL GitHub delivers to (a tunnel or proxy in front of looperd)')
    .addOption(
      new Option(
        '--forward',
        'have looperd run and supervise `gh webhook forward` (no public URL needed)',
      ).conflicts('url'),
    )
    .action(async (options: WebhookOptions) => {
      const { webhookEnableAction } = await import('./webhook-actions.js');
      host.setExit(await webhookEnableAction(host, options));
    });

  webhook
    .command('disable')
    .description('remove the webhook Looper created, and stop `gh webhook forward`')
    .option(...repoOption)
    .option('--url <url>', 'remove the hook delivering to this URL')
    .action(async (options: WebhookOptions) => {
      const { webhookDisableAction } = await import('./webhook-actions.js');
      host.setExit(await webhookDisableAction(host, options));
    });

  webhook
    .command('status')
    .description(
      "list the hooks pointing at Looper, their last delivery's answer, and the gh forwarder",
    )
    .option(...repoOption)
    .action(async (options: WebhookOptions) => {
      const { webhookStatusAction } = await import('./webhook-actions.js');
      host.setExit(await webhookStatusAction(host, options));
    });
}
