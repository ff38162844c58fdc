// 16. A member floods (issue 19, docs/protocol.md §15): a 5-peer network founded with the
// default writing budget (one transaction per 500 ms of witness time, 120 at once), the
// founder its one witness, as in s3. An honest member pays once a second through three 60 s
// phases of one run: no flood (the anchor), then a member flooding 1-unit transfers as fast as
// it can through its own running peer (`send` in a loop), then the same member importing
// batches it signed offline with no budget check (bench/lib/flood.ts). Reported per phase: the
// flood's transactions accepted per second by every peer, the honest payments' finality at the
// payer (p50/p99, and their ratio to the no-flood phase), and the growth of the honest peers'
// RSS and data directory; then the bytes each flooded transaction costs an honest peer on disk,
// extrapolated to a day of flooding at the budget.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BUDGET_SKEW_MS, DEFAULT_BUDGET } from '../../shared/ledger/budget.ts';
import type { FloodReport } from '../lib/flood.ts';
import { metric } from '../lib/metric.ts';
import {
  collectTimes,
  identity,
  startNetwork,
  type BenchNetwork,
  type Sent,
} from '../lib/network.ts';
import type { BenchPeer } from '../lib/peers.ts';
import { median, percentile, sleep } from '../lib/stats.ts';
import type { Scenario } from '../lib/types.ts';

const PHASE_MS = 60_000;
const PAY_EVERY_MS = 1_000;
const MB = 1024 * 1024;
/** What the budget lets one author write in a day: 86,400 s / 0.5 s. */
const PER_DAY = 86_400_000 / DEFAULT_BUDGET.every;

async function dirBytes(path: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += await dirBytes(full);
    else if (entry.isFile()) total += (await stat(full)).size;
  }
  return total;
}

interface Phase {
  readonly latencies: number[];
  readonly missing: number;
  /** The flood's transactions each peer took, per second of the phase; lowest of all peers. */
  readonly everyPeerRate: number;
  readonly accepted: number;
  readonly report: FloodReport | null;
  /** Largest growth among the honest peers: RSS, and the heap after a collection. */
  readonly rssMB: number;
  readonly heapMB: number;
  readonly logKB: number;
  /** Median growth of the honest peers' data directories, in bytes. */
  readonly logBytes: number;
}

const heads = (peers: readonly BenchPeer[], author: string) =>
  Promise.all(peers.map((p) => p.call<number>('head', { author })));

/** Waits until every peer holds the flooder's chain as far as the flooder does (30 s at most). */
async function settledHeads(peers: readonly BenchPeer[], flooder: BenchPeer, author: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [own, all] = await Promise.all([
      flooder.call<number>('head', { author }),
      heads(peers, author),
    ]);
    if (all.every((h) => h === own) || Date.now() > deadline) return all;
    await sleep(250);
  }
}

async function runPhase(
  net: BenchNetwork,
  honest: readonly BenchPeer[],
  flooderKey: string,
  sinkKey: string,
  mode: FloodReport['mode'] | null,
): Promise<Phase> {
  const payer = net.byName('payer');
  const flooder = net.byName('flooder');
  const dirs = honest.map((p) => join(net.dir, p.name));
  const rss = () =>
    Promise.all(
      honest.map((p) =>
        p.call<{ rssBytes: number; heapUsedBytes: number; collected: boolean }>('usage', {
          gc: true,
        }),
      ),
    );
  const [rss0, log0, heads0] = await Promise.all([
    rss(),
    Promise.all(dirs.map(dirBytes)),
    heads(net.peers, flooderKey),
  ]);
  const count = PHASE_MS / PAY_EVERY_MS;
  const [sent, report] = await Promise.all([
    payer.call<Sent[]>(
      'send',
      { to: sinkKey, count, intervalMs: PAY_EVERY_MS },
      PHASE_MS + 120_000,
    ),
    mode
      ? flooder.call<FloodReport>(
          'flood',
          { mode, to: sinkKey, durationMs: PHASE_MS },
          PHASE_MS + 60_000,
        )
      : Promise.resolve(null),
  ]);
  const others = net.peers.filter((p) => p !== payer);
  const [atPayer] = await collectTimes(
    [payer, ...others],
    sent.map((s) => s.id),
    'final',
    30_000,
  );
  const latencies: number[] = [];
  let missing = 0;
  sent.forEach((s, i) => {
    const t = atPayer![i];
    if (t === null || t === undefined) missing++;
    else latencies.push(t - s.at);
  });
  const heads1 = await settledHeads(net.peers, flooder, flooderKey);
  const [rss1, log1] = await Promise.all([rss(), Promise.all(dirs.map(dirBytes))]);
  const took = heads1.map((h, i) => h - heads0[i]!);
  const seconds = (report?.ms ?? PHASE_MS) / 1000;
  const logGrowth = log1.map((b, i) => b - log0[i]!);
  const heapGrowth = rss1.map((u, i) => u.heapUsedBytes - rss0[i]!.heapUsedBytes);
  if (!rss1.every((u) => u.collected)) throw new Error('the peers ran without --expose-gc');
  return {
    latencies,
    missing,
    everyPeerRate: Math.min(...took) / seconds,
    accepted: Math.min(...took),
    report,
    rssMB: Math.max(...rss1.map((u, i) => u.rssBytes - rss0[i]!.rssBytes)) / MB,
    heapMB: Math.max(...heapGrowth) / MB,
    logKB: Math.max(...logGrowth) / 1024,
    logBytes: median(logGrowth),
  };
}

