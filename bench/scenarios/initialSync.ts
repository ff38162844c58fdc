// 2. Initial sync: a fresh peer joins a network of N transactions over real WebRTC on
// 127.0.0.1 (peer processes, as test/net/largeSync.test.ts does), timed from spawning the
// joiner until its ledger holds every transaction (all validated). The floor, measured in the
// same run: the same sync message sent over one data channel between two @roamhq/wrtc
// connections in this process (16 KiB frames, the peers' send-buffer limits), plus verifying
// the N signatures natively on every core (raw node:crypto in worker threads).
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { toHex } from '../../shared/bytes.ts';
import { decodeAll, seedDataDir, syncStep2Message } from '../lib/ledgerData.ts';
import { metric, ratios } from '../lib/metric.ts';
import { BenchPeer } from '../lib/peers.ts';
import { childProfiles, cpuProfArgs } from '../lib/profile.ts';
import { median, sleep } from '../lib/stats.ts';
import type { Scenario } from '../lib/types.ts';
import { VerifyPool } from '../lib/verifyPool.ts';
import { openLink, sendFramed } from '../lib/wrtcLink.ts';

export const SECRET = 'bench-join-secret-0123456789abcdef';

/** Waits until a peer's valid count stops changing (a founder votes once after starting). */
export async function stableCount(peer: BenchPeer, atLeast: number): Promise<number> {
  let last = -1;
  let same = 0;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const count = await peer.call<number>('count', {}, 60_000);
    same = count === last && count >= atLeast ? same + 1 : 0;
    last = count;
    if (same >= 3) return count;
    await sleep(300);
  }
  throw new Error(`${peer.name}: the valid count did not settle (last ${last})`);
}

