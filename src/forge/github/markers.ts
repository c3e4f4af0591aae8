// Hidden HTML markers Looper leaves in what it writes on GitHub, so it finds its own comment,
// review and PR again after a restart: `<!-- looper:key=<key> -->`, `<!-- looper:loop=<id> -->`.

const keyPattern = /<!-- looper:key=([^\s>]+) -->\n?/;
const loopPattern = /<!-- looper:loop=([^\s>]+) -->/;

export function commentMarker(key: string): string {
  return `<!-- looper:key=${encodeURIComponent(key)} -->`;
}

/** The body as posted: marker first, then the text. */
export function withCommentMarker(key: string, body: string): string {
  return `${commentMarker(key)}\n${body}`;
}

export function readCommentKey(body: string | null | undefined): string | null {
  const match = keyPattern.exec(body ?? '');
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

export function stripCommentMarker(body: string): string {
  return body.replace(keyPattern, '');
}

export function loopMarker(loopId: string): string {
  return `<!-- looper:loop=${loopId} -->`;
}

export function readLoopMarker(body: string | null | undefined): string | null {
  return loopPattern.exec(body ?? '')?.[1] ?? null;
}