export const flood: Scenario = {
  id: 's16-flood',
  title: 'A member floods (writing budget)',
  ownData: true,
  timeoutMs: 12 * 60_000,
  async run(ctx) {
    const founder = identity('bench-flood-founder');
    const flooder = identity('bench-flood-flooder');
    const payer = identity('bench-flood-payer');
    const sink = identity('bench-flood-sink');
    const net = await startNetwork(
      ctx,
      'flood',
      [
        { name: 'founder', identity: founder, witness: true },
        { name: 'flooder', identity: flooder },
        { name: 'payer', identity: payer },
        { name: 'peer-3' },
        { name: 'peer-4' },
      ],
      [
        [flooder, 10n ** 12n],
        [payer, 10n ** 12n],
      ],
      // The peers can be asked to collect their heap before it is measured.
      () => ['--expose-gc'],
      { budget: DEFAULT_BUDGET, time: Date.now() },
    );
    ctx.log(
      `network of ${net.peers.length} peers (degree ${net.meshDegree}) in ${net.meshSec.toFixed(1)} s`,
    );
    const honest = net.peers.filter((p) => p.name !== 'flooder');
    const phase = async (mode: FloodReport['mode'] | null) => {
      const result = await runPhase(net, honest, flooder.key, sink.key, mode);
      ctx.log(
        `${mode ?? 'no flood'}: payments p50 ${percentile(result.latencies, 50)} ms, p99 ${percentile(result.latencies, 99)} ms; ` +
          `flood ${result.everyPeerRate.toFixed(2)} tx/s at every peer (${JSON.stringify(result.report?.refused ?? {})} refused); ` +
          `RSS +${result.rssMB.toFixed(1)} MB, heap +${result.heapMB.toFixed(1)} MB, data +${result.logKB.toFixed(0)} kB`,
      );
      return result;
    };
    const base = await phase(null);
    const send = await phase('send');
    const imported = await phase('import');
    return summary(base, send, imported, net.meshDegree);
  },
};

