// Which repositories this daemon relays GitHub's events for with `gh webhook forward`: the choice
// `looper webhook enable --forward` makes, kept in <data-dir>/webhook-forward.json, read at start.
//
// Why a file in the data directory (like the generated webhook secret) and not a config key: the
// forwarder is this machine's way of receiving deliveries, not a property of the project. One
// node forwards (another sharing the database has its own data directory and its own choice);
// the CLI turns it on and off at once without a restart or an edit to looper.toml; and it sits
// next to the secret gh is given.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const forwardChoiceFile = (dataDir: string) => join(dataDir, 'webhook-forward.json');

/** The repositories forwarded, `owner/name`; none when the file is missing or unreadable. */
export function readForwardedRepos(dataDir: string): string[] {
  let text: string;
  try {
    text = readFileSync(forwardChoiceFile(dataDir), 'utf8');
  } catch {
    return [];
  }
  try {
    const parsed = JSON.parse(text) as { repos?: unknown };
    return Array.isArray(parsed.repos)
      ? parsed.repos.filter((r): r is string => typeof r === 'string')
      : [];
  } catch {
    return [];
  }
}

/** Adds or removes `repo`; written whole through a temporary file so a crash leaves one or the other. */
export function saveForwardedRepo(dataDir: string, repo: string, forwarded: boolean): void {
  const repos = new Set(readForwardedRepos(dataDir));
  if (forwarded === repos.has(repo)) return;
  if (forwarded) repos.add(repo);
  else repos.delete(repo);
  const file = forwardChoiceFile(dataDir);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ repos: [...repos].sort() }, null, 2)}\n`, {
    mode: 0o600,
  });
  renameSync(temp, file);
}
