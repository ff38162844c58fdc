// 11. Fast-forward join (issue 17, docs/protocol.md §14.10): a fresh peer joins a network of N
// transactions whose founder, its only witness, certifies a checkpoint when it starts (its duty
// counts the history since the last one). The history is scenario 10's ring, where members spend
// what they are paid (at most 100,000 transactions): the bench's own ledger pays one sink that
// never spends, so its state keeps every credit and a snapshot spares nothing. Each run joins twice over real WebRTC on 127.0.0.1:
// once taking the certified state from the snapshot room (then replicating only in that
// checkpoint's epoch, §14.11), once with snapshots off (the whole history, served by the founder
// as an archive, as every join did before). Timed from spawning the joiner until its ledger holds the
// founder's chain up to the founder's latest transaction; with each joiner's peak RSS and the
// bytes it received. The anchor is the whole-history join measured in the same run.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { toHex } from '../../shared/bytes.ts';
import { seedDataDir } from '../lib/ledgerData.ts';
import { metric, ratios } from '../lib/metric.ts';
import { BenchPeer } from '../lib/peers.ts';
import { median, sleep } from '../lib/stats.ts';
import type { Scenario } from '../lib/types.ts';
import { identity } from '../../test/helpers/network.ts';
import { ringHistory, RING_WITNESS } from './compaction.ts';
import { SECRET, stableCount } from './initialSync.ts';

const MB = 1024 * 1024;