function summary(base: Phase, send: Phase, imported: Phase, degree: number) {
  const p = (ph: Phase, q: number) => percentile(ph.latencies, q);
  const ratio = (ph: Phase, q: number) => p(ph, q) / p(base, q);
  const flooded = send.accepted + imported.accepted;
  // What the flood added to an honest peer's disk beyond the honest payments every phase has.
  const bytesPerTx =
    flooded > 0 ? (send.logBytes + imported.logBytes - 2 * base.logBytes) / flooded : NaN;
  const missing = base.missing + send.missing + imported.missing;
  const pass = ratio(send, 99) <= 2 && ratio(imported, 99) <= 2 && missing === 0;
  const refused = (ph: Phase) =>
    Object.entries(ph.report?.refused ?? {})
      .map(([code, n]) => `${n} ${code}`)
      .join(', ') || 'none';
  const rows: Array<[string, string, string, number]> = [
    ['baseP50', 'honest payment p50 signed → final, no flood', 'ms', p(base, 50)],
    ['baseP99', 'honest payment p99 signed → final, no flood', 'ms', p(base, 99)],
    ['sendP50', 'honest p50 during the flood through its peer', 'ms', p(send, 50)],
    ['sendP99', 'honest p99 during the flood through its peer', 'ms', p(send, 99)],
    ['importP50', 'honest p50 during the imported flood', 'ms', p(imported, 50)],
    ['importP99', 'honest p99 during the imported flood', 'ms', p(imported, 99)],
    ['sendRatioP50', 'p50 during the flood through its peer / without', '×', ratio(send, 50)],
    ['sendRatioP99', 'p99 during the flood through its peer / without', '×', ratio(send, 99)],
    ['importRatioP50', 'p50 during the imported flood / without', '×', ratio(imported, 50)],
    ['importRatioP99', 'p99 during the imported flood / without', '×', ratio(imported, 99)],
    ['sendRate', 'flood through its peer: accepted by every peer', 'tx/s', send.everyPeerRate],
    ['importRate', 'imported flood: accepted by every peer', 'tx/s', imported.everyPeerRate],
    ['sendAccepted', 'flood through its peer: taken by every peer', 'tx', send.accepted],
    ['importAccepted', 'imported flood: taken by every peer', 'tx', imported.accepted],
    ['baseRssMB', 'largest honest RSS growth, no flood', 'MB', base.rssMB],
    ['sendRssMB', 'largest honest RSS growth, flood through its peer', 'MB', send.rssMB],
    ['importRssMB', 'largest honest RSS growth, imported flood', 'MB', imported.rssMB],
    ['baseHeapMB', 'largest honest heap growth (collected), no flood', 'MB', base.heapMB],
    ['sendHeapMB', 'largest honest heap growth, flood through its peer', 'MB', send.heapMB],
    ['importHeapMB', 'largest honest heap growth, imported flood', 'MB', imported.heapMB],
    ['baseLogKB', 'largest honest data growth, no flood', 'kB', base.logKB],
    ['sendLogKB', 'largest honest data growth, flood through its peer', 'kB', send.logKB],
    ['importLogKB', 'largest honest data growth, imported flood', 'kB', imported.logKB],
    ['bytesPerTx', 'honest data growth per flooded transaction', 'B', bytesPerTx],
    [
      'dayMB',
      `24 h at the budget (${PER_DAY} tx): data per honest peer`,
      'MB',
      (PER_DAY * bytesPerTx) / 1e6,
    ],
  ];
  return {
    sizes: {
      peers: 5,
      meshDegree: degree,
      phaseSec: PHASE_MS / 1000,
      every: DEFAULT_BUDGET.every,
      burst: DEFAULT_BUDGET.burst,
    },
    primary: 'importRatioP99',
    also: ['sendRatioP99', 'sendRate', 'importRate'],
    anchor: { label: 'honest p99 without a flood, same run', metric: 'baseP99' },
    ratio: { label: 'p99 during the imported flood / without', metric: 'importRatioP99' },
    target: { text: 'honest payment p99 during a flood ≤ 2× without', pass },
    metrics: rows.map(([key, label, unit, v]) => metric(key, label, unit, 'lower', [v])),
    notes: [
      `one run of three ${PHASE_MS / 1000} s phases in one network (no flood, then through its own peer, then imported); ${PHASE_MS / PAY_EVERY_MS} honest payments per phase, one a second; --runs does not repeat it`,
      `refused at the flooder's own peer: through its peer ${refused(send)}; imported ${refused(imported)} (after a refusal, the rest of a batch follows a refused predecessor)`,
      `the budget's bound: ${DEFAULT_BUDGET.burst} at once + the 60 s skew's worth (${BUDGET_SKEW_MS / DEFAULT_BUDGET.every}) once per chain + ${1000 / DEFAULT_BUDGET.every} per second of witness time: at most ${DEFAULT_BUDGET.burst + (BUDGET_SKEW_MS + PHASE_MS) / DEFAULT_BUDGET.every} in the first phase; the imported flood starts from a budget the first flood spent`,
      "finality = covered by the founder's vote (the one witness), as the payer sees it; data = every file under an honest peer's data directory; RSS and heap after each phase settled, the heap collected first (--expose-gc)",
      "per flooded transaction = (growth over the two flood phases − twice the no-flood phase's, median of honest peers) / flooded transactions; it includes the witness's votes on them",
      ...(missing > 0
        ? [`${missing} honest payments were not final at the payer within 30 s of the phase's end`]
        : []),
    ],
    why: pass
      ? []
      : [
          `p99 no flood ${p(base, 99)} ms, through its peer ${p(send, 99)} ms, imported ${p(imported, 99)} ms; ${missing} payments not final`,
        ],
  };
}
