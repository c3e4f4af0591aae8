import { describe, expect, it } from 'vitest';
import { parseIssueUrl, webHostOfApi } from './issue-url.js';

describe('parseIssueUrl', () => {
  it('reads github.com and GitHub Enterprise issue URLs', () => {
    expect(parseIssueUrl('https://github.com/acme/app/issues/12')).toEqual({
      host: 'github.com',
      owner: 'acme',
      name: 'app',
      repo: 'acme/app',
      number: 12,
    });
    expect(
      parseIssueUrl('https://GHE.example.com:8443/team/tool.js/issues/7/#issuecomment-1'),
    ).toEqual({
      host: 'ghe.example.com:8443',
      owner: 'team',
      name: 'tool.js',
      repo: 'team/tool.js',
      number: 7,
    });
  });

  it('refuses pull request URLs, other paths and non-URLs', () => {
    expect(parseIssueUrl('https://github.com/acme/app/pull/12')).toBeNull();
    expect(parseIssueUrl('https://github.com/acme/app/issues')).toBeNull();
    expect(parseIssueUrl('https://github.com/acme/app/issues/0')).toBeNull();
    expect(parseIssueUrl('https://github.com/acme/app/issues/12/comments')).toBeNull();
    expect(parseIssueUrl('ftp://github.com/acme/app/issues/12')).toBeNull();
    expect(parseIssueUrl('acme/app#12')).toBeNull();
  });
});

describe('webHostOfApi', () => {
  it('maps api.github.com to github.com and keeps other hosts', () => {
    expect(webHostOfApi('https://api.github.com')).toBe('github.com');
    expect(webHostOfApi('https://ghe.example.com/api/v3')).toBe('ghe.example.com');
    expect(webHostOfApi('http://127.0.0.1:4000')).toBe('127.0.0.1:4000');
  });
});