export const initialSync: Scenario = {
  id: 's2-initial-sync',
  title: 'Initial sync over WebRTC',
  // Five joins of the large size: at 800,000 transactions one takes minutes.
  timeoutMs: 60 * 60_000,
  async run(ctx) {
    const n = ctx.size;
    const large = await ctx.large(n);
    const dir = await ctx.scope.tempDir('sync');
    const founderDir = join(dir, 'founder');
    await seedDataDir(founderDir, large);
    const decoded = decodeAll(large.txs);
    const message = syncStep2Message(
      large,
      decoded.map((tx) => tx.id),
    );
    const cores = availableParallelism();
    const pool = await VerifyPool.start(ctx.scope, cores);
    const rawBatches = pool.split(decoded, 'raw');
    const link = await openLink(ctx.scope);
    await sendFramed(link, new Uint8Array(1024 * 1024)); // warm-up, not measured

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
        track: false,
      },
      { startTimeoutMs: 120_000 },
    );
    ctx.log(`founder started in ${Date.now() - founder.spawnedAt} ms`);
    const target = await stableCount(founder, n + 1);
    ctx.log(`founder holds ${target} valid transactions`);
    const relays = [founder.started!.relayUrl!];

    const spawnJoiner = (name: string, execArgv: string[] = []) =>
      BenchPeer.spawn(
        ctx.scope,
        name,
        {
          dataDir: join(dir, name),
          networkId: large.genesis.id,
          secret: SECRET,
          relays,
          expectValid: target,
          track: false,
        },
        { startTimeoutMs: 60_000, execArgv },
      );

    const r = {
      sync: [] as number[],
      floor: [] as number[],
      transfer: [] as number[],
      verify: [] as number[],
      connect: [] as number[],
      frames: [] as number[],
      screen: [] as number[],
      ingest: [] as number[],
    };
    let bytesIn = 0;
    // At least 5 joiners: the data channel's transfer of the same 35 MB varies by 2x from one
    // run to the next (0.4 s or 1.0 s), and 3 runs made the median a coin toss.
    const runs = Math.max(ctx.runs, 5);
    for (let run = 0; run < runs; run++) {
      const joiner = await spawnJoiner(`joiner-${run}`);
      // Past 300,000 transactions a join takes minutes (1.5 ms a transaction is generous).
      const done = await joiner.waitEvent('all-valid', Math.max(300_000, n * 1.5));
      const at = Number(done.at);
      const marks = await joiner.call<Record<string, number>>('marks');
      const links = await joiner.call<Array<{ bytesIn: number }>>('links');
      bytesIn = links.reduce((sum, l) => sum + l.bytesIn, 0);
      await joiner.stop();
      await rm(join(dir, joiner.name), { recursive: true, force: true });
      r.sync.push(at - joiner.spawnedAt);
      const first = marks.firstFrame ?? NaN;
      const last = marks.lastFrame ?? NaN;
      r.connect.push(first - joiner.spawnedAt);
      r.frames.push(last - first);
      r.screen.push((marks.genesis ?? NaN) - last);
      r.ingest.push(at - (marks.genesis ?? NaN));

      const transferMs = await sendFramed(link, message);
      const start = performance.now();
      const valid = await pool.verifyPacked(rawBatches);
      const verifyMs = performance.now() - start;
      if (valid !== n) throw new Error(`floor verified ${valid} of ${n}`);
      r.transfer.push(transferMs);
      r.verify.push(verifyMs);
      ctx.log(
        `run ${run + 1}: sync ${(r.sync.at(-1)! / 1000).toFixed(1)} s, floor transfer ${(transferMs / 1000).toFixed(1)} s + verify ${(verifyMs / 1000).toFixed(1)} s`,
      );
    }
    // The floor's transfer is the best of its runs: one data channel in this process has stalled
    // for seconds in some runs (0.7 s in one, 8 s in the next, for the same bytes), and a floor
    // slower than the joiner's own transfer is no floor. Noise only adds time, so the fastest run
    // is the closest to the limit; using it makes the ratio stricter, never kinder.
    const bestTransfer = Math.min(...r.transfer);
    for (const verifyMs of r.verify) r.floor.push(bestTransfer + verifyMs);

    const ratio = median(ratios(r.sync, r.floor));
    const pass = ratio <= 1.5;
    const s = (v: number[]) => `${(median(v) / 1000).toFixed(1)} s`;
    const why: string[] = [];
    if (!pass) {
      why.push(
        `joiner phases (median): spawn → first frame ${s(r.connect)} (boot, signaling, ICE, sync step 1), ` +
          `frames ${s(r.frames)}, last frame → genesis known ${s(r.screen)}, genesis → all valid ${s(r.ingest)} ` +
          `(screening decodes entries on the main thread while the worker-thread pool verifies them; each verified ` +
          `batch goes into the ledger at once, from the genesis on; then the Yjs update is applied and checked). ` +
          `Floor: transfer ${(bestTransfer / 1000).toFixed(1)} s (best run; median ${s(r.transfer)}), ` +
          `verify on ${cores} cores ${s(r.verify)}`,
      );
    }
    if (ctx.profile) {
      const profDir = join(dir, 'profile');
      const joiner = await spawnJoiner('joiner-profiled', cpuProfArgs(profDir));
      await joiner.waitEvent('all-valid', 300_000);
      await joiner.stop();
      for (const p of await childProfiles(profDir))
        why.push(`profile of the joiner (self time): ${p.top.join('; ')}`);
    }
    return {
      sizes: {
        transactions: n,
        target: target,
        syncMessageBytes: message.length,
        joinerBytesIn: bytesIn,
        floorThreads: cores,
      },
      primary: 'sync',
      anchor: {
        label: 'floor: one data channel (best run) + native verify on all cores',
        metric: 'floor',
      },
      ratio: { label: 'sync / floor', metric: 'ratio' },
      target: { text: '≤ 1.5× floor', pass },
      metrics: [
        metric('sync', 'spawn joiner → all valid', 'ms', 'lower', r.sync),
        metric('floor', 'floor (transfer + verify)', 'ms', 'lower', r.floor),
        metric('ratio', 'sync / floor', '×', 'lower', ratios(r.sync, r.floor)),
        metric('transfer', 'floor: sync message over one data channel', 'ms', 'lower', r.transfer),
        metric('verify', `floor: raw native verify on ${cores} threads`, 'ms', 'lower', r.verify),
        metric('connect', 'joiner: spawn → first frame', 'ms', 'lower', r.connect),
        metric('frames', 'joiner: first → last frame', 'ms', 'lower', r.frames),
        metric('screen', 'joiner: last frame → genesis known', 'ms', 'lower', r.screen),
        metric('ingest', 'joiner: genesis → all valid', 'ms', 'lower', r.ingest),
      ],
      notes: [
        `founder seeded with ${n.toLocaleString('en')} transfers + checkpoint, started once; a fresh joiner per run, ${runs} runs`,
        'the joiner is "fully validated" when its ledger holds as many valid transactions as the founder (incl. its vote)',
        'WebRTC restricted to 127.0.0.1 candidates by a harness shim (bench/lib/loopbackOnly.ts)',
      ],
      why,
    };
  },
};
