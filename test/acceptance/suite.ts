// The peer acceptance suite: what a peer must do, whatever platform runs its engine. The same
// scenarios run against Node (test/net/acceptance.node.test.ts) and Chromium
// (test/e2e/acceptance.chromium.test.ts), as automerge-repo runs one suite per adapter. The
// subject is the platform's peer; the peers around it are Node processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../shared/bytes.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import type { TxId } from '../../shared/ids.ts';
import { join } from 'node:path';
import { writeCheckpoint } from '../../engine/logReplay.ts';
import { openFileLogStore } from '../../node/storage/fileLogStore.ts';
import { buildLargeLedger } from '../helpers/largeLedger.ts';
import { identity, type TestIdentity } from '../helpers/network.ts';
import { createCluster, eventually, PeerProcess, type Cluster } from '../net/cluster.ts';
import type { SubjectStatus } from './commands.ts';
import type { Platform, Subject } from './platforms.ts';

const SYNC_MS = 45_000;

interface Account {
  readonly available: string;
  readonly pending: string;
}

export function peerAcceptance(platformName: string, open: () => Promise<Platform>): void {
  describe(`the peer on ${platformName}`, () => {
    let platform: Platform;
    const clusters: Cluster[] = [];

    beforeAll(async () => {
      platform = await open();
    }, 180_000);
    afterAll(async () => {
      await Promise.all(clusters.map((c) => c.close()));
      await platform?.close();
    }, 60_000);

    /** A network whose founder (a Node peer) is its only witness, with money for `funded`. */
    async function network(name: string, funded: readonly TestIdentity[]) {
      const founder = identity(`${name}-founder`);
      const cluster = await createCluster({
        founder,
        witnesses: [founder],
        allocations: [[founder, 1_000n], ...funded.map((who) => [who, 500n] as const)],
      });
      clusters.push(cluster);
      const founderPeer = await cluster.spawnPeer('founder', founder, {
        relays: [platform.relayUrl],
        wrap: platform.wrap,
      });
      return { cluster, founder, founderPeer };
    }

    const statusOf = (subject: Subject) => subject.call<SubjectStatus>('settled');
    const sameAs = async (subject: Subject, other: PeerProcess) => {
      const theirs = await other.status();
      const ours = await statusOf(subject);
      return ours.stateRoot !== null && ours.stateRoot === theirs.stateRoot;
    };

    it('joins a network with nothing stored and syncs to the same state', async () => {
      const me = identity(`${platformName}-joiner`);
      const { cluster, founderPeer } = await network(`${platformName}-join`, [me]);
      // History before we arrive: a payment from the founder, final by its vote.
      const paid = await founderPeer.call<TxId>('transfer', { to: me.key, amount: '25' });
      await eventually(() => founderPeer.call<boolean>('isFinal', { id: paid }), Boolean);
      const subject = await platform.startSubject('joiner', {
        networkId: cluster.genesis.id,
        secret: cluster.secret,
        identity: me,
      });
      expect(await eventually(() => sameAs(subject, founderPeer), Boolean, SYNC_MS)).toBe(true);
      const account = await subject.call<Account>('balance', { key: me.key });
      expect(account.available).toBe('525');
      expect((await statusOf(subject)).synced).toBe(true);
      await subject.stop();
    });

    it('joins a network with a long history, its signatures checked on the platform’s threads', async () => {
      // 5,000 transactions arrive in one sync message: far over the pool's inline limit, so
      // the checks go to worker threads (Node) or Web Workers (Chromium).
      const large = await buildLargeLedger(5_000, 50);
      const cluster = await createCluster({
        founder: large.founder,
        witnesses: [large.founder],
        allocations: [],
      });
      clusters.push(cluster);
      const founderDir = join(cluster.dir, 'large-founder');
      const store = await openFileLogStore(founderDir);
      await store.append([large.genesis.bytes, ...large.txs]);
      await writeCheckpoint(store, 1 + large.txs.length);
      await store.close();
      const founderPeer = await PeerProcess.spawn('large-founder', {
        dataDir: founderDir,
        networkId: large.genesis.id,
        secret: cluster.secret,
        relays: [platform.relayUrl],
        identity: large.founder,
        wrap: platform.wrap,
      });
      cluster.peers.push(founderPeer);
      const subject = await platform.startSubject('large-joiner', {
        networkId: large.genesis.id,
        secret: cluster.secret,
      });
      expect(await eventually(() => sameAs(subject, founderPeer), Boolean, 90_000)).toBe(true);
      const joined = await statusOf(subject);
      expect(joined.counts?.valid).toBe(5_001);
      // Restarted, it resumes the replication doc it kept (engine/replica.ts): the link sends
      // it only what it lacks, not the history again (about 2 MB here).
      await subject.restart();
      const resumed = await eventually(
        () => statusOf(subject),
        (s) => s.peers > 0 && s.synced,
        SYNC_MS,
      );
      expect(resumed.counts).toEqual(joined.counts);
      expect(joined.bytesIn).toBeGreaterThan(1_000_000);
      expect(resumed.bytesIn).toBeLessThan(joined.bytesIn / 50);
      await subject.stop();
    }, 150_000);

    it('signs while offline, and publishes when it is back online', async () => {
      const me = identity(`${platformName}-offline`);
      const { cluster, founder, founderPeer } = await network(`${platformName}-offline`, [me]);
      const subject = await platform.startSubject('offline', {
        networkId: cluster.genesis.id,
        secret: cluster.secret,
        identity: me,
      });
      await eventually(() => sameAs(subject, founderPeer), Boolean, SYNC_MS);
      await subject.call('offline');
      const id = await subject.call<TxId>('transfer', { to: founder.key, amount: '40' });
      expect((await subject.call<{ state: string }>('txStatus', { id })).state).toBe('pending');
      // Nobody else has it while we are offline.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect((await founderPeer.call<{ state: string }>('statusOf', { id })).state).toBe('unknown');
      await subject.call('online');
      // Back online, it reaches the witness, whose vote makes it final here too.
      expect(
        await eventually(() => subject.call<boolean>('isFinal', { id }), Boolean, SYNC_MS),
      ).toBe(true);
      expect((await subject.call<Account>('balance', { key: me.key })).available).toBe('460');
      await subject.stop();
    });

    it('votes as a witness, which makes others’ payments final', async () => {
      const me = identity(`${platformName}-witness`);
      const payer = identity(`${platformName}-payer`);
      const founder = identity(`${platformName}-wfounder`);
      const cluster = await createCluster({
        founder,
        witnesses: [me],
        allocations: [[payer, 300n]],
      });
      clusters.push(cluster);
      const founderPeer = await cluster.spawnPeer('wfounder', founder, {
        relays: [platform.relayUrl],
        wrap: platform.wrap,
      });
      const payerPeer = await cluster.spawnPeer('payer', payer, {
        relays: [platform.relayUrl],
        wrap: platform.wrap,
      });
      const subject = await platform.startSubject('witness', {
        networkId: cluster.genesis.id,
        secret: cluster.secret,
        identity: me,
        witness: true,
      });
      await eventually(() => sameAs(subject, founderPeer), Boolean, SYNC_MS);
      const id = await payerPeer.call<TxId>('transfer', { to: founder.key, amount: '30' });
      // Only the subject votes: the payment is final at the payer once its vote arrives.
      expect(
        await eventually(() => payerPeer.call<boolean>('isFinal', { id }), Boolean, SYNC_MS),
      ).toBe(true);
      expect(await subject.call<boolean>('isFinal', { id })).toBe(true);
      await subject.stop();
    });

    it('refuses hostile input with a sentence, and its ledger does not change', async () => {
      const me = identity(`${platformName}-guard`);
      const { cluster, founder, founderPeer } = await network(`${platformName}-hostile`, [me]);
      const subject = await platform.startSubject('guard', {
        networkId: cluster.genesis.id,
        secret: cluster.secret,
        identity: me,
      });
      await eventually(() => sameAs(subject, founderPeer), Boolean, SYNC_MS);
      const before = await statusOf(subject);
      // Our first payment, of more than we have: signed, then with its signature's last byte
      // changed (refused for the signature), and as it is (refused by the ledger's rules).
      const overspend = signTx(me.secret, {
        net: cluster.genesis.id,
        seq: 1,
        prev: cluster.genesis.id,
        deps: [],
        type: 'transfer',
        body: { to: Uint8Array.from(Buffer.from(founder.key, 'hex')), amount: 10_000n },
        time: 1,
      });
      const forged = overspend.slice();
      forged[forged.length - 1]! ^= 1;
      await expect(subject.call('import', { hex: toHex(forged) })).rejects.toThrow(/signature/);
      await expect(subject.call('import', { hex: toHex(overspend) })).rejects.toThrow(/\w+ \w+/);
      const garbage = toHex(new Uint8Array([0xa1, 0x00, 0xff, 0x13]));
      await expect(subject.call('import', { hex: garbage })).rejects.toThrow(/\w+ \w+/);
      const after = await statusOf(subject);
      expect(after.stateRoot).toBe(before.stateRoot);
      // The ledger remembers what it refused (counts.rejected), and holds nothing more.
      expect({ ...after.counts, rejected: 0 }).toEqual({ ...before.counts, rejected: 0 });
      expect(after.problems).toEqual([]);
      await subject.stop();
    });

    it('restarts from what it stored, offline, and can still sign', async () => {
      const me = identity(`${platformName}-restart`);
      const { cluster, founder, founderPeer } = await network(`${platformName}-restart`, [me]);
      const subject = await platform.startSubject('restart', {
        networkId: cluster.genesis.id,
        secret: cluster.secret,
        identity: me,
      });
      await eventually(() => sameAs(subject, founderPeer), Boolean, SYNC_MS);
      const sent = await subject.call<TxId>('transfer', { to: founder.key, amount: '11' });
      await eventually(() => subject.call<boolean>('isFinal', { id: sent }), Boolean, SYNC_MS);
      const before = await statusOf(subject);
      await founderPeer.stop();
      await subject.restart();
      const after = await statusOf(subject);
      expect(after.stateRoot).toBe(before.stateRoot);
      expect(after.counts).toEqual(before.counts);
      expect(after.problems).toEqual([]);
      // Its own chain is intact, so it signs with nobody reachable.
      const again = await subject.call<TxId>('transfer', { to: founder.key, amount: '1' });
      expect((await subject.call<{ state: string }>('txStatus', { id: again })).state).toBe(
        'pending',
      );
      await subject.stop();
    });

    it('buys a pow job from a provider and sees it settled, the escrow paid', async () => {
      const me = identity(`${platformName}-consumer`);
      const provider = identity(`${platformName}-provider`);
      const { cluster, founderPeer } = await network(`${platformName}-pow`, [me, provider]);
      const providerPeer = await cluster.spawnPeer('provider', provider, {
        relays: [platform.relayUrl],
        wrap: platform.wrap,
        market: { provide: ['pow'] },
      });
      await providerPeer.call('offer', { service: 'pow', capacity: '100000', rate: '2' });
      const subject = await platform.startSubject('consumer', {
        networkId: cluster.genesis.id,
        secret: cluster.secret,
        identity: me,
      });
      await eventually(() => sameAs(subject, founderPeer), Boolean, SYNC_MS);
      const booked = await subject.call<{ id: TxId; provider: string; escrow: string }>(
        'requestPow',
        { data: `${platformName} job`, difficulty: 7, volume: '128' },
      );
      expect(booked.provider).toBe(provider.key);
      // The provider accepts, solves and delivers; our market reveals and settles.
      const job = await eventually(
        () => subject.call<{ settled: string | null }>('job', { id: booked.id }),
        (view) => view.settled !== null,
        90_000,
      );
      expect(job.settled).toBe('completed');
      // Completed: the whole escrow (128 hashes at 2 each) went to the provider, final for both.
      expect(booked.escrow).toBe('256');
      const paid = await eventually(
        () => subject.call<Account>('balance', { key: me.key }),
        (account) => account.pending === '0' && account.available === '244',
        SYNC_MS,
      );
      expect(paid.available).toBe('244');
      const earned = await eventually(
        () => providerPeer.call<Account>('account', { key: provider.key }),
        (account) => account.pending === '0' && account.available === '756',
        SYNC_MS,
      );
      expect(earned.available).toBe('756');
      await subject.stop();
    }, 150_000);
  });
}
