// 13. Joining a long-lived network (issue 17's P8, docs/protocol.md §14.10–§14.11): two networks
// with the same state and histories of different lengths, 10,000 transactions (the anchor) and
// the requested size, each with s10's ring (members spend what they are paid; generated in
// linear time by bench/lib/fastRing.ts) and its founder, the only witness, certifying a
// checkpoint at start. A fresh peer joins each in turn over real WebRTC on 127.0.0.1, taking the
// certified state from the snapshot room, timed from spawn until its ledger holds the founder's
// chain up to its latest transaction and its first sync went through. The target: the join of
// the long network costs at most 2× the join of the short one.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { metric, ratios } from '../lib/metric.ts';
import { ringFounder, type RingFounderPlace } from '../lib/ringFounder.ts';
import { BenchPeer } from '../lib/peers.ts';
import { median, sleep } from '../lib/stats.ts';
import type { BenchContext, Scenario } from '../lib/types.ts';
import { identity } from '../../test/helpers/network.ts';
import { RING_WITNESS } from '../lib/fastRing.ts';
import { SECRET } from './initialSync.ts';

const MB = 1024 * 1024;
const ANCHOR = 10_000;

export interface Network {
  readonly n: number;
  readonly networkId: string;
  readonly relays: string[];
  readonly head: { author: string; seq: number };
  readonly dir: string;
}

/** A founder seeded with `count` ring transactions that has certified a checkpoint. */
export async function certifiedNetwork(
  ctx: BenchContext,
  count: number,
  place: RingFounderPlace = {},
): Promise<Network> {
  // The short network's founder waits while the long one is generated.
  const { founder, genesis, transactions, dir } = await ringFounder(
    ctx,
    count,
    'join',
    80 * 60_000,
    place,
  );
  const witness = identity(RING_WITNESS);
  const by = Date.now() + Math.max(300_000, count);
  while ((await founder.call<number>('certified')) < 1) {
    if (Date.now() > by)
      throw new Error(
        `founder of ${count} certified no checkpoint: ${JSON.stringify(founder.events.slice(-5))}`,
      );
    await sleep(500);
  }
  // The joins measure the newcomer's cost: the founder first finishes moving to the epoch of
  // its checkpoint (publishing the tail walks its whole doc) and checking and saving what it
  // holds. Measured 2026-12-07 without this wait: at 1M the founder was still busy, a first
  // join took 68 s and a second gave up on the snapshot room and took the whole history.
  // No archive: it prunes its log, and leaves the first room after the epoch's grace minute.
  // An archive (--archive) keeps the first room, with the whole history, beside epoch 1.
  const moved = (epochs: number[] | undefined) =>
    place.archive
      ? epochs?.length === 2 && epochs[0] === 0 && epochs[1]! >= 1
      : epochs?.length === 1 && epochs[0]! >= 1;
  while (!moved((await founder.call<{ epochs?: number[] }>('status')).epochs)) {
    if (Date.now() > by) throw new Error(`founder of ${count} did not move to epoch 1`);
    await sleep(500);
  }
  await founder.call('settled', {}, Math.max(300_000, count));
  ctx.log(
    `founder of ${count.toLocaleString('en')} moved to epoch 1 and settled ${Date.now() - founder.spawnedAt} ms after spawning`,
  );
  const seq = await founder.call<number>('head', { author: witness.key });
  return {
    n: transactions,
    networkId: genesis.id,
    relays: place.relays ?? [founder.started!.relayUrl!],
    head: { author: witness.key, seq },
    dir,
  };
}

/** A peer of `net` in its own directory beside the founder's, watching for the founder's head. */
export function spawnJoiner(
  ctx: BenchContext,
  net: Network,
  name: string,
  wrap?: readonly string[],
): Promise<BenchPeer> {
  return BenchPeer.spawn(
    ctx.scope,
    name,
    {
      dataDir: join(net.dir, name),
      networkId: net.networkId,
      secret: SECRET,
      relays: net.relays,
      expectHead: net.head,
      track: false,
    },
    { startTimeoutMs: 60_000, ...(wrap ? { wrap } : {}) },
  );
}

