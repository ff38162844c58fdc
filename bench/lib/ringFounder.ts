// A founder of the ring's network (bench/lib/fastRing.ts), seeded with `count` transactions as
// a running peer leaves its data directory (the log, its checkpoint count and the seal of the
// founder's chain), started as the network's only witness proposing a checkpoint every 10,000
// transactions: so it certifies one over the history when it starts. For s12 and s13.
import { join } from 'node:path';
import { toHex } from '../../shared/bytes.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { identity } from '../../test/helpers/network.ts';
import { SECRET } from '../scenarios/initialSync.ts';
import { fastRing, RING_WITNESS } from './fastRing.ts';
import { sealChain, seedDataDir } from './ledgerData.ts';
import { BenchPeer } from './peers.ts';
import type { BenchContext } from './types.ts';

export interface RingFounder {
  readonly founder: BenchPeer;
  readonly genesis: VerifiedTx;
  readonly transactions: number;
  /** The directory the founder's data directory is in (its joiners' go beside it). */
  readonly dir: string;
  readonly dataDir: string;
}

/** Where the founder runs: another relay than its own, and a command it runs inside (s14). */
export interface RingFounderPlace {
  readonly relays?: string[];
  readonly wrap?: readonly string[];
  /** Run it as an archive (gpow run --archive): it keeps the whole history and its room. */
  readonly archive?: boolean;
}

export async function ringFounder(
  ctx: BenchContext,
  count: number,
  label: string,
  maxLifetimeMs?: number,
  place: RingFounderPlace = {},
): Promise<RingFounder> {
  const generated = Date.now();
  const ring = await fastRing(count);
  ctx.log(
    `generated ${ring.txs.length.toLocaleString('en')} transactions in ${((Date.now() - generated) / 1000).toFixed(1)} s`,
  );
  const witness = identity(RING_WITNESS);
  const dir = await ctx.scope.tempDir(`${label}-${count}`);
  const dataDir = join(dir, 'founder');
  const large = { founder: witness, genesis: ring.genesis, txs: ring.txs.map((tx) => tx.bytes) };
  await seedDataDir(dataDir, large);
  await sealChain(dataDir, witness.key, ring.txs);
  const founder = await BenchPeer.spawn(
    ctx.scope,
    `founder-${count}`,
    {
      dataDir,
      networkId: ring.genesis.id,
      secret: SECRET,
      relays: place.relays ?? [],
      secretKey: toHex(witness.secret),
      witness: true,
      checkpointEvery: 10_000,
      track: false,
      ...(place.archive ? { archive: true } : {}),
      ...(maxLifetimeMs !== undefined ? { maxLifetimeMs } : {}),
    },
    { startTimeoutMs: 300_000, ...(place.wrap ? { wrap: place.wrap } : {}) },
  );
  return { founder, genesis: ring.genesis, transactions: ring.txs.length, dir, dataDir };
}
