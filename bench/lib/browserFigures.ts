// The figures s8 (initial sync) and s15 (join) report for the engine in Chromium against the
// engine under Node, measured in the same run: the first step (a sync or a join), the cold
// start after it, the page's long tasks during the first step, and each side's idle cost.
import { metric, ratios } from './metric.ts';
import { median } from './stats.ts';
import type { ScenarioResult } from './types.ts';

export interface BrowserRuns {
  readonly node: number[];
  readonly page: number[];
  readonly nodeCold: number[];
  readonly pageCold: number[];
  readonly longest: number[];
  readonly over50: number[];
  readonly nodeIdle: number[];
  readonly pageIdle: number[];
}

export const browserRuns = (): BrowserRuns => ({
  node: [],
  page: [],
  nodeCold: [],
  pageCold: [],
  longest: [],
  over50: [],
  nodeIdle: [],
  pageIdle: [],
});

/**
 * `step` names the first step in the metric keys ('Sync' gives pageSync, nodeSync, syncRatio,
 * as s8 always reported them) and `label` in the texts ('initial sync', 'join').
 */
export function browserFigures(
  r: BrowserRuns,
  step: string,
  label: string,
): Pick<ScenarioResult, 'primary' | 'also' | 'anchor' | 'ratio' | 'target' | 'metrics'> {
  const lower = step.toLowerCase();
  const stepRatio = ratios(r.page, r.node);
  const coldRatio = ratios(r.pageCold, r.nodeCold);
  return {
    primary: `${lower}Ratio`,
    also: ['coldRatio', 'longestTask', 'pageIdle', 'nodeIdle'],
    anchor: { label: `the Node engine’s ${label}, same run`, metric: `node${step}` },
    ratio: { label: `Chromium ÷ Node (${label})`, metric: `${lower}Ratio` },
    target: {
      text: `${label} and cold start ≤ 1.3× Node; no main-thread task over 100 ms; idle < 0.5% of a core`,
      pass:
        median(stepRatio) <= 1.3 &&
        median(coldRatio) <= 1.3 &&
        Math.max(...r.longest) <= 100 &&
        median(r.pageIdle) < 0.5 &&
        median(r.nodeIdle) < 0.5,
    },
    metrics: [
      metric(`page${step}`, `Chromium ${label}`, 'ms', 'lower', r.page),
      metric(`node${step}`, `Node ${label}`, 'ms', 'lower', r.node),
      metric(`${lower}Ratio`, `${label}, Chromium ÷ Node`, '×', 'lower', stepRatio),
      metric('pageCold', 'Chromium cold start', 'ms', 'lower', r.pageCold),
      metric('nodeCold', 'Node cold start', 'ms', 'lower', r.nodeCold),
      metric('coldRatio', 'cold start, Chromium ÷ Node', '×', 'lower', coldRatio),
      metric(
        'longestTask',
        `longest main-thread task during the ${label}`,
        'ms',
        'lower',
        r.longest,
      ),
      metric(
        'tasksOver50',
        `main-thread tasks over 50 ms during the ${label}`,
        'tasks',
        'lower',
        r.over50,
      ),
      metric('pageIdle', 'idle peer, Chromium main thread', '% of a core', 'lower', r.pageIdle),
      metric('nodeIdle', 'idle peer, Node process', '% of a core', 'lower', r.nodeIdle),
    ],
  };
}

/** The note both scenarios end with. */
export const IDLE_NOTE =
  'Idle: Node counts every thread of the process; Chromium counts the page’s main thread (WebRTC runs on other threads).';
