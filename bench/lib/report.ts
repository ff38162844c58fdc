// Renders results as markdown: the summary table, per-metric details, and --compare.
import { describeMachine, type MachineInfo } from './machine.ts';
import { find } from './metric.ts';
import type { Metric, ScenarioResult } from './types.ts';

export interface BenchResults {
  readonly version: 1;
  readonly date: string;
  readonly machine: MachineInfo;
  readonly options: {
    readonly size: number;
    readonly runs: number;
    readonly only: string[] | null;
  };
  readonly durationSec: number;
  readonly scenarios: ScenarioResult[];
}

const int = (v: number) => Math.round(v).toLocaleString('en');

export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  switch (unit) {
    case 'ms':
      return value >= 10_000
        ? `${(value / 1000).toFixed(1)} s`
        : `${value < 10 ? value.toFixed(2) : int(value)} ms`;
    case '×':
      return `${value.toFixed(2)}×`;
    case 'MB':
      return `${value.toFixed(0)} MB`;
    case 'B':
      return value >= 1e6
        ? `${(value / 1e6).toFixed(2)} MB`
        : value >= 1e3
          ? `${(value / 1e3).toFixed(1)} kB`
          : `${int(value)} bytes`;
    case '%':
      return `${value.toFixed(0)}%`;
    default:
      return `${int(value)} ${unit}`;
  }
}

const spread = (m: Metric) =>
  m.runs.length > 1 ? ` (${formatValue(m.min, m.unit)}–${formatValue(m.max, m.unit)})` : '';

export const describeMetric = (m: Metric): string => `${formatValue(m.median, m.unit)}${spread(m)}`;

function sizesOf(s: ScenarioResult): string {
  return Object.entries(s.sizes)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? int(v) : v}`)
    .join(', ');
}

function resultCell(s: ScenarioResult): string {
  if (s.status === 'not-measured') return `not measured: ${s.notes[0] ?? ''}`;
  if (s.status === 'error') return `error: ${s.error ?? 'unknown'}`;
  const keys = [s.primary, ...(s.also ?? [])].filter((k): k is string => k !== undefined);
  return keys
    .map((k) => find(s.metrics, k))
    .filter((m): m is Metric => m !== undefined)
    .map((m) => `${m.label}: ${describeMetric(m)}`)
    .join('<br>');
}

function anchorCell(s: ScenarioResult): string {
  const m = s.anchor ? find(s.metrics, s.anchor.metric) : undefined;
  return m && s.anchor ? `${s.anchor.label}: ${formatValue(m.median, m.unit)}` : '—';
}

function ratioCell(s: ScenarioResult): string {
  const m = s.ratio ? find(s.metrics, s.ratio.metric) : undefined;
  return m && s.ratio ? `${s.ratio.label}: ${describeMetric(m)}` : '—';
}

function metCell(s: ScenarioResult): string {
  if (!s.target) return '—';
  if (s.target.pass === null) return 'not measured';
  return s.target.pass ? 'met' : '**missed**';
}

const escape = (text: string) => text.replace(/\|/g, '\\|');

export function renderMarkdown(results: BenchResults): string {
  const lines: string[] = [];
  lines.push(`Date: ${results.date}  `);
  lines.push(`Machine: ${describeMachine(results.machine)}  `);
  lines.push(
    `Runs per scenario: ${results.options.runs}; large size: ${int(results.options.size)}; whole bench: ${Math.round(results.durationSec)} s`,
  );
  lines.push('');
  lines.push(
    '| # | Scenario | Sizes | Result: median (min–max) | Anchor (same run) | Ratio to anchor | Target | Target met |',
  );
  lines.push('|---|---|---|---|---|---|---|---|');
  results.scenarios.forEach((s, i) => {
    lines.push(
      `| ${i + 1} | ${escape(s.title)} | ${escape(sizesOf(s))} | ${escape(resultCell(s))} | ${escape(anchorCell(s))} | ${escape(ratioCell(s))} | ${escape(s.target?.text ?? '—')} | ${metCell(s)} |`,
    );
  });
  const missed = results.scenarios.filter((s) => s.why.length > 0 || s.status === 'error');
  if (missed.length > 0) {
    lines.push('');
    lines.push('Why (targets missed, from the stage breakdown measured in the same run):');
    lines.push('');
    for (const s of missed) {
      if (s.status === 'error') lines.push(`- ${s.title}: failed: ${s.error ?? ''}`);
      for (const why of s.why) lines.push(`- ${s.title}: ${why}`);
    }
  }
  lines.push('');
  lines.push('<details><summary>Every metric</summary>');
  lines.push('');
  lines.push('| Scenario | Metric | Median | Min–max | Runs |');
  lines.push('|---|---|---|---|---|');
  for (const s of results.scenarios) {
    for (const m of s.metrics) {
      lines.push(
        `| ${escape(s.title)} | ${escape(m.label)} | ${formatValue(m.median, m.unit)} | ${formatValue(m.min, m.unit)}–${formatValue(m.max, m.unit)} | ${m.runs.length} |`,
      );
    }
  }
  lines.push('');
  lines.push('Notes:');
  lines.push('');
  for (const s of results.scenarios)
    for (const note of s.notes) lines.push(`- ${s.title}: ${note}`);
  lines.push('');
  lines.push('</details>');
  return lines.join('\n');
}

/** The change of every metric against a previous result file. */
export function renderComparison(now: BenchResults, before: BenchResults): string {
  const lines: string[] = [];
  lines.push(`Comparing ${now.date} against ${before.date}`);
  if (describeMachine(now.machine) !== describeMachine(before.machine))
    lines.push(`(different machines: before ${describeMachine(before.machine)})`);
  if (now.options.size !== before.options.size)
    lines.push(`(different sizes: before ${before.options.size}, now ${now.options.size})`);
  lines.push('');
  lines.push('| Scenario | Metric | Before | Now | Change | Verdict |');
  lines.push('|---|---|---|---|---|---|');
  for (const s of now.scenarios) {
    const old = before.scenarios.find((o) => o.id === s.id);
    for (const m of s.metrics) {
      const prev = old?.metrics.find((o) => o.key === m.key);
      if (!prev) {
        lines.push(
          `| ${escape(s.title)} | ${escape(m.label)} | — | ${formatValue(m.median, m.unit)} | new | |`,
        );
        continue;
      }
      const change = (m.median - prev.median) / prev.median;
      // Overlapping min–max ranges, or under 2%: within the noise of these runs.
      const overlap = (m.min <= prev.max && prev.min <= m.max) || Math.abs(change) < 0.02;
      const improved = m.better === 'higher' ? change > 0 : change < 0;
      const verdict = overlap ? 'within noise' : improved ? 'better' : 'worse';
      const pct = Number.isFinite(change)
        ? `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`
        : 'n/a';
      lines.push(
        `| ${escape(s.title)} | ${escape(m.label)} | ${formatValue(prev.median, prev.unit)} | ${formatValue(m.median, m.unit)} | ${pct} | ${verdict} |`,
      );
    }
  }
  return lines.join('\n');
}
