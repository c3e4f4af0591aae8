// Failure fingerprints: a stable hash of what failed (test names, error signatures), so the loop can
// tell "the same failure twice in a row" (no progress) from a new one.

const failureLine =
  /(\bnot ok\b|\bFAIL(ED)?\b|✖|✗|×|\b\w*Error\b|\bAssertion|\bexpected\b|\bpanicked\b|\bTraceback\b|\bfailed\b)/i;

/** Volatile parts that change between runs of the same failure: durations, times, paths, addresses. */
function normalise(line: string): string {
  return line
    .replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?\b/g, '<time>')
    .replace(/\b\d+(\.\d+)?\s?(ms|s|sec|seconds)\b/g, '<t>')
    .replace(/\(\d+(\.\d+)?ms\)/g, '')
    .replace(/0x[0-9a-f]+/gi, '<addr>')
    .replace(/\/tmp\/[^\s:'")]+/g, '<tmp>')
    .replace(/:\d+:\d+/g, ':<pos>')
    .replace(/\s+/g, ' ')
    .trim();
}

/** FNV-1a 32-bit, enough to compare two failures; not a security hash. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

export function failureFingerprint(output: string): string {
  const lines = output.split(/\r?\n/).filter((line) => failureLine.test(line));
  const signature = [...new Set(lines.map(normalise))].sort();
  const basis = signature.length > 0 ? signature.join('\n') : normalise(output.slice(-2000));
  return fnv1a(basis);
}

/** A short fingerprint of any text (e.g. a review's requested changes). */
export function textFingerprint(text: string): string {
  return fnv1a(normalise(text));
}
