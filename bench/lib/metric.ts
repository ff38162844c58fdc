import { max, median, min } from './stats.ts';
import type { Metric } from './types.ts';

export function metric(
  key: string,
  label: string,
  unit: string,
  better: Metric['better'],
  runs: number[],
): Metric {
  return { key, label, unit, better, runs, median: median(runs), min: min(runs), max: max(runs) };
}

/** Per-run ratio a[i] / b[i]. */
export const ratios = (a: readonly number[], b: readonly number[]): number[] =>
  a.map((x, i) => x / (b[i] as number));

export const find = (metrics: readonly Metric[], key: string): Metric | undefined =>
  metrics.find((m) => m.key === key);
