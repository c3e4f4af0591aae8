// `looper webhook enable|disable|status` in the daemon (it holds the token): the repository webhook
// that sends GitHub's events to `/webhooks/github`, signed with the secret looperd verifies. When
// the token may not manage hooks, or no public URL is known, it says what to configure by hand;
// `--forward` has the daemon run `gh webhook forward` for the repository instead.
import type {
  ProjectService,
  WebhookEnableView,
  WebhookHookView,
  WebhookManualView,
  WebhookSecretView,
} from '../api/index.js';
import { webhookEvents } from '../api/index.js';
import { isLooperError, LooperError } from '../domain/index.js';
import type { GitHubForge, GitHubHook, ProjectRef } from '../forge/index.js';
import type { ProjectRecord } from '../store/index.js';
import type { ProjectAdminDeps } from './project-admin.js';
import { findByRepo, noGitHubToken } from './project-lookup.js';
import { readForwardedRepos, saveForwardedRepo } from './webhook-forward-choice.js';

const receiverPath = '/webhooks/github';

/** The URL GitHub delivers to: `--url` as given when it ends in /webhooks/github, else with it. */
export function payloadUrl(publicUrl: string): string {
  const url = new URL(publicUrl);
  const path = url.pathname.replace(/\/+$/, '');
  if (!path.endsWith(receiverPath)) url.pathname = `${path}${receiverPath}`;
  return url.toString();
}

/** A hook pointing at a Looper receiver (or exactly at `url` when given). */
export function isLooperHook(hook: { url: string }, url?: string): boolean {
  if (url !== undefined) return hook.url === payloadUrl(url);
  try {
    return new URL(hook.url).pathname.replace(/\/+$/, '').endsWith(receiverPath);
  } catch {
    return false;
  }
}

function hookView(hook: GitHubHook): WebhookHookView {
  return {
    id: hook.id,
    url: hook.url,
    active: hook.active,
    events: hook.events,
    last_response: hook.lastResponse,
    created_at: hook.createdAt === null ? null : new Date(hook.createdAt).toISOString(),
  };
}

const refOf = (p: ProjectRecord): ProjectRef => ({ id: p.id, repo: p.repo, path: p.path });
const recordKey = (repo: string) => `webhook:${repo}`;
const manageableCodes = new Set(['forbidden', 'not_found', 'unauthorized', 'validation_failed']);

