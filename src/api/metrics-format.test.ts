import { describe, expect, it } from 'vitest';
import { escapeHelp, escapeLabelValue, formatMetrics, formatValue } from './metrics-format.js';

describe('Prometheus text format', () => {
  it('writes HELP, TYPE and one line per sample, ending with a line feed', () => {
    const text = formatMetrics([
      {
        name: 'looper_loops',
        help: 'Loops by stage.',
        type: 'gauge',
        samples: [
          { labels: { stage: 'queued' }, value: 2 },
          { labels: { stage: 'ready' }, value: 0 },
        ],
      },
      { name: 'looper_events_total', help: 'Events.', type: 'counter', samples: [{ value: 7 }] },
    ]);
    expect(text).toBe(
      [
        '# HELP looper_loops Loops by stage.',
        '# TYPE looper_loops gauge',
        'looper_loops{stage="queued"} 2',
        'looper_loops{stage="ready"} 0',
        '# HELP looper_events_total Events.',
        '# TYPE looper_events_total counter',
        'looper_events_total 7',
        '',
      ].join('\n'),
    );
  });

  it('escapes backslash, double quote and line feed in label values', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const text = formatMetrics([
      {
        name: 'm',
        help: 'h',
        type: 'gauge',
        samples: [{ labels: { path: 'C:\\dir', title: 'say "hi"\nbye' }, value: 1 }],
      },
    ]);
    expect(text).toContain('m{path="C:\\\\dir",title="say \\"hi\\"\\nbye"} 1\n');
    // One sample is one line, whatever the label held.
    expect(text.trimEnd().split('\n')).toHaveLength(3);
  });

  it('escapes backslash and line feed in help text, but not quotes', () => {
    expect(escapeHelp('one\\two\n"three"')).toBe('one\\\\two\\n"three"');
  });

  it('writes NaN and infinities as Prometheus spells them, and numbers as they are', () => {
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe('+Inf');
    expect(formatValue(Number.NEGATIVE_INFINITY)).toBe('-Inf');
    expect(formatValue(0.125)).toBe('0.125');
    expect(formatValue(-3)).toBe('-3');
  });

  it('leaves out families without samples', () => {
    expect(formatMetrics([{ name: 'empty', help: 'x', type: 'gauge', samples: [] }])).toBe('');
  });

  it('refuses invalid metric and label names rather than writing bad text', () => {
    const family = (name: string, label: string) => [
      {
        name,
        help: 'x',
        type: 'gauge' as const,
        samples: [{ labels: { [label]: 'v' }, value: 1 }],
      },
    ];
    expect(() => formatMetrics(family('bad-name', 'ok'))).toThrow(/metric name/);
    expect(() => formatMetrics(family('ok', 'bad label'))).toThrow(/label name/);
    expect(() => formatMetrics(family('ok', '__reserved'))).toThrow(/label name/);
  });
});
