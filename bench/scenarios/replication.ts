// 9. Replication waste (issue 17): how many bytes peers exchange, against the size of the log
// they replicate, over real WebRTC on 127.0.0.1. docs/performance.md has the baseline measured
// before the fixes (the doc kept across restarts, one ask at a time) and the figures since.
//
// Each run, with fresh processes and data directories:
//   A. one holder (the founder, seeded with the log and a checkpoint, as in s2) and a fresh
//      joiner: the bytes the joiner receives until every peer's traffic is quiet;
//   B. that joiner restarts on the same data directory (both peers then hold the same log): the
//      bytes each side receives on the new connection;
//   C. K − 1 more holders start, each from its own copy of the same seeded log (a peer that has
//      restarted since it got the log): their settle time, their bytes, their peak RSS;
//   D. a fresh joiner faces the K holders: its bytes received, against A's (1 holder).
// Bytes are the guarded data channel's counters (engine status `links`: bytes of every frame in
// and out, and whole messages delivered after screening) of the connections open at the end of
// each phase. A connection that closed before it was read is not counted (noted when it shows).
// The ideal: a joiner receives about one copy of the log whatever the number of holders, and a
// restart exchanges about nothing. The holders of phase C start without a saved replication
// doc (as every peer does once, on its first start with this version), so each publishes its
// log under its own Yjs client id, and their docs hold several entries per transaction.
import { cp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LOG_FILE_NAME } from '../../node/storage/fileLogStore.ts';
import { toHex } from '../../shared/bytes.ts';
import { decodeAll, seedDataDir, syncStep2Message } from '../lib/ledgerData.ts';
import { metric, ratios } from '../lib/metric.ts';
import { BenchPeer, type PeerChildOptions } from '../lib/peers.ts';
import { median, sleep } from '../lib/stats.ts';
import type { BenchContext, Scenario } from '../lib/types.ts';
import { SECRET, stableCount } from './initialSync.ts';

const MB = 1024 * 1024;
/** No frame in or out on any watched link for this long: the exchange is over. */
const QUIET_MS = 3_000;
const POLL_MS = 250;

interface LinkStats {
  readonly id: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly messagesIn: number;
}

interface Traffic {
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
}

const linksOf = (peer: BenchPeer): Promise<LinkStats[]> =>
  peer.call<LinkStats[]>('links', {}, 120_000);

/** Traffic on `after`'s links since `before` (a link absent from `before` counts from zero). */
function delta(after: readonly LinkStats[], before: readonly LinkStats[] = []): Traffic {
  const old = new Map(before.map((l) => [l.id, l]));
  const sum: Traffic = { bytesIn: 0, bytesOut: 0, messagesIn: 0 };
  for (const link of after) {
    const was = old.get(link.id);
    sum.bytesIn += link.bytesIn - (was?.bytesIn ?? 0);
    sum.bytesOut += link.bytesOut - (was?.bytesOut ?? 0);
    sum.messagesIn += link.messagesIn - (was?.messagesIn ?? 0);
  }
  return sum;
}

/** Links of `before` that are gone from `after` (their last traffic is lost). */
const closedSince = (after: readonly LinkStats[], before: readonly LinkStats[]): number =>
  before.filter((b) => !after.some((a) => a.id === b.id)).length;

interface Quiet {
  /** Every peer's links once the traffic stopped. */
  readonly links: LinkStats[][];
  /** Date.now() when the last change was seen. */
  readonly lastChange: number;
  readonly timedOut: boolean;
}

/**
 * Polls the peers' link counters until `ready` holds and nothing moved for QUIET_MS, then waits
 * for every peer to have checked and saved what it received, and checks once more.
 */
async function quiet(
  ctx: BenchContext,
  peers: readonly BenchPeer[],
  what: string,
  ready: (links: LinkStats[][]) => boolean,
  timeoutMs: number,
): Promise<Quiet> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let lastChange = Date.now();
  for (;;) {
    const links = await Promise.all(peers.map(linksOf));
    const signature = JSON.stringify(links);
    if (signature !== last) {
      last = signature;
      lastChange = Date.now();
    }
    const isReady = ready(links);
    if (isReady && Date.now() - lastChange >= QUIET_MS) {
      await Promise.all(peers.map((p) => p.call('settled', {}, 300_000)));
      const again = await Promise.all(peers.map(linksOf));
      if (JSON.stringify(again) === last) return { links: again, lastChange, timedOut: false };
      last = JSON.stringify(again);
      lastChange = Date.now();
    }
    if (Date.now() > deadline) {
      ctx.log(
        `${what}: not quiet${isReady ? '' : ' (nor connected as expected)'} after ${timeoutMs / 1000} s; measured as is`,
      );
      return { links, lastChange, timedOut: true };
    }
    await sleep(POLL_MS);
  }
}

