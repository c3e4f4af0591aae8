// Text from the forge (issue bodies, comments, reviews) reaches prompts fenced as untrusted data, with
// hidden HTML comments and invisible characters removed so nothing can hide instructions in it.

const invisible = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\u00AD]/g;

export function sanitizeUntrusted(text: string): string {
  return text
    .replace(/<!--[\s\S]*?(-->|$)/g, '')
    .replace(invisible, '')
    .replace(/\r\n/g, '\n');
}

/** Wraps untrusted text in a fence the agent is told never to take instructions from. */
export function fenceUntrusted(label: string, text: string): string {
  const clean = sanitizeUntrusted(text).replace(/<<<END_UNTRUSTED/g, '<<<END_UNTRUSTED (escaped)');
  return [`<<<UNTRUSTED ${label}`, clean.trim(), '<<<END_UNTRUSTED'].join('\n');
}
