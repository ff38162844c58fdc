// 4. Finality latency: from signing a payment to seeing it final, with 4 witnesses online
// (quorum 3), each witness a peer process voting with the peer's default batching delay. The
// payer is a fifth peer; finality is stamped where the payer sees it, and where the last of
// the five peers does. Anchor: the engine's vote delay (1 s, engine/timing.ts, the same in the
// app) plus two one-way data-channel hops (payment to the witnesses, votes back), measured in
// this process.
import { metric, ratios } from '../lib/metric.ts';
import { collectTimes, identity, startNetwork, type Sent } from '../lib/network.ts';
import { median, percentile } from '../lib/stats.ts';
import type { Scenario } from '../lib/types.ts';
import { oneHopMs, openLink } from '../lib/wrtcLink.ts';
import { VOTE_DELAY_MS } from '../../engine/timing.ts';

const PER_RUN = 40;
const INTERVAL_MS = 150;

export const finality: Scenario = {
  id: 's4-finality',
  title: 'Finality latency (4 witnesses)',
  async run(ctx) {
    const witnesses = Array.from({ length: 4 }, (_, i) => identity(`bench-final-witness-${i}`));
    const payer = identity('bench-final-payer');
    const sink = identity('bench-final-sink');
    const net = await startNetwork(
      ctx,
      'final',
      [
        ...witnesses.map((w, i) => ({ name: `witness-${i}`, identity: w, witness: true })),
        { name: 'payer', identity: payer },
      ],
      [[payer, 10n ** 12n]],
    );
    ctx.log(
      `network of ${net.peers.length} peers (degree ${net.meshDegree}) in ${net.meshSec.toFixed(1)} s`,
    );
    const link = await openLink(ctx.scope);
    const payerPeer = net.byName('payer');
    const others = net.peers.filter((p) => p !== payerPeer);

    const r = {
      p50: [] as number[],
      p99: [] as number[],
      allP50: [] as number[],
      allP99: [] as number[],
      anchor: [] as number[],
    };
    let samples = 0;
    let missing = 0;
    for (let run = 0; run < ctx.runs; run++) {
      const sent = await payerPeer.call<Sent[]>(
        'send',
        { to: sink.key, count: PER_RUN, intervalMs: INTERVAL_MS },
        PER_RUN * INTERVAL_MS + 60_000,
      );
      const ids = sent.map((s) => s.id);
      const [atPayer, ...atOthers] = await collectTimes(
        [payerPeer, ...others],
        ids,
        'final',
        30_000,
      );
      const payerLat: number[] = [];
      const allLat: number[] = [];
      sent.forEach((s, i) => {
        const own = atPayer![i];
        const rest = atOthers.map((list) => list[i]);
        if (own === null || own === undefined || rest.some((t) => t === null || t === undefined)) {
          missing++;
          return;
        }
        payerLat.push(own - s.at);
        allLat.push(Math.max(own, ...(rest as number[])) - s.at);
      });
      samples += payerLat.length;
      r.p50.push(percentile(payerLat, 50));
      r.p99.push(percentile(payerLat, 99));
      r.allP50.push(percentile(allLat, 50));
      r.allP99.push(percentile(allLat, 99));
      r.anchor.push(VOTE_DELAY_MS + 2 * median(await oneHopMs(link, 300, 200)));
      ctx.log(`run ${run + 1}: p50 ${r.p50.at(-1)} ms, p99 ${r.p99.at(-1)} ms`);
    }
    const pass = median(r.p50) <= 500 && missing === 0;
    return {
      sizes: {
        witnesses: 4,
        quorum: 3,
        peers: net.peers.length,
        transactionsPerRun: PER_RUN,
        intervalMs: INTERVAL_MS,
      },
      primary: 'p50',
      also: ['p99'],
      anchor: { label: `${VOTE_DELAY_MS} ms vote delay + 2 hops`, metric: 'anchor' },
      ratio: { label: 'p50 / anchor', metric: 'ratio' },
      target: { text: 'p50 ≤ 500 ms', pass },
      metrics: [
        metric('p50', 'p50 signed → final at the payer', 'ms', 'lower', r.p50),
        metric('p99', 'p99 signed → final at the payer', 'ms', 'lower', r.p99),
        metric('allP50', 'p50 signed → final at all 5 peers', 'ms', 'lower', r.allP50),
        metric('allP99', 'p99 signed → final at all 5 peers', 'ms', 'lower', r.allP99),
        metric('anchor', 'anchor: vote delay + 2 one-way hops', 'ms', 'lower', r.anchor),
        metric('ratio', 'p50 / anchor', '×', 'lower', ratios(r.p50, r.anchor)),
      ],
      notes: [
        `${samples} payments measured (${PER_RUN} per run, one every ${INTERVAL_MS} ms); percentiles per run, then the median of the runs`,
        "final = covered by votes of 3 of the 4 witnesses, as the payer's own ledger sees it (Date.now() stamps, 1 ms resolution)",
        ...(missing > 0 ? [`${missing} payments were not final everywhere within 30 s`] : []),
      ],
      why: pass
        ? []
        : [
            `payer p50 ${median(r.p50).toFixed(0)} ms vs anchor ${median(r.anchor).toFixed(0)} ms; all-peer p50 ${median(r.allP50).toFixed(0)} ms`,
          ],
    };
  },
};
