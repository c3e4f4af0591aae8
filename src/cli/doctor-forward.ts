// `looper doctor`'s line on `gh webhook forward`: whether gh (and its webhook extension) is there
// for the repositories `looper webhook enable --forward` chose; not needed without that choice.
import type { DoctorCheck } from './doctor-checks.js';
import { runProbe, versionLine } from './doctor-probes.js';
import { which } from './which.js';

export async function forwardCheck(input: {
  /** Repositories whose deliveries looperd relays with gh (<data dir>/webhook-forward.json). */
  forwarded: readonly string[];
  env: Record<string, string | undefined>;
  cwd: string;
}): Promise<DoctorCheck> {
  const check = 'gh webhook forward';
  const needed = input.forwarded.length > 0;
  const usage = needed
    ? `forwarding ${input.forwarded.join(', ')}`
    : 'not used (`looper webhook enable --forward` would use it)';
  const data = { forwarded: [...input.forwarded] };
  const gh = which('gh', input.env.PATH, input.cwd);
  if (gh === null) {
    return {
      check,
      status: needed ? 'fail' : 'ok',
      detail: `gh (the GitHub CLI) is not on PATH; ${usage}${needed ? ': install it (https://cli.github.com), then `gh extension install cli/gh-webhook`' : ''}`,
      data: { ...data, found: false },
    };
  }
  if (!needed)
    return { check, status: 'ok', detail: `${gh}; ${usage}`, data: { ...data, found: true } };
  const probe = await runProbe(gh, ['webhook', 'forward', '--help'], {
    env: input.env,
    cwd: input.cwd,
  });
  if (probe.code !== 0) {
    const why = probe.timedOut ? 'timed out' : (probe.error ?? versionLine(probe.stderr));
    return {
      check,
      status: 'fail',
      detail: `${gh} has no working \`gh webhook\` (${why}); ${usage}: run \`gh extension install cli/gh-webhook\``,
      data: { ...data, found: true, extension: false },
    };
  }
  return {
    check,
    status: 'ok',
    detail: `${gh}; ${usage}`,
    data: { ...data, found: true, extension: true },
  };
}
