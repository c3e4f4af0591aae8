// Prometheus text exposition format 0.0.4, by hand (no client library in the daemon): families of
// samples in, `# HELP` / `# TYPE` / sample lines out, label values and help text escaped.

export const metricsContentType = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge';

export interface MetricSample {
  labels?: Readonly<Record<string, string>>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: readonly MetricSample[];
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Backslash, double quote and line feed are the characters a label value must escape. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Help text escapes backslash and line feed (a quote is fine there). */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  const parts = entries.map(([name, value]) => {
    // Names are ours, not input: a bad one is a bug, so fail loudly rather than emit bad text.
    if (!labelName.test(name) || name.startsWith('__')) {
      throw new Error(`invalid Prometheus label name ${JSON.stringify(name)}`);
    }
    return `${name}="${escapeLabelValue(value)}"`;
  });
  return `{${parts.join(',')}}`;
}

/** The exposition text; families without samples are left out. Ends with a line feed. */
export function formatMetrics(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    if (!metricName.test(family.name)) {
      throw new Error(`invalid Prometheus metric name ${JSON.stringify(family.name)}`);
    }
    if (family.samples.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      lines.push(`${family.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
