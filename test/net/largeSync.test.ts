// A new peer syncs a large ledger over real WebRTC. Plain y-webrtc cannot:
// it sends the whole document as one data-channel message, and a channel closes on any message
// over 256 KiB. Ours answers in pieces of about 2 MiB, each split into frames. Then the peer restarts from its own log, trusting its checkpoint.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openFileLogStore } from '../../node/storage/fileLogStore.ts';
import { writeCheckpoint } from '../../engine/logReplay.ts';
import { FRAME_PAYLOAD } from '../../shared/replication/frames.ts';
import { PIECE_BYTES } from '../../shared/replication/syncPieces.ts';
import { buildLargeLedger } from '../helpers/largeLedger.ts';
import { createCluster, PeerProcess, type Cluster, type PeerStatusView } from './cluster.ts';

/**
 * About 10 MB of doc: forty times what one data-channel message may carry, which is what this
 * test is about. The bench (`npm run bench -- --only s2`) measures syncs of 100k and more.
 */
const COUNT = 30_000;
/** A channel closes on a message over 256 KiB; ten times that many frames proves chunking. */
const MANY_FRAMES = ((256 * 1024) / FRAME_PAYLOAD) * 10;
let cluster: Cluster | undefined;

afterAll(async () => cluster?.close(), 60_000);

async function pollUntil(
  peer: PeerProcess,
  predicate: (s: PeerStatusView) => boolean,
  timeoutMs: number,
): Promise<PeerStatusView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await peer.call<PeerStatusView>('status', {}, 60_000);
    if (predicate(status)) return status;
    if (Date.now() > deadline)
      throw new Error(`${peer.name} stalled at ${JSON.stringify(status.transactions)}`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

describe('initial sync of a large ledger', () => {
  it(`a new peer syncs ${COUNT.toLocaleString('en')} transactions, then restarts from its log`, async () => {
    const large = await buildLargeLedger(COUNT);
    cluster = await createCluster({
      founder: large.founder,
      witnesses: [large.founder],
      allocations: [],
    });
    // createCluster made a genesis of its own; this test seeds the founder with the large one.
    const founderDir = join(cluster.dir, 'large-founder');
    const store = await openFileLogStore(founderDir);
    await store.append([large.genesis.bytes]);
    for (let i = 0; i < large.txs.length; i += 10_000)
      await store.append(large.txs.slice(i, i + 10_000));
    await writeCheckpoint(store, 1 + large.txs.length);
    await store.close();

    const spawn = (name: string, dataDir: string, relays: string[]) =>
      PeerProcess.spawn(
        name,
        {
          dataDir,
          networkId: large.genesis.id,
          secret: cluster!.secret,
          relays,
          identity: large.founder,
          witness: name === 'founder',
        },
        120_000,
      );
    const founder = await spawn('founder', founderDir, []);
    cluster.peers.push(founder);
    const seeded = await pollUntil(
      founder,
      (s) => (s.transactions?.valid ?? 0) >= COUNT + 1,
      120_000,
    );

    const joinerDir = join(cluster.dir, 'joiner');
    const joiner = await PeerProcess.spawn(
      'joiner',
      {
        dataDir: joinerDir,
        networkId: large.genesis.id,
        secret: cluster.secret,
        relays: [founder.started.relayUrl!],
      },
      60_000,
    );
    cluster.peers.push(joiner);
    const synced = await pollUntil(
      joiner,
      (s) => (s.transactions?.valid ?? 0) >= (seeded.transactions?.valid ?? Infinity),
      300_000,
    );
    await joiner.call('settled', {}, 120_000);
    const [a, b] = await Promise.all([
      founder.call<PeerStatusView>('status', {}, 60_000),
      joiner.call<PeerStatusView>('status', {}, 60_000),
    ]);
    expect(b.stateRoot).toBe(a.stateRoot);
    expect(synced.transactions!.rejected).toBe(0);
    // The big sync came as several messages (the answer's pieces, syncPieces.ts), each cut
    // into frames, none near the message limit: far more than one data-channel message allows
    // in all, no more than one piece in any one message.
    const receiving = joiner.events.filter((e) => e.type === 'receiving');
    const messages = receiving.filter((e) => Number(e.received) === 1).length;
    const frames = receiving.reduce((most, e) => Math.max(most, Number(e.total)), 0);
    expect(messages).toBeGreaterThanOrEqual(4);
    expect(messages * frames).toBeGreaterThan(MANY_FRAMES);
    expect(frames).toBeLessThanOrEqual(Math.ceil((PIECE_BYTES + 64 * 1024) / FRAME_PAYLOAD));
    // Along the way it said how far the whole sync had come, in entries (`gpow run` prints it).
    // Its total is what the founder stated in its own ask; a founder handed the joiner's ask
    // before 'connect' asks inside its answer (syncPolicy.ts), so the total comes first.
    const progress = joiner.events.filter((e) => e.type === 'sync-received');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(
      progress.some((e) => Number(e.total) >= COUNT && Number(e.done) > 0 && e.done !== e.total),
    ).toBe(true);

    // Restart: the log (with its checkpoint) restores the same state without the network.
    await joiner.stop();
    const restarted = await PeerProcess.spawn(
      'joiner-restarted',
      { dataDir: joinerDir, networkId: large.genesis.id, secret: cluster.secret, relays: [] },
      120_000,
    );
    cluster.peers.push(restarted);
    const again = await restarted.call<PeerStatusView>('status', {}, 60_000);
    expect(again.transactions!.valid).toBe(b.transactions!.valid);
    expect(again.stateRoot).toBe(b.stateRoot);
  }, 600_000);
});
