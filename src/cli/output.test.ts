import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { LooperError } from '../domain/index.js';
import {
  createOutput,
  exitQuietlyOnBrokenPipe,
  formatError,
  formatPairs,
  formatTable,
  truncate,
} from './output.js';

function sinks(tty = false) {
  const text = { stdout: '', stderr: '' };
  return {
    text,
    stdout: { write: (s: string) => (text.stdout += s) },
    stderr: { write: (s: string) => (text.stderr += s), isTTY: tty },
  };
}

describe('formatTable', () => {
  it('aligns every column to its widest cell and trims trailing blanks', () => {
    const table = formatTable(
      ['ID', 'STAGE', 'COST'],
      [
        ['loop_1', 'working', '$0.12'],
        ['loop_22', 'ready', '$10.50'],
      ],
      ['left', 'left', 'right'],
    );

    expect(table.split('\n')).toEqual([
      'ID       STAGE      COST',
      'loop_1   working   $0.12',
      'loop_22  ready    $10.50',
    ]);
  });

  it('pads a short last column without trailing spaces', () => {
    const table = formatTable(['A', 'B'], [['xxxx', '']]);

    expect(table.split('\n')).toEqual(['A     B', 'xxxx']);
  });
});

describe('formatPairs and truncate', () => {
  it('aligns the keys of key/value lines', () => {
    expect(
      formatPairs([
        ['pid', '1'],
        ['data dir', '/x'],
      ]),
    ).toBe('pid       1\ndata dir  /x');
  });

  it('cuts long text with an ellipsis and flattens whitespace', () => {
    expect(truncate('a  b\nc', 10)).toBe('a b c');
    expect(truncate('abcdefghij', 5)).toBe('abcd…');
  });
});

describe('createOutput', () => {
  it('prints exactly one JSON document on stdout in JSON mode', () => {
    const io = sinks();
    const out = createOutput({ json: true, ...io });

    out.result({ id: 'loop_1', runs: [] }, () => 'human text');
    out.info('a diagnostic');

    expect(JSON.parse(io.text.stdout)).toEqual({ id: 'loop_1', runs: [] });
    expect(io.text.stderr).toBe('a diagnostic\n');
  });

  it('prints the human rendering on stdout otherwise', () => {
    const io = sinks();
    const out = createOutput({ json: false, ...io });

    out.result({ id: 'loop_1' }, () => 'loop_1');

    expect(io.text.stdout).toBe('loop_1\n');
  });

  it('shows progress lines only when stderr is a terminal', () => {
    const pipe = sinks(false);
    const tty = sinks(true);

    createOutput({ json: false, ...pipe }).progress('[00:01] stage working');
    createOutput({ json: false, ...tty }).progress('[00:01] stage working');

    expect(pipe.text.stderr).toBe('');
    expect(tty.text.stderr).toBe('[00:01] stage working\n');
  });

  it('prints errors as one line on stderr and returns the exit code of their code', () => {
    const io = sinks();
    const out = createOutput({ json: false, ...io });

    const code = out.error(new LooperError('not_found', 'no loop loop_9'));

    expect(code).toBe(1);
    expect(io.text.stderr).toBe('looper: no loop loop_9\n');
    expect(io.text.stdout).toBe('');
  });

  it('prints errors as an {ok:false} envelope on stdout in JSON mode', () => {
    const io = sinks();
    const out = createOutput({ json: true, ...io });

    const code = out.error(
      new LooperError('validation_failed', 'invalid request body', {
        details: { issues: [{ path: 'title', message: 'Too small' }] },
      }),
    );

    expect(code).toBe(2);
    expect(JSON.parse(io.text.stdout)).toEqual({
      ok: false,
      error: {
        code: 'validation_failed',
        message: 'invalid request body',
        details: { issues: [{ path: 'title', message: 'Too small' }] },
      },
    });
  });

  it('exits 1 for errors that are not LooperErrors', () => {
    const io = sinks();

    expect(createOutput({ json: false, ...io }).error(new Error('boom'))).toBe(1);
    expect(io.text.stderr).toBe('looper: boom\n');
  });
});

describe('formatError', () => {
  it('lists each validation issue under the message', () => {
    const text = formatError({
      code: 'validation_failed',
      message: 'invalid request body',
      details: { issues: [{ path: 'title', message: 'Too small' }, 'checks: too many'] },
    });

    expect(text).toBe('looper: invalid request body\n  title: Too small\n  checks: too many');
  });

  it('gives config errors a headline and one line per issue', () => {
    const issues = [
      { file: '/h/looper.toml', key: 'server.port', reason: 'must be at most 65535' },
      {
        file: 'env LOOPER_LOOP_MAX_FIX_ROUNDS',
        key: 'loop.max-fix-rounds',
        reason: 'bad',
        hint: 'x',
      },
    ];
    const message = [
      '/h/looper.toml: server.port: must be at most 65535',
      'env LOOPER_LOOP_MAX_FIX_ROUNDS: loop.max-fix-rounds: bad (x)',
    ].join('\n');

    const text = formatError({ code: 'config_invalid', message, details: { issues } });

    expect(text.split('\n')).toEqual([
      'looper: invalid configuration (2 issues):',
      '  /h/looper.toml: server.port: must be at most 65535',
      '  env LOOPER_LOOP_MAX_FIX_ROUNDS: loop.max-fix-rounds: bad (x)',
    ]);
  });

  it('does not print details of other errors', () => {
    expect(formatError({ code: 'conflict', message: 'busy', details: { issues: ['x'] } })).toBe(
      'looper: busy',
    );
  });
});

describe('exitQuietlyOnBrokenPipe', () => {
  const errno = (code: string) => Object.assign(new Error(`write ${code}`), { code });

  it('exits 0 on EPIPE from either stream and rethrows any other stream error', () => {
    const stdout = new EventEmitter();
    const stderr = new EventEmitter();
    const exits: number[] = [];
    exitQuietlyOnBrokenPipe([stdout, stderr], (code) => exits.push(code));

    stdout.emit('error', errno('EPIPE'));
    stderr.emit('error', errno('EPIPE'));

    expect(exits).toEqual([0, 0]);
    expect(() => stdout.emit('error', errno('EIO'))).toThrow('write EIO');
    expect(exits).toEqual([0, 0]);
  });
});
