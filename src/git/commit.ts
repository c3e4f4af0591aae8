// Commits a worktree's changes as Looper, idempotently: the `Looper-Effect` trailer carries the
// effect key, so replaying a step after a crash finds the earlier commit instead of adding one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LooperError } from '../domain/index.js';
import { headSha } from './inspect.js';
import { type GitContext, hasControlChars, resolveCommit } from './repo.js';
import { runGit } from './run-git.js';
import type { CommitInput, CommitResult } from './types.js';

export const effectTrailer = 'Looper-Effect';
/** How far back from HEAD an earlier commit for the same effect is looked for. */
const effectSearchDepth = 100;

interface Identity {
  name: string;
  email: string;
}

export async function commitAll(ctx: GitContext, input: CommitInput): Promise<CommitResult> {
  const identity = parseAuthor(input.author);
  const key = checkEffectKey(input.effectKey);
  if (input.message.trim() === '') {
    throw new LooperError('validation_failed', 'commit message is empty');
  }
  const opts = { cwd: input.path, timeoutMs: ctx.timeoutMs };
  const head = await resolveCommit(ctx, input.path, 'HEAD');
  if (head !== null) {
    const earlier = await findEffectCommit(ctx, input.path, key);
    if (earlier !== null) return { sha: earlier, committed: false };
  }

  await runGit(['add', '-A'], opts);
  const staged = await runGit(['diff', '--cached', '--quiet'], { ...opts, okCodes: [1] });
  if (staged.code === 0) {
    if (head === null) {
      throw new LooperError('git_failed', 'nothing to commit on a branch without commits', {
        details: { path: input.path },
      });
    }
    return { sha: head, committed: false };
  }

  // Identity both as config and env so the user's git config (or its absence) never matters.
  const config = [
    ['user.name', identity.name],
    ['user.email', identity.email],
    ['commit.gpgsign', 'false'],
  ].flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  // The message goes in a file written before git starts: on stdin, a daemon killed mid-write
  // would leave git a truncated (or empty) message that it commits with the trailer anyway.
  const dir = mkdtempSync(join(tmpdir(), 'looper-msg-'));
  const file = join(dir, 'message');
  writeFileSync(file, input.message);
  try {
    await runGit(
      [
        ...config,
        'commit',
        '--quiet',
        '--no-verify',
        '--cleanup=whitespace',
        `--file=${file}`,
        `--trailer=${effectTrailer}: ${key}`,
      ],
      { ...opts, env: identityEnv(identity, ctx.now) },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { sha: await headSha(ctx, input.path), committed: true };
}

/** The newest commit near HEAD whose `Looper-Effect` trailer equals `key`, if any. */
async function findEffectCommit(
  ctx: GitContext,
  path: string,
  key: string,
): Promise<string | null> {
  const format = `--format=%H%x1f%(trailers:key=${effectTrailer},valueonly,separator=%x1d)%x1e`;
  const { stdout } = await runGit(['log', `-n${effectSearchDepth}`, format, 'HEAD'], {
    cwd: path,
    timeoutMs: ctx.timeoutMs,
  });
  for (const record of stdout.split('\x1e')) {
    const [sha, values] = record.trim().split('\x1f');
    if (!sha || values === undefined) continue;
    if (values.split('\x1d').some((value) => value.trim() === key)) return sha;
  }
  return null;
}

function parseAuthor(author: string): Identity {
  const match = /^\s*([^<>\n]+?)\s*<([^<>\s]+)>\s*$/.exec(author);
  if (!match?.[1] || !match[2]) {
    throw new LooperError('validation_failed', `author must look like "Name <email>": ${author}`, {
      details: { author },
    });
  }
  return { name: match[1], email: match[2] };
}

function checkEffectKey(effectKey: string): string {
  const key = effectKey.trim();
  if (key === '' || key.length > 200 || hasControlChars(key)) {
    throw new LooperError('validation_failed', 'effect key must be one non-empty line', {
      details: { effectKey },
    });
  }
  return key;
}

function identityEnv(identity: Identity, now: (() => number) | undefined): Record<string, string> {
  const env: Record<string, string> = {
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
  };
  if (now) {
    const date = `@${Math.floor(now() / 1000)} +0000`;
    env.GIT_AUTHOR_DATE = date;
    env.GIT_COMMITTER_DATE = date;
  }
  return env;
}