const rssMB = async (peer: BenchPeer): Promise<number> =>
  (await peer.call<{ maxRssBytes: number }>('usage')).maxRssBytes / MB;

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

export const replication: Scenario = {
  id: 's9-replication',
  title: 'Replication waste (issue 17)',
  timeoutMs: 20 * 60_000,
  async run(ctx) {
    const n = ctx.size;
    const k = ctx.holders ?? 5;
    if (k < 2) throw new Error('--holders must be at least 2');
    const large = await ctx.large(n);
    const dir = await ctx.scope.tempDir('repl');
    const template = join(dir, 'template');
    await seedDataDir(template, large);
    const logBytes = (await stat(join(template, LOG_FILE_NAME))).size;
    const txBytes = large.txs.reduce((sum, tx) => sum + tx.length, large.genesis.bytes.length);
    const docBytes = syncStep2Message(
      large,
      decodeAll(large.txs).map((tx) => tx.id),
    ).length;

    const r = {
      join1: [] as number[],
      joinK: [] as number[],
      join1Msgs: [] as number[],
      joinKMsgs: [] as number[],
      join1Ms: [] as number[],
      joinKMs: [] as number[],
      joinKQuietMs: [] as number[],
      joinKOut: [] as number[],
      joinKNet: [] as number[],
      joinKLinks: [] as number[],
      join1Rss: [] as number[],
      joinKRss: [] as number[],
      restartIn: [] as number[],
      restartOther: [] as number[],
      restartMs: [] as number[],
      holdersSettle: [] as number[],
      holderIn: [] as number[],
      holdersRss: [] as number[],
    };
    const notes: string[] = [];
    let perHolder: number[] = [];
    let lost = 0;

    for (let run = 0; run < ctx.runs; run++) {
      const runDir = join(dir, `run-${run}`);
      const seeded = async (name: string) => {
        const to = join(runDir, name);
        await cp(template, to, { recursive: true });
        return to;
      };
      const spawn = (name: string, options: Omit<PeerChildOptions, 'networkId' | 'secret'>) =>
        BenchPeer.spawn(
          ctx.scope,
          `${name}-${run}`,
          { networkId: large.genesis.id, secret: SECRET, track: false, ...options },
          { startTimeoutMs: 120_000 },
        );

      // The founder holds the log and runs the relay everyone meets through.
      const h0 = await spawn('holder-0', {
        dataDir: await seeded('holder-0'),
        relays: [],
        secretKey: toHex(large.founder.secret),
        witness: true,
      });
      const target = await stableCount(h0, n + 1);
      const relays = [h0.started!.relayUrl!];

      // A. A fresh joiner, one holder.
      const joinerDir = join(runDir, 'joiner-1');
      const j1 = await spawn('joiner-1', { dataDir: joinerDir, relays, expectValid: target });
      const j1Done = Number((await j1.waitEvent('all-valid', 300_000)).at);
      const a = await quiet(ctx, [h0, j1], 'join, 1 holder', (l) => l[1]!.length >= 1, 300_000);
      const a1 = delta(a.links[1]!);
      r.join1.push(a1.bytesIn);
      r.join1Msgs.push(a1.messagesIn);
      r.join1Ms.push(j1Done - j1.spawnedAt);
      r.join1Rss.push(await rssMB(j1));

      // B. The joiner restarts; both sides hold the same log.
      const h0Before = a.links[0]!;
      await j1.stop();
      const j1b = await spawn('joiner-1-restarted', { dataDir: joinerDir, relays });
      const b = await quiet(
        ctx,
        [h0, j1b],
        'restart',
        (l) => l[1]!.length >= 1 && l[0]!.some((x) => !h0Before.some((y) => y.id === x.id)),
        300_000,
      );
      const other = b.links[0]!.filter((x) => !h0Before.some((y) => y.id === x.id));
      r.restartIn.push(delta(b.links[1]!).bytesIn);
      r.restartOther.push(delta(other).bytesIn);
      r.restartMs.push(b.lastChange - j1b.spawnedAt);
      await j1b.stop();

      // C. K − 1 more holders, each from its own copy of the log.
      const h0Mid = (await linksOf(h0)).filter((l) => h0Before.some((y) => y.id === l.id));
      const extraDirs = await Promise.all(
        Array.from({ length: k - 1 }, (_, i) => seeded(`holder-${i + 1}`)),
      );
      const holdersAt = Date.now();
      const extra = await Promise.all(
        extraDirs.map((dataDir, i) => spawn(`holder-${i + 1}`, { dataDir, relays })),
      );
      const holders = [h0, ...extra];
      const c = await quiet(
        ctx,
        holders,
        `${k} holders meeting`,
        (l) => l.every((links) => links.length >= k - 1),
        300_000,
      );
      r.holdersSettle.push(c.lastChange - holdersAt);
      const holderTraffic = c.links.map((links, i) => delta(links, i === 0 ? h0Mid : []));
      r.holderIn.push(median(holderTraffic.map((t) => t.bytesIn)));
      const holderCounts = await Promise.all(holders.map((h) => h.call<number>('count')));
      if (holderCounts.some((count) => count < target))
        notes.push(
          `run ${run + 1}: holders' valid counts ${holderCounts.join(', ')} (expected ${target})`,
        );

      // D. A fresh joiner facing the K holders.
      const jk = await spawn(`joiner-${k}`, {
        dataDir: join(runDir, `joiner-${k}`),
        relays,
        expectValid: target,
      });
      const jkDone = Number((await jk.waitEvent('all-valid', 300_000)).at);
      const d = await quiet(
        ctx,
        [...holders, jk],
        `join, ${k} holders`,
        (l) => l[k]!.length >= k,
        300_000,
      );
      const jkLinks = d.links[k]!;
      const dk = delta(jkLinks);
      r.joinK.push(dk.bytesIn);
      r.joinKMsgs.push(dk.messagesIn);
      r.joinKOut.push(dk.bytesOut);
      r.joinKLinks.push(jkLinks.length);
      r.joinKMs.push(jkDone - jk.spawnedAt);
      r.joinKQuietMs.push(d.lastChange - jk.spawnedAt);
      r.joinKNet.push(
        holders.reduce((sum, _h, i) => sum + delta(d.links[i]!, c.links[i]).bytesIn, dk.bytesIn),
      );
      r.joinKRss.push(await rssMB(jk));
      r.holdersRss.push(Math.max(...(await Promise.all(holders.map(rssMB)))));
      perHolder = jkLinks.map((l) => l.bytesIn).sort((x, y) => y - x);
      lost += holders.reduce((sum, _h, i) => sum + closedSince(d.links[i]!, c.links[i]!), 0);
      for (const q of [a, b, c, d])
        if (q.timedOut)
          notes.push(`run ${run + 1}: a phase did not go quiet in time (see the log)`);

      ctx.log(
        `run ${run + 1}: joiner received ${mb(a1.bytesIn)} from 1 holder, ${mb(dk.bytesIn)} from ${jkLinks.length} holders ` +
          `(log ${mb(logBytes)}); restart: restarted peer ${mb(r.restartIn.at(-1)!)}, other side ${mb(r.restartOther.at(-1)!)}; ` +
          `${k} holders settled in ${((c.lastChange - holdersAt) / 1000).toFixed(1)} s`,
      );
      await Promise.all([jk, ...extra, h0].map((p) => p.stop()));
      await rm(runDir, { recursive: true, force: true });
    }

    const toLog = (v: number[]) => v.map((x) => x / logBytes);
    if (lost > 0)
      notes.push(
        `${lost} connection(s) closed during a measured phase: their traffic is not counted`,
      );
    notes.unshift(
      `log ${logBytes.toLocaleString('en')} bytes on disk (${txBytes.toLocaleString('en')} bytes of signed transactions); ` +
        `one holder's whole doc as one sync message: ${docBytes.toLocaleString('en')} bytes`,
      `${k} holders: the founder, then ${k - 1} peers each started from its own copy of the same log and no saved replication doc (as a peer's first start with this version); they meet before the joiner comes`,
      `restart: the 1-holder joiner, once synced and saved, restarts on its data directory; bytes on the new connection, each side`,
      `bytes are the data channels' frames (engine status links), read once no frame moved on any watched link for ${QUIET_MS / 1000} s and every peer settled; ` +
        'messages are whole messages delivered after screening; frame counts are not in the status',
      `last run, bytes the ${k}-holder joiner got from each holder: ${perHolder.map(mb).join(', ')}`,
      "ideal (issue 17): a joiner gets about one copy of the log whatever the number of holders; a restart exchanges about nothing. Phase C's holders start without a saved replication doc (a peer's first start with this version)",
    );
    return {
      sizes: {
        transactions: n,
        holders: k,
        logBytes,
        docMessageBytes: docBytes,
      },
      primary: 'joinK',
      also: ['joinKLog', 'join1Log', 'restartInLog', 'restartOtherLog'],
      anchor: { label: 'joiner bytes in, 1 holder', metric: 'join1' },
      ratio: { label: `${k} holders / 1 holder`, metric: 'ratioK1' },
      metrics: [
        metric('joinK', `joiner bytes in, ${k} holders`, 'B', 'lower', r.joinK),
        metric('join1', 'joiner bytes in, 1 holder', 'B', 'lower', r.join1),
        metric(
          'ratioK1',
          `joiner bytes in, ${k} holders / 1 holder`,
          '×',
          'lower',
          ratios(r.joinK, r.join1),
        ),
        metric('joinKLog', `joiner bytes in, ${k} holders / log`, '×', 'lower', toLog(r.joinK)),
        metric('join1Log', 'joiner bytes in, 1 holder / log', '×', 'lower', toLog(r.join1)),
        metric('join1Msgs', 'joiner messages in, 1 holder', 'messages', 'lower', r.join1Msgs),
        metric('joinKMsgs', `joiner messages in, ${k} holders`, 'messages', 'lower', r.joinKMsgs),
        metric(
          'joinKOut',
          `joiner bytes out, ${k} holders (forwarded to the other holders)`,
          'B',
          'lower',
          r.joinKOut,
        ),
        metric(
          'joinKNet',
          `bytes in at every peer during the ${k}-holder join`,
          'B',
          'lower',
          r.joinKNet,
        ),
        metric(
          'joinKLinks',
          `holders the joiner was connected to`,
          'links',
          'higher',
          r.joinKLinks,
        ),
        metric('join1Ms', 'joiner spawn → all valid, 1 holder', 'ms', 'lower', r.join1Ms),
        metric('joinKMs', `joiner spawn → all valid, ${k} holders`, 'ms', 'lower', r.joinKMs),
        metric(
          'joinKQuietMs',
          `joiner spawn → last frame, ${k} holders`,
          'ms',
          'lower',
          r.joinKQuietMs,
        ),
        metric('join1Rss', 'joiner peak RSS, 1 holder', 'MB', 'lower', r.join1Rss),
        metric('joinKRss', `joiner peak RSS, ${k} holders`, 'MB', 'lower', r.joinKRss),
        metric('restartIn', 'restart: restarted peer bytes in', 'B', 'lower', r.restartIn),
        metric('restartOther', 'restart: other side bytes in', 'B', 'lower', r.restartOther),
        metric(
          'restartInLog',
          'restart: restarted peer bytes in / log',
          '×',
          'lower',
          toLog(r.restartIn),
        ),
        metric(
          'restartOtherLog',
          'restart: other side bytes in / log',
          '×',
          'lower',
          toLog(r.restartOther),
        ),
        metric('restartMs', 'restart: spawn → last frame', 'ms', 'lower', r.restartMs),
        metric(
          'holdersSettle',
          `${k - 1} holders spawned → ${k} holders quiet`,
          'ms',
          'lower',
          r.holdersSettle,
        ),
        metric(
          'holderIn',
          `bytes in per holder while the ${k} holders meet (median)`,
          'B',
          'lower',
          r.holderIn,
        ),
        metric(
          'holderInLog',
          `bytes in per holder while the ${k} holders meet / log`,
          '×',
          'lower',
          toLog(r.holderIn),
        ),
        metric('holdersRss', 'holders peak RSS (largest, end of run)', 'MB', 'lower', r.holdersRss),
      ],
      notes,
      why: [],
    };
  },
};
