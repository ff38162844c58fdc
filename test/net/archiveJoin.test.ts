// Peers of a network whose only other peer is an archive (docs/protocol.md §14.10-§14.12), over
// real WebRTC on 127.0.0.1: the archive, a witness that keeps the first room (the whole history)
// open beside its epoch, runs in its own process (bench/lib/peerChild.ts); the peer under test is
// an engine in this process, on a WebRTC that counts every byte it receives, in every room,
// closed links included.
//
// - A newcomer passes through the first room while it looks in the snapshot room. It used to ask
//   there at once, and the archive answered with its whole doc (bench s13 with an archive
//   founder: joins of 51-53 s at 1,000,000 transactions). It must take the certified state and
//   the tail, and receive less than the history the state spares it.
// - A member that holds the history and is no witness prunes its log at the latest certified
//   checkpoint with the state the archive offers, computing none (engine/certifiedStates.ts).
import wrtc from '@roamhq/wrtc';
import { join } from 'node:path';
import type * as CutState from '../../shared/ledger/cutState.ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PeerEngine } from '../../engine/peer.ts';
import type { EngineEvent } from '../../engine/events.ts';
import { keySigner } from '../../engine/keySigner.ts';
import { installSafeWebSocket } from '../../node/net/safeWebSocket.ts';
import { startSignalingRelay } from '../../node/net/signalingRelay.ts';
import { tolerateYWebrtcRaces } from '../../node/net/yWebrtcRaces.ts';
import { nodeRandom } from '../../node/platform/nodeRandom.ts';
import { nodeClock, nodeTimers } from '../../node/platform/nodeTimers.ts';
import { nodeVerify } from '../../node/platform/nodeVerify.ts';
import { toHex } from '../../shared/bytes.ts';
import type { CheckpointRecord } from '../../shared/ledger/checkpoints.ts';
import { MemoryLogStore } from '../../shared/storage/memoryStore.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { seedDataDir } from '../../bench/lib/ledgerData.ts';
import { installLoopbackOnly } from '../../bench/lib/loopbackOnly.ts';
import { BenchPeer } from '../../bench/lib/peers.ts';
import { Scope } from '../../bench/lib/scope.ts';
import {
  alice,
  certifiedNetwork,
  witnesses,
  type CertifiedNetwork,
} from '../helpers/certifiedLedger.ts';
import { countingWrtc, type CountingWrtc } from '../helpers/countingWrtc.ts';
import type { TestIdentity } from '../helpers/network.ts';

const computed = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../shared/ledger/cutState.ts', async (importOriginal) => {
  const real = await importOriginal<typeof CutState>();
  return {
    ...real,
    checkpointState: (...args: Parameters<typeof real.checkpointState>) => {
      computed.count++;
      return real.checkpointState(...args);
    },
  };
});

installLoopbackOnly(wrtc);
const SECRET = 'archive join secret';
const scope = new Scope();
const closing: Array<() => Promise<void>> = [];
let net: CertifiedNetwork;
let history: VerifiedTx[];
let second: CheckpointRecord;
let relayUrl: string;

async function until(what: string, ok: () => boolean | Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  installSafeWebSocket(() => undefined);
  tolerateYWebrtcRaces(() => undefined);
  // A history the state spares a newcomer many times over (the state stays small).
  net = await certifiedNetwork({ before: 60 });
  history = net.full
    .validIds()
    .map((id) => net.full.get(id) as VerifiedTx)
    .filter((tx) => tx.id !== net.genesis.id);
  second = net.full.checkpoint(net.second)!;
  const relay = await startSignalingRelay({ host: '127.0.0.1', port: 0 });
  closing.push(() => relay.close());
  relayUrl = relay.url;
  const dataDir = join(await scope.tempDir('archive-join'), 'archive');
  await seedDataDir(dataDir, {
    founder: witnesses[0]!,
    genesis: net.genesis,
    txs: history.map((tx) => tx.bytes),
  });
  const archive = await BenchPeer.spawn(scope, 'archive', {
    dataDir,
    networkId: net.genesis.id,
    secret: SECRET,
    relays: [relayUrl],
    secretKey: toHex(witnesses[0]!.secret),
    witness: true,
    archive: true,
    track: false,
  });
  // It replicates in the first room (the history) and in epoch 2, and offers checkpoint 2's
  // state at its duty's next tick (every second) once computed (milliseconds here).
  await until(
    'the archive replicates in epoch 0 and epoch 2',
    async () => {
      const epochs = (await archive.call<{ epochs?: number[] }>('status')).epochs;
      return epochs?.[0] === 0 && epochs.at(-1) === second.n;
    },
    30_000,
  );
  await archive.call('settled', {}, 30_000);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
}, 120_000);

afterAll(async () => {
  for (const close of closing.reverse()) await close();
  await scope.dispose();
}, 30_000);

/** An engine in this process whose log holds `log`, on a byte-counting WebRTC. */
async function engine(log: readonly VerifiedTx[], who: TestIdentity | null, pruneAfter?: number) {
  const wrtcCounted: CountingWrtc = countingWrtc(wrtc as unknown as never);
  const events: EngineEvent[] = [];
  const verify = nodeVerify();
  const store = new MemoryLogStore();
  if (log.length > 0) await store.append(log.map((tx) => tx.bytes));
  const peer = new PeerEngine(
    {
      clock: nodeClock,
      timers: nodeTimers,
      random: nodeRandom,
      store,
      wrtc: wrtcCounted,
      signer: who ? keySigner(who.secret, 'self') : null,
      verify,
    },
    {
      networkId: net.genesis.id,
      secret: SECRET,
      relays: [relayUrl],
      ...(pruneAfter !== undefined ? { pruneAfter } : {}),
      onEvent: (event) => events.push(event),
    },
  );
  const close = async () => {
    await peer.close();
    await verify.close();
  };
  closing.push(close);
  await peer.open();
  return { peer, events, bytesIn: () => wrtcCounted.bytesIn(), close };
}

describe('joining through an archive', () => {
  it('a newcomer takes the certified state without receiving the history', async () => {
    const historyBytes = history.reduce((sum, tx) => sum + tx.bytes.length, 0);
    const { peer, events, bytesIn, close } = await engine([], null);
    const head = net.full.head(witnesses[1]!.key)!;
    await until(
      "the newcomer holds the latest witness's head",
      () => peer.ledger?.head(witnesses[1]!.key)?.seq === head.seq,
      40_000,
    );
    await until('its first sync through', () => peer.status().synced, 30_000);
    // A moment for anything the first room would still send.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    expect(events).toContainEqual({ type: 'fast-forward', n: second.n });
    expect(peer.status().epochs).toEqual([second.n]);
    for (const who of witnesses)
      expect(peer.ledger?.account(who.key).balance).toBe(net.full.account(who.key).balance);
    // The state, its certificate and the tail: not the history the state covers.
    console.info(`history ${historyBytes} bytes; the newcomer received ${bytesIn()} bytes in all`);
    expect(bytesIn()).toBeLessThan(historyBytes / 2);
    await close();
  }, 150_000);

  it('a member that is no witness prunes at the state the archive offers, computing none', async () => {
    computed.count = 0;
    const { peer, events, close } = await engine([net.genesis, ...history], alice, 1);
    await until('the member prunes its log', () => events.some((e) => e.type === 'pruned'), 40_000);
    expect(events.find((e) => e.type === 'pruned')).toMatchObject({ n: second.n });
    expect(computed.count).toBe(0);
    expect(peer.ledger?.account(alice.key)).toEqual(net.full.account(alice.key));
    await close();
  }, 150_000);
});
