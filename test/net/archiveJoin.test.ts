// A newcomer joining a network whose only peer is an archive (docs/protocol.md §14.10, §14.11),
// over real WebRTC on 127.0.0.1: the archive, a witness that keeps the first room (the whole
// history) open beside its epoch, runs in its own process (bench/lib/peerChild.ts); the
// newcomer is an engine in this process, on a WebRTC that counts every byte it receives, in
// every room, closed links included. The newcomer passes through the first room while it looks
// in the snapshot room. It used to ask there at once, and the archive answered with its whole
// doc (bench s13 with an archive founder: joins of 51-53 s at 1,000,000 transactions). It must
// take the certified state and the tail, and receive less than the history the state spares it.
import wrtc from '@roamhq/wrtc';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PeerEngine } from '../../engine/peer.ts';
import type { EngineEvent } from '../../engine/events.ts';
import { installSafeWebSocket } from '../../node/net/safeWebSocket.ts';
import { startSignalingRelay } from '../../node/net/signalingRelay.ts';
import { tolerateYWebrtcRaces } from '../../node/net/yWebrtcRaces.ts';
import { nodeRandom } from '../../node/platform/nodeRandom.ts';
import { nodeClock, nodeTimers } from '../../node/platform/nodeTimers.ts';
import { nodeVerify } from '../../node/platform/nodeVerify.ts';
import { toHex } from '../../shared/bytes.ts';
import type { WrtcLike } from '../../shared/replication/guardedWrtc.ts';
import { MemoryLogStore } from '../../shared/storage/memoryStore.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { seedDataDir } from '../../bench/lib/ledgerData.ts';
import { installLoopbackOnly } from '../../bench/lib/loopbackOnly.ts';
import { BenchPeer } from '../../bench/lib/peers.ts';
import { Scope } from '../../bench/lib/scope.ts';
import { certifiedNetwork, witnesses } from '../helpers/certifiedLedger.ts';
import { countingWrtc } from '../helpers/countingWrtc.ts';

installLoopbackOnly(wrtc);
const SECRET = 'archive join secret';
const scope = new Scope();
const closing: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of closing.reverse()) await close();
  await scope.dispose();
}, 30_000);

async function until(what: string, ok: () => boolean | Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a newcomer joining through an archive', () => {
  it('takes the certified state without receiving the history', async () => {
    // A history the state spares a newcomer many times over (the state stays small).
    const net = await certifiedNetwork({ before: 60 });
    const history = net.full
      .validIds()
      .map((id) => net.full.get(id) as VerifiedTx)
      .filter((tx) => tx.id !== net.genesis.id);
    const historyBytes = history.reduce((sum, tx) => sum + tx.bytes.length, 0);
    const second = net.full.checkpoint(net.second)!;
    const relay = await startSignalingRelay({ host: '127.0.0.1', port: 0 });
    closing.push(() => relay.close());

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
      relays: [relay.url],
      secretKey: toHex(witnesses[0]!.secret),
      witness: true,
      archive: true,
      track: false,
    });
    // It replicates in the first room (the history) and in epoch 2.
    await until(
      'the archive replicates in epoch 0 and epoch 2',
      async () => {
        const epochs = (await archive.call<{ epochs?: number[] }>('status')).epochs;
        return epochs?.[0] === 0 && epochs.at(-1) === second.n;
      },
      30_000,
    );
    // Its duty offers the state at its next tick (every second) once computed (milliseconds here).
    await archive.call('settled', {}, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    installSafeWebSocket(() => undefined);
    tolerateYWebrtcRaces(() => undefined);
    const counted = countingWrtc(wrtc as unknown as WrtcLike);
    const events: EngineEvent[] = [];
    const verify = nodeVerify();
    const newcomer = new PeerEngine(
      {
        clock: nodeClock,
        timers: nodeTimers,
        random: nodeRandom,
        store: new MemoryLogStore(),
        wrtc: counted,
        signer: null,
        verify,
      },
      {
        networkId: net.genesis.id,
        secret: SECRET,
        relays: [relay.url],
        onEvent: (event) => events.push(event),
      },
    );
    closing.push(async () => {
      await newcomer.close();
      await verify.close();
    });
    await newcomer.open();

    const head = net.full.head(witnesses[1]!.key)!;
    await until(
      "the newcomer holds the latest witness's head",
      () => newcomer.ledger?.head(witnesses[1]!.key)?.seq === head.seq,
      40_000,
    );
    await until('its first sync through', () => newcomer.status().synced, 30_000);
    // A moment for anything the first room would still send.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    expect(events).toContainEqual({ type: 'fast-forward', n: second.n });
    expect(newcomer.status().epochs).toEqual([second.n]);
    for (const who of witnesses)
      expect(newcomer.ledger?.account(who.key).balance).toBe(net.full.account(who.key).balance);
    // The state, its certificate and the tail: not the history the state covers.
    console.info(
      `history ${historyBytes} bytes; the newcomer received ${counted.bytesIn()} bytes in all`,
    );
    expect(counted.bytesIn()).toBeLessThan(historyBytes / 2);
  }, 150_000);
});
