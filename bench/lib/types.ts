// The shapes a scenario returns and run.ts saves in bench/results/*.json.
import type { Scope } from './scope.ts';
import type { LargeLedger } from '../../test/helpers/largeLedger.ts';

export interface Metric {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  /** Which direction is an improvement, for --compare. */
  readonly better: 'higher' | 'lower';
  /** One value per run. */
  readonly runs: number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface Target {
  /** As stated in the issue, e.g. "≥ 75% of native verify rate". */
  readonly text: string;
  /** null when nothing was measured. */
  readonly pass: boolean | null;
}

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly status: 'measured' | 'not-measured' | 'error';
  /** The sizes used, as shown in the table. */
  readonly sizes: Record<string, number | string>;
  readonly runs: number;
  /** The headline metric's key, and others shown next to it in the table. */
  readonly primary?: string;
  readonly also?: readonly string[];
  /** The anchor measured in the same run, and the per-run ratio of primary to anchor. */
  readonly anchor?: { readonly label: string; readonly metric: string };
  readonly ratio?: { readonly label: string; readonly metric: string };
  readonly target?: Target;
  readonly metrics: Metric[];
  readonly notes: string[];
  /** Where the time goes, when a target is missed (stage breakdown, profile top frames). */
  readonly why: string[];
  readonly error?: string;
  readonly elapsedSec: number;
}

export interface BenchContext {
  /** The large size (--size), default 100,000. */
  readonly size: number;
  /** Repetitions per scenario (--runs). */
  readonly runs: number;
  /** --profile: CPU-profile the scenario and report its top frames. */
  readonly profile: boolean;
  /** --holders: how many peers hold the ledger when a joiner comes (s9), default 5. */
  readonly holders?: number;
  /** --archive: s13's founders run as archives, keeping the whole history and its room. */
  readonly archive?: boolean;
  readonly scope: Scope;
  /** The pre-generated ledger of `count` transfers (built once per bench run). */
  large(count: number): Promise<LargeLedger>;
  log(message: string): void;
}

export type ScenarioBody = Omit<
  ScenarioResult,
  'id' | 'title' | 'elapsedSec' | 'runs' | 'status'
> & {
  readonly status?: ScenarioResult['status'];
};

export interface Scenario {
  readonly id: string;
  readonly title: string;
  /** This scenario's own time limit (default run.ts's 6 minutes). */
  readonly timeoutMs?: number;
  /** It generates its own history: the shared large ledger need not be built for it. */
  readonly ownData?: boolean;
  run(ctx: BenchContext): Promise<ScenarioBody>;
}