/** One join from the snapshot room: ms to the founder's head, to the first sync through. */
export async function joinOnce(
  ctx: BenchContext,
  net: Network,
  name: string,
  wrap?: readonly string[],
  keep = false,
) {
  const joiner = await spawnJoiner(ctx, net, name, wrap);
  const done = await joiner.waitEvent('at-head', 300_000);
  if (!joiner.events.some((e) => e.type === 'fast-forward'))
    throw new Error(
      `${name} did not start from the snapshot: ${JSON.stringify(joiner.events.slice(-5))}`,
    );
  while (!(await joiner.call<{ synced: boolean }>('status')).synced) await sleep(100);
  const settledAt = await joiner.call<number>('settled', {}, 300_000);
  const usage = await joiner.call<{ maxRssBytes: number }>('usage');
  const links = await joiner.call<Array<{ bytesIn: number }>>('links');
  const marks = await joiner.call<Record<string, number>>('marks');
  const since = (at: number | undefined) =>
    at === undefined ? '-' : `${((at - joiner.spawnedAt) / 1000).toFixed(1)} s`;
  ctx.log(
    `${name}: genesis ${since(marks.genesis)}, large message frames ${since(marks.firstFrame)} to ${since(marks.lastFrame)}`,
  );
  await joiner.stop();
  if (!keep) await rm(join(net.dir, name), { recursive: true, force: true });
  return {
    ms: Number(done.at) - joiner.spawnedAt,
    settled: settledAt - joiner.spawnedAt,
    rss: usage.maxRssBytes / MB,
    bytes: links.reduce((sum, l) => sum + l.bytesIn, 0) / MB,
  };
}

export const joinAtScale: Scenario = {
  id: 's13-join-at-scale',
  title: 'Joining a long-lived network from its certified state',
  timeoutMs: 90 * 60_000,
  ownData: true,
  async run(ctx) {
    const place = { archive: ctx.archive === true };
    const short = await certifiedNetwork(ctx, ANCHOR, place);
    const long = await certifiedNetwork(ctx, Math.max(ctx.size, ANCHOR), place);
    const r = {
      short: [] as number[],
      long: [] as number[],
      shortSettled: [] as number[],
      longSettled: [] as number[],
      rss: [] as number[],
      bytes: [] as number[],
    };
    const runs = Math.max(ctx.runs, 3);
    for (let run = 0; run < runs; run++) {
      // Alternated, so that a slow stretch of the machine weighs on both alike.
      const a = await joinOnce(ctx, short, `short-${run}`);
      const b = await joinOnce(ctx, long, `long-${run}`);
      r.short.push(a.ms);
      r.long.push(b.ms);
      r.shortSettled.push(a.settled);
      r.longSettled.push(b.settled);
      r.rss.push(b.rss);
      r.bytes.push(b.bytes);
      ctx.log(
        `run ${run + 1}: ${short.n.toLocaleString('en')}: ${(a.settled / 1000).toFixed(1)} s; ${long.n.toLocaleString('en')}: ${(b.settled / 1000).toFixed(1)} s, ${b.rss.toFixed(0)} MB, ${b.bytes.toFixed(2)} MB received`,
      );
    }
    const ratio = median(ratios(r.longSettled, r.shortSettled));
    return {
      sizes: { transactions: long.n, anchorTransactions: short.n },
      primary: 'longSettled',
      also: ['rss', 'bytes'],
      anchor: {
        label: `the same join of a ${short.n.toLocaleString('en')}-transaction network`,
        metric: 'shortSettled',
      },
      ratio: { label: 'long / short join', metric: 'ratio' },
      target: { text: '≤ 2× the short network’s join', pass: ratio <= 2 },
      metrics: [
        metric(
          'longSettled',
          `join of ${long.n.toLocaleString('en')}: spawn → first sync through`,
          'ms',
          'lower',
          r.longSettled,
        ),
        metric(
          'shortSettled',
          `join of ${short.n.toLocaleString('en')}: spawn → first sync through`,
          'ms',
          'lower',
          r.shortSettled,
        ),
        metric('ratio', 'long / short join', '×', 'lower', ratios(r.longSettled, r.shortSettled)),
        metric(
          'long',
          `join of ${long.n.toLocaleString('en')}: spawn → at the founder’s head`,
          'ms',
          'lower',
          r.long,
        ),
        metric(
          'short',
          `join of ${short.n.toLocaleString('en')}: spawn → at the founder’s head`,
          'ms',
          'lower',
          r.short,
        ),
        metric('rss', 'long join: peak RSS', 'MB', 'lower', r.rss),
        metric('bytes', 'long join: received over the network’s rooms', 'MB', 'lower', r.bytes),
      ],
      notes: [
        `two networks with the same state (s10's ring), ${short.n.toLocaleString('en')} and ${long.n.toLocaleString('en')} transactions of history, each founder the only witness and certifying a checkpoint at start; ${runs} joins of each from the snapshot room, alternating`,
      ],
      why: [],
    };
  },
};