export function createWebhookAdmin(
  deps: ProjectAdminDeps,
): Pick<ProjectService, 'webhookStatus' | 'enableWebhook' | 'disableWebhook'> {
  const { store, secret } = deps;
  const secretView = (): WebhookSecretView => ({ source: secret.source(), file: secret.file });

  function gateway(): GitHubForge {
    if (!deps.github) throw noGitHubToken();
    return deps.github;
  }

  /** The GitHub project named, or the only one. */
  async function pick(repo: string | undefined): Promise<ProjectRecord> {
    if (repo !== undefined) {
      const project = await findByRepo(store, repo);
      if (project?.forge === 'github') return project;
      throw new LooperError(
        'validation_failed',
        `${repo} is not a Looper GitHub project: add it with \`looper project add ${repo}\``,
        { details: { issues: [{ path: 'repo', message: 'unknown project' }] } },
      );
    }
    const all = (await store.projects.listProjects()).filter((p) => p.forge === 'github');
    if (all.length === 1 && all[0]) return all[0];
    throw new LooperError(
      'validation_failed',
      all.length === 0
        ? 'no GitHub project yet: add one with `looper project add owner/name`'
        : `several GitHub projects (${all.map((p) => p.repo).join(', ')}): say which with --repo`,
      { details: { issues: [{ path: 'repo', message: 'required' }] } },
    );
  }

  function manual(reason: string, url: string | null, repo: string): WebhookEnableView {
    const view: WebhookManualView = {
      reason,
      payload_url: url,
      content_type: 'application/json',
      events: [...webhookEvents],
      secret: secretView(),
    };
    return { repo, created: false, hook: null, secret: secretView(), manual: view, forward: null };
  }

  /** Runs `gh webhook forward` for `repo` from now on, and after restarts (the choice is saved). */
  function enableForward(repo: string): WebhookEnableView {
    const forwarding = deps.forwarding;
    if (!forwarding) throw noGitHubToken();
    secret.ensure();
    const view = forwarding.forwarder.start(repo);
    if (view.state === 'unavailable') {
      // Nothing runs. A repository forwarded before keeps its choice (status shows why it is idle).
      if (!readForwardedRepos(forwarding.dataDir).includes(repo)) {
        void forwarding.forwarder.stop(repo); // settles at once: there is no child to wait for
      }
      throw new LooperError('not_found', view.reason ?? 'gh webhook forward cannot run');
    }
    saveForwardedRepo(forwarding.dataDir, repo, true);
    return { repo, created: false, hook: null, secret: secretView(), manual: null, forward: view };
  }

  /** Stops forwarding `repo` and forgets the choice; false when it was not forwarded. */
  async function disableForward(repo: string): Promise<boolean> {
    const forwarding = deps.forwarding;
    if (!forwarding) return false;
    saveForwardedRepo(forwarding.dataDir, repo, false);
    return forwarding.forwarder.stop(repo);
  }

  const cannotManage = (error: unknown) =>
    isLooperError(error) && manageableCodes.has(error.code) ? error.message : null;

  return {
    async webhookStatus(query) {
      const github = gateway();
      const projects =
        query.repo !== undefined
          ? [await pick(query.repo)]
          : (await store.projects.listProjects()).filter((p) => p.forge === 'github');
      return Promise.all(
        projects.map(async (project) => {
          const repo = project.repo ?? '';
          const forward = deps.forwarding?.forwarder.status(repo) ?? null;
          try {
            const hooks = (await github.listHooks(refOf(project))).filter((h) => isLooperHook(h));
            return { repo, secret: secretView(), hooks: hooks.map(hookView), error: null, forward };
          } catch (error) {
            const reason = cannotManage(error);
            if (reason === null) throw error;
            return {
              repo,
              secret: secretView(),
              hooks: [],
              error: `cannot list webhooks (admin on the repository is needed): ${reason}`,
              forward,
            };
          }
        }),
      );
    },

    async enableWebhook(request) {
      const github = gateway();
      const project = await pick(request.repo);
      const repo = project.repo ?? '';
      if (request.forward === true) return enableForward(repo);
      secret.ensure();
      if (request.url === undefined) {
        return manual(
          'no public URL given: GitHub cannot deliver to looperd on a loopback address; pass --url with the public URL of a tunnel or proxy, or forward deliveries with `gh webhook forward`',
          null,
          repo,
        );
      }
      const url = payloadUrl(request.url);
      try {
        const existing = (await github.listHooks(refOf(project))).find((h) => h.url === url);
        if (existing)
          return {
            repo,
            created: false,
            hook: hookView(existing),
            secret: secretView(),
            manual: null,
            forward: null,
          };
        const hook = await github.createHook(refOf(project), {
          url,
          secret: secret.current(),
          events: webhookEvents,
        });
        await store.intake.putCached(recordKey(repo), null, JSON.stringify({ id: hook.id, url }));
        await deps.events.emit({ type: 'webhook.created', data: { repo, hook_id: hook.id, url } });
        return {
          repo,
          created: true,
          hook: hookView(hook),
          secret: secretView(),
          manual: null,
          forward: null,
        };
      } catch (error) {
        const reason = cannotManage(error);
        if (reason === null) throw error;
        return manual(
          `the token may not manage webhooks on ${repo} (admin on the repository is needed): ${reason}`,
          url,
          repo,
        );
      }
    },

    async disableWebhook(request) {
      const github = gateway();
      const project = await pick(request.repo);
      const repo = project.repo ?? '';
      // Without --url, disable also stops `gh webhook forward` (which needs no admin to stop).
      const forwardStopped = request.url === undefined && (await disableForward(repo));
      let hooks: GitHubHook[];
      try {
        hooks = await github.listHooks(refOf(project));
      } catch (error) {
        if (!forwardStopped || cannotManage(error) === null) throw error;
        return { repo, removed: [], forward_stopped: true };
      }
      const recorded = await store.intake.getCached(recordKey(repo));
      const recordedId = recorded ? (JSON.parse(recorded.body) as { id?: number }).id : undefined;
      const targets =
        request.url !== undefined
          ? hooks.filter((h) => isLooperHook(h, request.url))
          : hooks.some((h) => h.id === recordedId)
            ? hooks.filter((h) => h.id === recordedId)
            : hooks.filter((h) => isLooperHook(h));
      for (const hook of targets) {
        await github.deleteHook(refOf(project), hook.id);
        await deps.events.emit({
          type: 'webhook.removed',
          data: { repo, hook_id: hook.id, url: hook.url },
        });
      }
      if (
        recorded &&
        (targets.some((h) => h.id === recordedId) || !hooks.some((h) => h.id === recordedId))
      ) {
        await store.intake.putCached(recordKey(repo), null, '{}');
      }
      return { repo, removed: targets.map(hookView), forward_stopped: forwardStopped };
    },
  };
}
