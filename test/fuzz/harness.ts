// Shared plumbing of the fuzz targets (test/fuzz/*.fuzz.test.ts): seeds, budgets, and a
// watchdog for what must never happen while a target runs.
//
// - Every target runs with a fixed seed, so a run is reproducible. GPOW_FUZZ_SEED overrides the
//   seed of every target (run one file, or one test with -t, to replay one), and
//   GPOW_FUZZ_PATH with it replays one shrunk counterexample. A failure prints both.
// - GPOW_FUZZ_NO_SHRINK=1 reports a failing case as found, without shrinking it.
// - GPOW_FUZZ_SCALE multiplies every target's number of cases: 1 in `npm test`, 100 in
//   `npm run test:soak` (vitest.soak.config.ts), so one set of targets serves both.
// - The watchdog fails a case that left an unhandled rejection or an uncaught exception behind
//   (either would end a Node peer), or that kept the event loop busy past a bound.
import fc from 'fast-check';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';

function envNumber(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, not ${text}`);
  return value;
}

/** How many times the default number of cases each target runs. */
export const FUZZ_SCALE = envNumber('GPOW_FUZZ_SCALE') ?? 1;
const SEED_OVERRIDE = envNumber('GPOW_FUZZ_SEED');
const PATH_OVERRIDE = process.env.GPOW_FUZZ_PATH;
/**
 * The bound on one case, in milliseconds. Generous on purpose: `npm test` runs this next to the
 * rest of the suite on two shared cores with coverage on. What it catches is an input whose work
 * grows out of proportion (a quadratic parse, a loop over a length field), which shows up as
 * seconds; a case over the bound is timed once more before it counts as a failure.
 */
export const CASE_BOUND_MS = envNumber('GPOW_FUZZ_CASE_MS') ?? 250;

/** The number of cases for a target whose default is `base`. */
export const runs = (base: number): number => Math.max(1, Math.round(base * FUZZ_SCALE));

/** fast-check parameters for a target: its fixed seed (or the override) and its case count. */
export function fuzzParameters<T>(seed: number, base: number): fc.Parameters<T> {
  const params: fc.Parameters<T> = { seed: SEED_OVERRIDE ?? seed, numRuns: runs(base) };
  if (SEED_OVERRIDE !== undefined && PATH_OVERRIDE) params.path = PATH_OVERRIDE;
  // Stateful targets (one doc and ledger across cases) shrink poorly: a later case can fail
  // because of an earlier one. GPOW_FUZZ_NO_SHRINK=1 reports the first failing case as it was.
  if (process.env.GPOW_FUZZ_NO_SHRINK === '1') params.endOnFailure = true;
  return params;
}

/** Runs a property with the target's parameters; a failure says how to replay it. */
export async function fuzz<T>(
  name: string,
  property: fc.IAsyncPropertyWithHooks<T> | fc.IPropertyWithHooks<T>,
  seed: number,
  base: number,
): Promise<void> {
  const params = fuzzParameters<T>(seed, base);
  const details = await fc.check(property as fc.IAsyncProperty<T>, params);
  if (!details.failed) return;
  const replay =
    `replay: GPOW_FUZZ_SEED=${details.seed} GPOW_FUZZ_PATH=${details.counterexamplePath ?? ''} ` +
    `npx vitest run test/fuzz -t '${name}'`;
  const error = details.errorInstance;
  const cause = error instanceof Error ? error.message : String(error);
  throw new Error(
    `fuzz target "${name}" failed after ${details.numRuns} cases (seed ${details.seed}, ` +
      `path ${details.counterexamplePath ?? '-'}).\n${replay}\n` +
      `counterexample: ${fc.stringify(details.counterexample)}\n${cause}`,
    { cause: error },
  );
}

export interface Incident {
  readonly kind: 'unhandledRejection' | 'uncaughtException';
  readonly error: unknown;
}

const describeError = (error: unknown): string =>
  error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);

/**
 * Watches the process while a target runs: unhandled rejections, uncaught exceptions, and how
 * long each case keeps the event loop. Install in beforeAll, uninstall in afterAll; wrap each
 * case in `watchdog.run(...)`.
 */
export class Watchdog {
  readonly incidents: Incident[] = [];
  cases = 0;
  /** The longest case so far, in milliseconds (reported by the targets' count checks). */
  slowest = 0;
  #histogram: IntervalHistogram | null = null;
  readonly #listeners = new Set<() => void>();
  readonly #onRejection = (error: unknown) => this.#record({ kind: 'unhandledRejection', error });
  readonly #onException = (error: unknown) => this.#record({ kind: 'uncaughtException', error });

  #record(incident: Incident): void {
    this.incidents.push(incident);
    for (const listener of this.#listeners) listener();
  }

  /** Calls `listener` at every incident (a wait can give up at once); returns the unsubscribe. */
  onIncident(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  install(): void {
    active.add(this);
    process.on('unhandledRejection', this.#onRejection);
    process.on('uncaughtException', this.#onException);
    this.#histogram = monitorEventLoopDelay({ resolution: 10 });
    this.#histogram.enable();
  }

  uninstall(): void {
    active.delete(this);
    process.off('unhandledRejection', this.#onRejection);
    process.off('uncaughtException', this.#onException);
    this.#histogram?.disable();
    this.#histogram = null;
  }

  /** Throws if anything went wrong since the last check. */
  check(label = 'the target'): void {
    const incident = this.incidents.shift();
    if (incident) {
      this.incidents.length = 0;
      throw new Error(`${label} left an ${incident.kind}: ${describeError(incident.error)}`);
    }
  }

  /**
   * Runs one case: afterwards lets pending rejections surface (a macrotask turn), then fails on
   * any incident, or when the case took longer than `boundMs` twice in a row (`retry`: the case
   * can be run again; stateful cases pass false and get one chance with twice the bound).
   */
  async run<R>(
    label: string,
    body: () => R | Promise<R>,
    { boundMs = CASE_BOUND_MS, retry = true }: { boundMs?: number; retry?: boolean } = {},
  ): Promise<R> {
    this.cases++;
    const timed = async (): Promise<[R, number]> => {
      const start = performance.now();
      const result = await body();
      const elapsed = performance.now() - start;
      await settle();
      this.check(label);
      return [result, elapsed];
    };
    let [result, elapsed] = await timed();
    if (elapsed > boundMs) {
      if (!retry) {
        if (elapsed > 2 * boundMs)
          throw new Error(`${label} took ${elapsed.toFixed(0)} ms (bound ${2 * boundMs} ms)`);
      } else {
        [result, elapsed] = await timed();
        if (elapsed > boundMs)
          throw new Error(`${label} took ${elapsed.toFixed(0)} ms twice (bound ${boundMs} ms)`);
      }
    }
    this.slowest = Math.max(this.slowest, elapsed);
    return result;
  }

  /** The event loop's longest stall since install, in milliseconds. */
  maxEventLoopDelayMs(): number {
    return (this.#histogram?.max ?? 0) / 1e6;
  }
}

/** The installed watchdogs: a wait gives up as soon as one of them saw an incident. */
const active = new Set<Watchdog>();

/** Throws the first incident of any installed watchdog. */
export function checkActive(label: string): void {
  for (const watchdog of active) watchdog.check(label);
}

/** One macrotask turn: promise rejections without handlers are reported by then. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Waits until `condition` holds, a macrotask at a time; throws after `timeoutMs`. */
export async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const start = performance.now();
  for (let turn = 0; !condition(); turn++) {
    checkActive(`waiting for ${what}`);
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    // A few quick turns first (most waits are for I/O already under way), then 1 ms naps.
    await (turn < 20 ? settle() : new Promise((resolve) => setTimeout(resolve, 1)));
  }
}

// ---- generators shared by several targets ---------------------------------------------------

/**
 * The text of a JSON value with the shapes attackers like: deep (up to 40,000 levels, which
 * JSON.parse takes and JSON.stringify cannot), wide, odd keys, odd numbers.
 */
export const hostileJsonText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 1, max: 40_000 }),
        fc.constantFrom<'array' | 'object'>('array', 'object'),
      )
      .map(([depth, kind]) => deepJsonText(depth, kind)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'null',
      '0',
      '-0',
      '1e308',
      '1e999',
      '""',
      '"__proto__"',
      '[]',
      '{}',
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      '{"toString":1,"valueOf":"x","hasOwnProperty":null}',
    ),
  },
);

/** The JSON text of a value nested `depth` levels deep (built as text: any depth is cheap). */
export function deepJsonText(depth: number, kind: 'array' | 'object', inner = '0'): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;
}
