import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { commentStart, editTomlText, hasTomlComments, parseTomlKey } from './toml-edit.js';

const text = [
  '# Looper at home',
  '[server]',
  'port = 8001 # picked by hand',
  '',
  '[loop]',
  'approval = "label"',
  '',
  '# the next table',
  '[vendors."claude-code"]',
  'command = "claude"',
  '',
].join('\n');

describe('editTomlText', () => {
  it('replaces a value in place, keeping the comments around and after it', () => {
    const edited = editTomlText(text, [{ path: ['server', 'port'], value: 9000 }]);

    expect(edited).toBe(
      text.replace('port = 8001 # picked by hand', 'port = 9000 # picked by hand'),
    );
  });

  it('adds a key at the end of its table, before the comments of the next one', () => {
    const edited = editTomlText(text, [{ path: ['loop', 'max-fix-rounds'], value: 7 }]) ?? '';

    expect(edited).toContain('approval = "label"\nmax-fix-rounds = 7\n\n# the next table');
    expect(parse(edited)).toMatchObject({ loop: { approval: 'label', 'max-fix-rounds': 7 } });
  });

  it('finds quoted table names and appends a missing table at the end', () => {
    const edited =
      editTomlText(text, [
        { path: ['vendors', 'claude-code', 'args'], value: ['--x', 'y z'] },
        { path: ['roles', 'reviewer', 'vendor'], value: 'codex' },
      ]) ?? '';

    expect(edited).toContain('command = "claude"\nargs = [ "--x", "y z" ]');
    expect(edited.endsWith('\n[roles.reviewer]\nvendor = "codex"\n')).toBe(true);
    expect(edited.startsWith('# Looper at home\n')).toBe(true);
  });

  it('removes a key line', () => {
    const edited = editTomlText(text, [{ path: ['loop', 'approval'], value: undefined }]);

    expect(edited).toBe(text.replace('approval = "label"\n', ''));
  });

  it('gives up on what a line edit cannot do', () => {
    const multiLine = '[trust]\nallowed-users = [\n  "alice",\n]\n';

    expect(editTomlText(multiLine, [{ path: ['trust', 'allowed-users'], value: ['bob'] }])).toBe(
      undefined,
    );
    expect(editTomlText(text, [{ path: ['projects'], value: [{ repo: 'a/b' }] }])).toBe(undefined);
    expect(editTomlText(text, [{ path: ['agent', 'env'], value: { A: '1' } }])).toBe(undefined);
  });

  it('writes a new file from nothing', () => {
    expect(editTomlText('', [{ path: ['loop', 'max-fix-rounds'], value: 3 }])).toBe(
      '[loop]\nmax-fix-rounds = 3\n',
    );
  });
});

describe('TOML helpers', () => {
  it('finds comments outside strings only', () => {
    expect(commentStart('a = "x # y" # z')).toBe(12);
    expect(commentStart("a = 'x # y'")).toBe(-1);
    expect(commentStart('a = "say \\"#\\""')).toBe(-1);
    expect(hasTomlComments('[a]\nb = "#1"\n')).toBe(false);
    expect(hasTomlComments('[a]\n  # note\n')).toBe(true);
  });

  it('reads bare, quoted and dotted keys', () => {
    expect(parseTomlKey('vendors."claude-code"')).toEqual(['vendors', 'claude-code']);
    expect(parseTomlKey(" a . 'b.c' ")).toEqual(['a', 'b.c']);
    expect(parseTomlKey('a b')).toBe(undefined);
  });
});