export const fastForward: Scenario = {
  id: 's11-fast-forward',
  title: 'Fast-forward join from a certified checkpoint',
  timeoutMs: 60 * 60_000,
  async run(ctx) {
    const ring = await ringHistory(Math.min(ctx.size, 100_000));
    const n = ring.txs.length;
    const large = {
      founder: identity(RING_WITNESS),
      genesis: ring.genesis,
      txs: ring.txs.map((tx) => tx.bytes),
    };
    const dir = await ctx.scope.tempDir('fast-forward');
    const founderDir = join(dir, 'founder');
    await seedDataDir(founderDir, large);
    const founder = await BenchPeer.spawn(
      ctx.scope,
      'founder',
      {
        dataDir: founderDir,
        networkId: large.genesis.id,
        secret: SECRET,
        relays: [],
        secretKey: toHex(large.founder.secret),
        witness: true,
        // It serves the whole history to the joins without a snapshot (the anchor).
        archive: true,
        checkpointEvery: Math.min(10_000, n),
        track: false,
      },
      { startTimeoutMs: 120_000 },
    );
    // A seeded log holds no seal of the founder's own chain, so it signs only after a full sync
    // from another member (docs/protocol.md §6.4.1): a first joiner gives it one, then leaves.
    const first = await BenchPeer.spawn(
      ctx.scope,
      'first',
      {
        dataDir: join(dir, 'first'),
        networkId: large.genesis.id,
        secret: SECRET,
        relays: [founder.started!.relayUrl!],
        snapshots: false,
        expectValid: n + 1,
        track: false,
      },
      { startTimeoutMs: 60_000 },
    );
    await first.waitEvent('all-valid', Math.max(300_000, n * 1.5));
    const certifiedBy = Date.now() + 300_000;
    while ((await founder.call<number>('certified')) < 1) {
      if (Date.now() > certifiedBy)
        throw new Error(
          `the founder certified no checkpoint: ${JSON.stringify(founder.events.slice(-5))}`,
        );
      await sleep(500);
    }
    ctx.log(`founder certified a checkpoint ${Date.now() - founder.spawnedAt} ms after spawning`);
    await first.stop();
    const target = await stableCount(founder, n + 1);
    const author = large.founder.key;
    const seq = await founder.call<number>('head', { author });
    ctx.log(`founder holds ${target} valid transactions, its chain at ${seq}`);
    const relays = [founder.started!.relayUrl!];

    const join1 = async (name: string, snapshots: boolean) => {
      const joiner = await BenchPeer.spawn(
        ctx.scope,
        name,
        {
          dataDir: join(dir, name),
          networkId: large.genesis.id,
          secret: SECRET,
          relays,
          snapshots,
          expectHead: { author, seq },
          track: false,
        },
        { startTimeoutMs: 60_000 },
      );
      const done = await joiner.waitEvent('at-head', Math.max(300_000, n * 1.5));
      const based = joiner.events.some((e) => e.type === 'fast-forward');
      if (based !== snapshots)
        throw new Error(
          `${name} ${based ? 'started' : 'did not start'} from the snapshot: ${JSON.stringify(joiner.events.filter((e) => e.type === 'warning'))}`,
        );
      // Then until the whole first sync came and went through: only then may it sign (§6.4.1).
      while (!(await joiner.call<{ synced: boolean }>('status')).synced) await sleep(100);
      const settledAt = await joiner.call<number>('settled', {}, 300_000);
      const usage = await joiner.call<{ maxRssBytes: number }>('usage');
      const links = await joiner.call<Array<{ bytesIn: number }>>('links');
      await joiner.stop();
      await rm(join(dir, name), { recursive: true, force: true });
      return {
        ms: Number(done.at) - joiner.spawnedAt,
        settled: settledAt - joiner.spawnedAt,
        rss: usage.maxRssBytes / MB,
        bytes: links.reduce((sum, l) => sum + l.bytesIn, 0) / MB,
        valid: Number(done.count),
      };
    };

    const r = {
      ff: [] as number[],
      full: [] as number[],
      ffSettled: [] as number[],
      fullSettled: [] as number[],
      ffRss: [] as number[],
      fullRss: [] as number[],
      ffBytes: [] as number[],
      fullBytes: [] as number[],
    };
    let held = { ff: 0, full: 0 };
    const runs = Math.max(ctx.runs, 3);
    for (let run = 0; run < runs; run++) {
      // Alternated, so that a slow stretch of the machine weighs on both alike.
      const ff = await join1(`ff-${run}`, true);
      const full = await join1(`full-${run}`, false);
      r.ff.push(ff.ms);
      r.full.push(full.ms);
      r.ffSettled.push(ff.settled);
      r.fullSettled.push(full.settled);
      r.ffRss.push(ff.rss);
      r.fullRss.push(full.rss);
      r.ffBytes.push(ff.bytes);
      r.fullBytes.push(full.bytes);
      held = { ff: ff.valid, full: full.valid };
      ctx.log(
        `run ${run + 1}: fast-forward ${(ff.ms / 1000).toFixed(1)} s (through ${(ff.settled / 1000).toFixed(1)} s), ${ff.rss.toFixed(0)} MB; whole history ${(full.ms / 1000).toFixed(1)} s (through ${(full.settled / 1000).toFixed(1)} s), ${full.rss.toFixed(0)} MB`,
      );
    }
    const ratio = median(ratios(r.ff, r.full));
    return {
      sizes: {
        transactions: n,
        target,
        ledgerAfterFastForward: held.ff,
        ledgerAfterFull: held.full,
      },
      primary: 'ff',
      anchor: { label: 'the same join taking the whole history', metric: 'full' },
      ratio: { label: 'fast-forward / whole history', metric: 'ratio' },
      // Issue 17 asks a join of 1M to cost ≤ 2× a join of 10k with the same state; this run
      // measures what the snapshot room spares now, with the history still sent whole.
      target: { text: 'faster than the whole-history join (< 1×)', pass: ratio < 1 },
      metrics: [
        metric('ff', 'fast-forward: spawn → at the founder’s head', 'ms', 'lower', r.ff),
        metric('full', 'whole history: spawn → at the founder’s head', 'ms', 'lower', r.full),
        metric('ratio', 'fast-forward / whole history', '×', 'lower', ratios(r.ff, r.full)),
        metric('ffSettled', 'fast-forward: spawn → first sync through', 'ms', 'lower', r.ffSettled),
        metric(
          'fullSettled',
          'whole history: spawn → first sync through',
          'ms',
          'lower',
          r.fullSettled,
        ),
        metric('ffRss', 'fast-forward: peak RSS', 'MB', 'lower', r.ffRss),
        metric('fullRss', 'whole history: peak RSS', 'MB', 'lower', r.fullRss),
        metric('ffBytes', 'fast-forward: received', 'MB', 'lower', r.ffBytes),
        metric('fullBytes', 'whole history: received', 'MB', 'lower', r.fullBytes),
      ],
      notes: [
        `founder seeded with ${n.toLocaleString('en')} transfers, proposing every ${Math.min(10_000, n).toLocaleString('en')}; it certifies a checkpoint at start, then joiners come, alternating, ${runs} runs each`,
        'the fast-forward joiner replicates only in the epoch of the checkpoint it took (protocol §14.11), so it receives the state and what followed the cut; the whole-history joiner gets the history from the founder, an archive (--archive keeps the first room open)',
      ],
      why: [],
    };
  },
};
