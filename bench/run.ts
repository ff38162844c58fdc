// The GPoW benchmark: `npm run bench`.
//
//   npm run bench                      every scenario; prints a markdown table, saves
//                                      bench/results/latest.json (the old one becomes previous.json)
//   npm run bench -- --compare         the same, then the change of each metric against previous.json
//   npm run bench -- --compare-only    only compares latest.json with previous.json
//   npm run bench -- --size 20000      overrides the large size (default 100,000)
//   npm run bench -- --runs 5          repetitions per scenario (default 3)
//   npm run bench -- --only s1,s5      some scenarios; saved to bench/results/only.json instead
//   npm run bench -- --profile         adds CPU-profile top frames to the "why" lines (slower)
//   npm run bench -- --holders 5       how many peers hold the ledger when s9's joiner comes
//   npm run bench -- --archive         s13's founders keep the whole history (gpow run --archive)
//
// Each scenario runs in a Scope that owns its child processes, temporary directories and
// connections; the scope is disposed when the scenario ends, fails or times out, and a process
// exit hook kills anything left. The whole bench stops by itself after --deadline minutes.
// No figure measured here is used by any test.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { largeLedger } from './lib/ledgerData.ts';
import { machineInfo } from './lib/machine.ts';
import { renderComparison, renderMarkdown, type BenchResults } from './lib/report.ts';
import { installProcessCleanup, Scope } from './lib/scope.ts';
import type { BenchContext, Scenario, ScenarioResult } from './lib/types.ts';
import { chromium } from './scenarios/chromium.ts';
import { chromiumJoin } from './scenarios/chromiumJoin.ts';
import { claimable } from './scenarios/claimable.ts';
import { coldStart } from './scenarios/coldStart.ts';
import { compaction } from './scenarios/compaction.ts';
import { fastForward } from './scenarios/fastForward.ts';
import { prunedStart } from './scenarios/prunedStart.ts';
import { joinAtScale } from './scenarios/joinAtScale.ts';
import { dnec } from './scenarios/dnec.ts';
import { finality } from './scenarios/finality.ts';
import { flood } from './scenarios/flood.ts';
import { hypercore } from './scenarios/hypercore.ts';
import { initialSync } from './scenarios/initialSync.ts';
import { propagation } from './scenarios/propagation.ts';
import { replication } from './scenarios/replication.ts';
import { validation } from './scenarios/validation.ts';

const SCENARIOS: readonly Scenario[] = [
  validation,
  initialSync,
  propagation,
  finality,
  coldStart,
  hypercore,
  dnec,
  chromium,
  replication,
  compaction,
  fastForward,
  prunedStart,
  joinAtScale,
  claimable,
  chromiumJoin,
  flood,
];
const RESULTS_DIR = join(import.meta.dirname, 'results');
const LATEST = join(RESULTS_DIR, 'latest.json');
const PREVIOUS = join(RESULTS_DIR, 'previous.json');
const ONLY = join(RESULTS_DIR, 'only.json');
/** One scenario may take at most this long before it is abandoned (and cleaned up). */
const SCENARIO_TIMEOUT_MS = 6 * 60_000;

const { values } = parseArgs({
  options: {
    size: { type: 'string' },
    runs: { type: 'string' },
    only: { type: 'string' },
    compare: { type: 'boolean', default: false },
    'compare-only': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    deadline: { type: 'string' },
    holders: { type: 'string' },
    archive: { type: 'boolean', default: false },
  },
});

async function readResults(path: string): Promise<BenchResults | null> {
  if (!existsSync(path)) return null;
  return JSON.parse(await readFile(path, 'utf8')) as BenchResults;
}

async function compare(): Promise<void> {
  const [now, before] = await Promise.all([readResults(LATEST), readResults(PREVIOUS)]);
  if (!now || !before) {
    console.log('Nothing to compare: bench/results needs both latest.json and previous.json.');
    return;
  }
  console.log(renderComparison(now, before));
}

