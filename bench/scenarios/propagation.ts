// 3. Propagation latency: from signing a transaction at one peer to having it applied (valid
// in the ledger) at every one of 10 peers, each a separate process over real WebRTC on
// 127.0.0.1. Each peer stamps Date.now() when its ledger accepts a transaction (the same clock
// for all processes, 1 ms resolution); the sender stamps just before it signs. One witness
// (the founder) votes as usual, so vote traffic flows too. Anchor: the one-way latency of a
// transaction-sized message over one data channel between two connections in this process.
import { metric, ratios } from '../lib/metric.ts';
import { collectTimes, identity, startNetwork, type Sent } from '../lib/network.ts';
import { median, percentile } from '../lib/stats.ts';
import type { Scenario } from '../lib/types.ts';
import { oneHopMs, openLink } from '../lib/wrtcLink.ts';

const PEERS = 10;
const PER_RUN = 100;
const INTERVAL_MS = 50;

export const propagation: Scenario = {
  id: 's3-propagation',
  title: 'Propagation latency (10 peers)',
  async run(ctx) {
    const founder = identity('bench-prop-founder');
    const sender = identity('bench-prop-sender');
    const sink = identity('bench-prop-sink');
    const net = await startNetwork(
      ctx,
      'prop',
      [
        { name: 'founder', identity: founder, witness: true },
        { name: 'sender', identity: sender },
        ...Array.from({ length: PEERS - 2 }, (_, i) => ({ name: `peer-${i + 2}` })),
      ],
      [[sender, 10n ** 12n]],
    );
    ctx.log(
      `mesh of ${net.peers.length} peers (degree ${net.meshDegree}) in ${net.meshSec.toFixed(1)} s`,
    );
    const link = await openLink(ctx.scope);
    const senderPeer = net.byName('sender');
    const others = net.peers.filter((p) => p !== senderPeer);

    const r = {
      p50: [] as number[],
      p99: [] as number[],
      max: [] as number[],
      local: [] as number[],
      firstRemote: [] as number[],
      hop: [] as number[],
    };
    let samples = 0;
    let missing = 0;
    for (let run = 0; run < ctx.runs; run++) {
      const sent = await senderPeer.call<Sent[]>(
        'send',
        { to: sink.key, count: PER_RUN, intervalMs: INTERVAL_MS },
        PER_RUN * INTERVAL_MS + 60_000,
      );
      const ids = sent.map((s) => s.id);
      const [local, ...remote] = await collectTimes(
        [senderPeer, ...others],
        ids,
        'accepted',
        30_000,
      );
      const everywhere: number[] = [];
      const first: number[] = [];
      sent.forEach((s, i) => {
        const times = remote.map((list) => list[i]);
        if (times.some((t) => t === null || t === undefined)) {
          missing++;
          return;
        }
        const ts = times as number[];
        everywhere.push(Math.max(...ts, local![i] ?? s.done) - s.at);
        first.push(Math.min(...ts) - s.at);
      });
      samples += everywhere.length;
      r.p50.push(percentile(everywhere, 50));
      r.p99.push(percentile(everywhere, 99));
      r.max.push(Math.max(...everywhere));
      r.local.push(median(sent.map((s, i) => (local![i] ?? NaN) - s.at)));
      r.firstRemote.push(median(first));
      r.hop.push(median(await oneHopMs(link, 300, 200)));
      ctx.log(`run ${run + 1}: p50 ${r.p50.at(-1)} ms, p99 ${r.p99.at(-1)} ms`);
    }
    const p99 = median(r.p99);
    const pass = p99 <= 250 && missing === 0;
    const why: string[] = [];
    if (!pass) {
      why.push(
        `median per run: signed → applied at the sender ${median(r.local).toFixed(0)} ms (compose, sign, verify, fsync), ` +
          `→ first other peer ${median(r.firstRemote).toFixed(0)} ms, → last of ${PEERS} ${median(r.p50).toFixed(0)} ms; ` +
          `${PEERS} processes share ${'the machine'}'s cores` +
          (missing > 0 ? `; ${missing} transactions never reached every peer within 30 s` : ''),
      );
    }
    return {
      sizes: {
        peers: net.peers.length,
        meshDegree: net.meshDegree,
        transactionsPerRun: PER_RUN,
        intervalMs: INTERVAL_MS,
      },
      primary: 'p99',
      also: ['p50'],
      anchor: { label: 'one data-channel hop (300 B, in-process)', metric: 'hop' },
      ratio: { label: 'p99 / hop', metric: 'ratio' },
      target: { text: 'p99 ≤ 250 ms', pass },
      metrics: [
        metric('p50', 'p50 signed → applied at all peers', 'ms', 'lower', r.p50),
        metric('p99', 'p99 signed → applied at all peers', 'ms', 'lower', r.p99),
        metric('max', 'max signed → applied at all peers', 'ms', 'lower', r.max),
        metric('local', 'median signed → applied at the sender', 'ms', 'lower', r.local),
        metric(
          'firstRemote',
          'median signed → applied at the first other peer',
          'ms',
          'lower',
          r.firstRemote,
        ),
        metric('hop', 'anchor: one-way data-channel latency', 'ms', 'lower', r.hop),
        metric('ratio', 'p99 / one hop', '×', 'lower', ratios(r.p99, r.hop)),
      ],
      notes: [
        `${samples} transactions measured (${PER_RUN} per run, one every ${INTERVAL_MS} ms, all from one peer); percentiles per run, then the median of the runs`,
        'timestamps: Date.now() in each peer process (one machine clock, 1 ms resolution); "applied" = accepted into that peer\'s ledger',
        `network formed (full mesh, genesis everywhere) in ${net.meshSec.toFixed(1)} s; not part of the figures`,
      ],
      why,
    };
  },
};
