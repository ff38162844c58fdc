import { afterAll, describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/bytes.ts';
import { MemoryLogStore } from '../../shared/storage/memoryStore.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { createIntake } from '../../engine/intake.ts';
import { readCheckpoint, replayLog, writeCheckpoint } from '../../engine/logReplay.ts';
import { nodeVerify } from '../../node/platform/nodeVerify.ts';
import { txIdOf } from '../../shared/ids.ts';
import type { AdmitResult } from '../../shared/replication/screen.ts';
import { buildLargeLedger } from '../helpers/largeLedger.ts';
import { genesisOf, identity } from '../helpers/network.ts';

const verify = nodeVerify();
const intake = createIntake(verify);
afterAll(() => verify.close());
const loadLocalLedger = (store: MemoryLogStore, networkId: Parameters<typeof replayLog>[1]) =>
  replayLog(store, networkId, intake);

const alice = identity('local-alice');
const bob = identity('local-bob');

async function fixture() {
  const genesis = await genesisOf({ witnesses: [alice], allocations: [[alice, 100n]] });
  const good = signTx(alice.secret, {
    net: genesis.id,
    seq: 1,
    prev: genesis.id,
    deps: [],
    type: 'transfer',
    body: { to: fromHex(bob.key), amount: 5n },
    time: 1,
  });
  // A record whose signature is wrong: only a tampered log could hold it.
  const tampered = good.slice();
  tampered[tampered.length - 1]! ^= 1;
  return { genesis, good, tampered };
}

describe('replaying a peer log', () => {
  it('returns no ledger for an empty log', async () => {
    const { genesis } = await fixture();
    expect((await loadLocalLedger(new MemoryLogStore(), genesis.id)).ledger).toBeNull();
  });

  it('replays the log and writes a checkpoint covering it', async () => {
    const { genesis, good } = await fixture();
    const store = new MemoryLogStore();
    await store.append([genesis.bytes, good]);
    const loaded = await loadLocalLedger(store, genesis.id);
    expect(loaded.ledger?.counts().valid).toBe(2);
    expect(await readCheckpoint(store)).toBe(2);
  });

  it('trusts records under the checkpoint without re-verifying, and verifies the rest', async () => {
    const { genesis, tampered } = await fixture();
    const store = new MemoryLogStore();
    await store.append([genesis.bytes, tampered]);
    // Beyond the checkpoint, the bad signature is caught: the record is left out, the log
    // counts as damaged (no signing before a full sync), and no checkpoint covers it.
    const checked = await loadLocalLedger(store, genesis.id);
    expect(checked.ledger?.counts().valid).toBe(1);
    expect(checked.skipped).toBe(1);
    expect(checked.facts.damaged).toBe(true);
    expect(checked.recovered).toMatch(
      /1 saved record did not hold a valid transaction and was left out/,
    );
    expect(await readCheckpoint(store)).toBe(0);
    // Under it, the record is not re-verified: that is what makes restarts fast.
    await writeCheckpoint(store, 2);
    expect((await loadLocalLedger(store, genesis.id)).ledger?.counts().valid).toBe(2);
  });

  it('refuses a log of another network', async () => {
    const { genesis } = await fixture();
    const other = await genesisOf({ witnesses: [bob], allocations: [] });
    const store = new MemoryLogStore();
    await store.append([other.bytes]);
    await expect(loadLocalLedger(store, genesis.id)).rejects.toThrow(/another network/);
  });
});

describe('admitMany', () => {
  // More than two pipeline chunks, with a bad entry in each of several chunks: the batch must
  // give, entry by entry and in order, exactly what admitting one at a time gives.
  it('agrees with admit entry by entry across pipeline chunks', async () => {
    const { txs } = await buildLargeLedger(9000, 20);
    const values = txs.map((bytes) => bytes.slice());
    values[10] = new Uint8Array([1, 2, 3]);
    values[5000]![values[5000]!.length - 1]! ^= 1;
    values[8999]![values[8999]!.length - 1]! ^= 1;
    const ids = values.map((bytes) => txIdOf(sha256(bytes)));
    const { admit, admitMany } = intake;
    for (const batch of [await admitMany(values), await admitMany(values, ids)]) {
      expect(batch).toHaveLength(values.length);
      const summary = (r: AdmitResult) => (r.ok ? r.tx.id : r.rejection.code);
      const oneByOne = await Promise.all(values.map((bytes) => admit(bytes)));
      expect(batch.map(summary)).toEqual(oneByOne.map(summary));
    }
  });
});

/** A store whose load reports that damage was removed (as the file log does after repairing). */
function damagedStore(): MemoryLogStore {
  const store = new MemoryLogStore();
  const load = store.load.bind(store);
  store.load = async (onProgress) => ({
    ...(await load(onProgress)),
    recovery: {
      kind: 'damage',
      truncatedBytes: 40,
      regions: [{ offset: 8, bytes: 40 }],
      recordsKeptAfter: 2,
      savedCopy: '/tmp/ledger.log.damaged-x',
      reason: 'ledger.log was damaged.',
    },
  });
  return store;
}

describe('loading a log the store repaired after damage', () => {
  it('checks every signature (the checkpoint no longer counts the same records), leaving out what fails', async () => {
    const { genesis, good, tampered } = await fixture();
    const store = damagedStore();
    await store.append([genesis.bytes, tampered, good]);
    await writeCheckpoint(store, 3);
    const loaded = await loadLocalLedger(store, genesis.id);
    expect(loaded.facts.damaged).toBe(true);
    expect(loaded.ledger?.counts().valid).toBe(2);
    expect(loaded.recovered).toMatch(
      /^ledger\.log was damaged\. 1 saved record did not hold a valid transaction and was left out/,
    );
  });

  it('keeps what it read when the genesis itself was lost, and says it will come back', async () => {
    const { genesis, good } = await fixture();
    const store = damagedStore();
    await store.append([good]);
    const loaded = await loadLocalLedger(store, genesis.id);
    expect(loaded.ledger).toBeNull();
    expect(loaded.recovered).toMatch(/genesis was not among the readable records/);
    // The genesis arrives later and is appended after: the next load starts from it anyway.
    await store.append([genesis.bytes]);
    const again = await loadLocalLedger(store, genesis.id);
    expect(again.ledger?.counts().valid).toBe(2);
    expect(again.txs[0]?.id).toBe(genesis.id);
  });
});
