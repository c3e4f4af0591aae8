// Issue URLs as people paste them (`https://github.com/o/r/issues/12`, or a GitHub Enterprise host):
// parsed once here so the CLI, the API and the daemon agree on what counts as one.

export interface IssueUrl {
  /** `github.com`, or the GitHub Enterprise host (with its port, if any). */
  host: string;
  owner: string;
  name: string;
  /** `owner/name`. */
  repo: string;
  number: number;
}

const segment = /^[\w.-]+$/;

/** The parts of an issue URL, or null when `text` is not `http(s)://<host>/<owner>/<name>/issues/<n>`. */
export function parseIssueUrl(text: string): IssueUrl | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const parts = url.pathname.replace(/\/+$/, '').split('/').slice(1);
  if (parts.length !== 4 || parts[2] !== 'issues') return null;
  const [owner = '', name = '', , digits = ''] = parts;
  if (!segment.test(owner) || !segment.test(name) || !/^[1-9]\d{0,9}$/.test(digits)) return null;
  return {
    host: url.host.toLowerCase(),
    owner,
    name,
    repo: `${owner}/${name}`,
    number: Number(digits),
  };
}

/**
 * The web host whose issue URLs belong to a GitHub API URL: `api.github.com` serves `github.com`;
 * GitHub Enterprise (`https://ghe.example/api/v3`) and emulators serve their own host.
 */
export function webHostOfApi(apiUrl: string): string {
  const host = new URL(apiUrl).host.toLowerCase();
  return host === 'api.github.com' ? 'github.com' : host;
}
