// A small network of bench peer processes on one machine, for the latency scenarios: a founder
// seeded with the genesis, and members that learn it from the founder (all meet through the
// founder's signaling relay on 127.0.0.1, so they form a full mesh).
import { join } from 'node:path';
import { toHex } from '../../shared/bytes.ts';
import { openFileLogStore } from '../../node/storage/fileLogStore.ts';
import { sealGenesis } from '../../shared/ledger/ownHead.ts';
import { genesisOf, identity, type TestIdentity } from '../../test/helpers/network.ts';
import { BenchPeer } from './peers.ts';
import { sleep } from './stats.ts';
import type { BenchContext } from './types.ts';

export interface Member {
  readonly name: string;
  /** Members with an identity can sign; witnesses vote. */
  readonly identity?: TestIdentity;
  readonly witness?: boolean;
}

export interface BenchNetwork {
  readonly peers: BenchPeer[];
  readonly byName: (name: string) => BenchPeer;
  /** Seconds until every peer held the genesis and saw all others. */
  readonly meshSec: number;
  readonly meshDegree: number;
  /** Where each peer keeps its data: join(dir, member name). */
  readonly dir: string;
}

/** Rules the genesis states beyond the members (test/helpers/network.ts's NetworkSpec). */
export interface NetworkRules {
  /** Each author's writing budget (docs/protocol.md §15); none unless given. */
  readonly budget?: { readonly every: number; readonly burst: number };
  /** The genesis's date (0 unless given). */
  readonly time?: number;
}

const SECRET = 'bench-latency-secret-0123456789abcdef';

export async function startNetwork(
  ctx: BenchContext,
  label: string,
  members: readonly Member[],
  allocations: ReadonlyArray<readonly [TestIdentity, bigint]>,
  execArgv: (name: string) => string[] = () => [],
  rules: NetworkRules = {},
): Promise<BenchNetwork> {
  const founder = members[0]!;
  if (!founder.identity) throw new Error('the founder needs an identity');
  const genesis = await genesisOf({
    founder: founder.identity,
    witnesses: members.filter((m) => m.witness).map((m) => m.identity!),
    allocations,
    ...rules,
  });
  const dir = await ctx.scope.tempDir(label);
  const founderDir = join(dir, founder.name);
  const store = await openFileLogStore(founderDir);
  await store.append([genesis.bytes]);
  // The founder's chain starts at its genesis: it may sign (vote) before anyone connects.
  await sealGenesis(store, genesis);
  await store.close();

  const spawn = (member: Member, relays: string[]) =>
    BenchPeer.spawn(
      ctx.scope,
      member.name,
      {
        dataDir: join(dir, member.name),
        networkId: genesis.id,
        secret: SECRET,
        relays,
        ...(member.identity ? { secretKey: toHex(member.identity.secret) } : {}),
        witness: member.witness ?? false,
      },
      { startTimeoutMs: 60_000, execArgv: execArgv(member.name) },
    );
  const started = Date.now();
  const first = await spawn(founder, []);
  const relays = [first.started!.relayUrl!];
  const rest = await Promise.all(members.slice(1).map((m) => spawn(m, relays)));
  const peers = [first, ...rest];
  // Wait for the full mesh, every peer holding the genesis.
  const want = peers.length - 1;
  let degree: number;
  const deadline = Date.now() + 90_000;
  for (;;) {
    const [counts, links] = await Promise.all([
      Promise.all(peers.map((p) => p.call<number>('count'))),
      Promise.all(peers.map((p) => p.call<number>('peers'))),
    ]);
    degree = Math.min(...links);
    if (counts.every((c) => c >= 1) && degree >= want) break;
    if (Date.now() > deadline) {
      if (counts.every((c) => c >= 1) && degree >= 1) break; // measure what we have; reported
      throw new Error(`no mesh after 90 s: links ${links.join(',')}, counts ${counts.join(',')}`);
    }
    await sleep(250);
  }
  const meshSec = (Date.now() - started) / 1000;
  // Let start-up work (first votes, persistence) settle before measuring.
  await sleep(1_000);
  return {
    peers,
    byName: (name) => peers.find((p) => p.name === name)!,
    meshSec,
    meshDegree: degree,
    dir,
  };
}

export interface Sent {
  readonly id: string;
  /** Date.now() at the sender just before signing. */
  readonly at: number;
  readonly done: number;
}

/**
 * Waits until every peer reports a time of `kind` for every id, and returns them per peer
 * (null where the time ran out).
 */
export async function collectTimes(
  peers: readonly BenchPeer[],
  ids: readonly string[],
  kind: 'accepted' | 'final',
  timeoutMs: number,
): Promise<Array<Array<number | null>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await Promise.all(
      peers.map((p) =>
        p.call<{ accepted: Array<number | null>; final: Array<number | null> }>('times', { ids }),
      ),
    );
    const times = all.map((t) => t[kind]);
    if (times.every((list) => list.every((t) => t !== null)) || Date.now() > deadline) return times;
    await sleep(200);
  }
}

export { identity };
