// 12. Cold start after pruning (issue 17's P5, docs/protocol.md §14.12): for a small history
// (the anchor, at most 100,000 transactions) and the requested size, a founder, the network's
// only witness, is seeded with scenario 10's ring (members spend what they are paid, so the
// state stays the same size whatever the history; generated in linear time by
// bench/lib/fastRing.ts), certifies a checkpoint at start and prunes
// its log. Then a peer is started on that data directory again and again, timed from spawn until
// Peer.start resolved, with its peak RSS: a start that reads the state and the tail, not the
// history. The ratio is the start at the requested size over the start at the anchor's, in the
// same run; the target is ≤ 1.2× and under 300 MB.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LOG_FILE_NAME } from '../../node/storage/fileLogStore.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { metric, ratios } from '../lib/metric.ts';
import { ringFounder } from '../lib/ringFounder.ts';
import { BenchPeer } from '../lib/peers.ts';
import { median } from '../lib/stats.ts';
import type { BenchContext, Scenario } from '../lib/types.ts';
import { SECRET } from './initialSync.ts';

const MB = 1024 * 1024;
const ANCHOR = 100_000;

interface Pruned {
  readonly dataDir: string;
  readonly genesis: VerifiedTx;
  readonly dropped: number;
  readonly kept: number;
  readonly pruneMs: number;
  readonly logBytes: number;
}

/** Seeds a founder with `count` ring transactions, lets it certify and prune, and stops it. */
async function prunedFounder(ctx: BenchContext, count: number): Promise<Pruned> {
  const { founder, genesis, dataDir } = await ringFounder(ctx, count, 'pruned');
  const pruned = await founder.waitEvent('pruned', Math.max(300_000, count));
  const pruneMs = Date.now() - founder.spawnedAt;
  await founder.stop();
  const logBytes = (await stat(join(dataDir, LOG_FILE_NAME))).size;
  ctx.log(
    `founder of ${count.toLocaleString('en')} pruned at checkpoint ${String(pruned.n)} ${(pruneMs / 1000).toFixed(1)} s after spawning: ${String(pruned.dropped)} dropped, ${String(pruned.kept)} kept (${(logBytes / MB).toFixed(1)} MB of log)`,
  );
  return {
    dataDir,
    genesis,
    dropped: Number(pruned.dropped),
    kept: Number(pruned.kept),
    pruneMs,
    logBytes,
  };
}

/** Starts a peer on `pruned`'s directory `runs` times: ms to started, and peak RSS in MB. */
async function starts(ctx: BenchContext, pruned: Pruned, runs: number, label: string) {
  const ms: number[] = [];
  const rss: number[] = [];
  for (let run = 0; run < runs; run++) {
    const peer = await BenchPeer.spawn(
      ctx.scope,
      `start-${label}-${run}`,
      {
        dataDir: pruned.dataDir,
        networkId: pruned.genesis.id,
        secret: SECRET,
        relays: [],
        track: false,
      },
      { startTimeoutMs: 120_000 },
    );
    await peer.call('settled', {}, 120_000);
    const usage = await peer.call<{ maxRssBytes: number }>('usage');
    await peer.stop();
    ms.push(peer.startMarks.started! - peer.spawnedAt);
    rss.push(usage.maxRssBytes / MB);
  }
  ctx.log(`${label}: start ${median(ms)} ms, peak RSS ${median(rss).toFixed(0)} MB`);
  return { ms, rss };
}

export const prunedStart: Scenario = {
  id: 's12-pruned-start',
  title: 'Cold start after pruning the log',
  timeoutMs: 90 * 60_000,
  ownData: true,
  async run(ctx) {
    const anchorSize = Math.min(ANCHOR, ctx.size);
    const runs = Math.max(ctx.runs, 3);
    const small = await prunedFounder(ctx, anchorSize);
    const large = ctx.size === anchorSize ? small : await prunedFounder(ctx, ctx.size);
    // Alternated, so that a slow stretch of the machine weighs on both alike.
    const r = { small: [] as number[], large: [] as number[], rss: [] as number[] };
    for (let run = 0; run < runs; run++) {
      const a = await starts(ctx, small, 1, `${anchorSize.toLocaleString('en')}`);
      const b = await starts(ctx, large, 1, `${ctx.size.toLocaleString('en')}`);
      r.small.push(...a.ms);
      r.large.push(...b.ms);
      r.rss.push(...b.rss);
    }
    const ratio = median(ratios(r.large, r.small));
    const rssMb = median(r.rss);
    return {
      sizes: {
        transactions: ctx.size,
        anchorTransactions: anchorSize,
        dropped: large.dropped,
        kept: large.kept,
        logBytes: large.logBytes,
        anchorLogBytes: small.logBytes,
      },
      primary: 'large',
      also: ['rss'],
      anchor: {
        label: `the same start after pruning ${anchorSize.toLocaleString('en')}`,
        metric: 'small',
      },
      ratio: { label: 'start at the size / start at the anchor', metric: 'ratio' },
      target: { text: '≤ 1.2× the anchor and < 300 MB', pass: ratio <= 1.2 && rssMb < 300 },
      metrics: [
        metric(
          'large',
          `start after pruning ${ctx.size.toLocaleString('en')}`,
          'ms',
          'lower',
          r.large,
        ),
        metric(
          'small',
          `start after pruning ${anchorSize.toLocaleString('en')}`,
          'ms',
          'lower',
          r.small,
        ),
        metric(
          'ratio',
          'start at the size / at the anchor',
          '×',
          'lower',
          ratios(r.large, r.small),
        ),
        metric('rss', 'peak RSS at the size', 'MB', 'lower', r.rss),
        metric('prune', 'founder: spawn → log pruned', 'ms', 'lower', [large.pruneMs]),
      ],
      notes: [
        `the ring of scenario 10 (members spend what they are paid, one witness voting after each round); the founder certifies a checkpoint at start and prunes its log, dropping ${large.dropped.toLocaleString('en')} records and keeping ${large.kept.toLocaleString('en')} (${(large.logBytes / MB).toFixed(1)} MB)`,
        `${runs} starts of each pruned data directory, alternating, no identity, own relay on 127.0.0.1; process cold start with a warm OS file cache`,
      ],
      why: [],
    };
  },
};