function positiveInt(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  const value = Number(text.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer`);
  return value;
}

async function runScenario(scenario: Scenario, base: Omit<BenchContext, 'scope' | 'log'>) {
  const scope = new Scope();
  const started = performance.now();
  const log = (message: string) =>
    console.error(
      `  [${scenario.id}] ${process.env.GPOW_BENCH_VERBOSE ? `${new Date().toISOString()} ` : ''}${message}`,
    );
  console.error(`▶ ${scenario.id}: ${scenario.title}`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let result: ScenarioResult;
  const limitMs = scenario.timeoutMs ?? SCENARIO_TIMEOUT_MS;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${limitMs / 60_000} min`)),
        limitMs,
      );
    });
    const body = await Promise.race([scenario.run({ ...base, scope, log }), timeout]);
    result = {
      id: scenario.id,
      title: scenario.title,
      runs: base.runs,
      elapsedSec: (performance.now() - started) / 1000,
      status: body.status ?? 'measured',
      ...body,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`FAILED: ${message}`);
    result = {
      id: scenario.id,
      title: scenario.title,
      runs: base.runs,
      status: 'error',
      error: message.split('\n')[0]!.slice(0, 300),
      sizes: {},
      metrics: [],
      notes: [],
      why: [],
      elapsedSec: (performance.now() - started) / 1000,
    };
  } finally {
    clearTimeout(timer);
    await scope.dispose();
  }
  console.error(`  done in ${result.elapsedSec.toFixed(1)} s`);
  return result;
}

async function main(): Promise<void> {
  installProcessCleanup();
  if (values['compare-only']) return compare();
  const size = positiveInt(values.size, 100_000, 'size');
  const runs = positiveInt(values.runs, 3, 'runs');
  const deadlineMin = positiveInt(values.deadline, 25, 'deadline');
  const holders = positiveInt(values.holders, 5, 'holders');
  const only = values.only ? values.only.split(',').map((s) => s.trim().toLowerCase()) : null;
  const selected = only
    ? SCENARIOS.filter((s) => only.some((o) => s.id === o || s.id.startsWith(`${o}-`)))
    : SCENARIOS;
  if (selected.length === 0)
    throw new Error(`--only matched no scenario (${SCENARIOS.map((s) => s.id).join(', ')})`);
  setTimeout(() => {
    console.error(`bench: stopped by its own ${deadlineMin}-minute deadline`);
    process.exit(2);
  }, deadlineMin * 60_000).unref();

  const started = performance.now();
  const date = new Date().toISOString();
  const machine = machineInfo();
  console.error(`GPoW bench: size ${size}, ${runs} runs per scenario`);
  const buildStart = performance.now();
  if (selected.some((scenario) => scenario.ownData !== true)) {
    await largeLedger(size);
    console.error(
      `generated ${size.toLocaleString('en')} signed transfers in ${((performance.now() - buildStart) / 1000).toFixed(1)} s`,
    );
  }

  const scenarios: ScenarioResult[] = [];
  for (const scenario of selected) {
    scenarios.push(
      await runScenario(scenario, {
        size,
        runs,
        profile: values.profile,
        holders,
        archive: values.archive,
        large: largeLedger,
      }),
    );
  }
  const results: BenchResults = {
    version: 1,
    date,
    machine,
    options: { size, runs, only },
    durationSec: (performance.now() - started) / 1000,
    scenarios,
  };
  await mkdir(RESULTS_DIR, { recursive: true });
  if (only) {
    await writeFile(ONLY, `${JSON.stringify(results, null, 2)}\n`);
  } else {
    if (existsSync(LATEST)) await rename(LATEST, PREVIOUS);
    await writeFile(LATEST, `${JSON.stringify(results, null, 2)}\n`);
  }
  console.log(renderMarkdown(results));
  console.error(`\nsaved ${only ? ONLY : LATEST}`);
  if (values.compare && !only) {
    console.log('');
    await compare();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
