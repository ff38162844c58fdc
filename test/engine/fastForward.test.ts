// A newcomer's start from the snapshot room (engine/fastForward.ts, shared/replication/
// snapshotDoc.ts; docs/protocol.md §14.10): the entries holders write, the highest offer that
// checks out taken, each bad offer refused with a sentence and the next one tried, and the base
// kept beside the log so that the next start builds on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntake } from '../../engine/intake.ts';
import { loadBase, saveBase, startFromBase, takeOffer } from '../../engine/fastForward.ts';
import { replayLog } from '../../engine/logReplay.ts';
import { nodeVerify } from '../../node/platform/nodeVerify.ts';
import type { TxId } from '../../shared/ids.ts';
import { encodeCertificate } from '../../shared/ledger/certificate.ts';
import {
  assembleState,
  offeredSnapshots,
  GENESIS_KEY,
  offerEntries,
  SNAPSHOT_PART_BYTES,
  staleKeys,
  type OfferedSnapshot,
} from '../../shared/replication/snapshotDoc.ts';
import { MemoryLogStore } from '../../shared/storage/memoryStore.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { alice, bob, certifiedNetwork, type CertifiedNetwork } from '../helpers/certifiedLedger.ts';

const verify = nodeVerify();
afterAll(() => verify.close());
let net: CertifiedNetwork;
beforeAll(async () => {
  net = await certifiedNetwork();
});

/** What the room offers when holders wrote these checkpoints (by id), as a newcomer reads it. */
function room(...ids: TxId[]): OfferedSnapshot[] {
  const entries = new Map<string, Uint8Array>();
  for (const id of ids) {
    const n = net.full.checkpoint(id)!.n;
    const offer = {
      n,
      certificate: encodeCertificate(net.certificate(id)),
      state: net.states.get(id)!,
    };
    for (const [key, value] of offerEntries(offer)) entries.set(key, value);
  }
  return offeredSnapshots(entries);
}

describe('the snapshot room doc', () => {
  it('offers a state in parts that a newcomer puts back together, highest checkpoint first', () => {
    const state = Uint8Array.from({ length: 2 * SNAPSHOT_PART_BYTES + 5 }, (_, i) => i % 251);
    const entries = offerEntries({ n: 3, certificate: Uint8Array.of(1), state });
    expect([...entries.keys()]).toEqual(['3:cert', '3:0', '3:1', '3:2']);
    const older = offerEntries({ n: 2, certificate: Uint8Array.of(2), state: Uint8Array.of(9) });
    const all = [...entries, ...older, ['junk', Uint8Array.of(0)], ['4:0', 'not bytes']] as const;
    const offered = offeredSnapshots(all);
    expect(offered.map((o) => o.n)).toEqual([3, 2]);
    expect(assembleState(offered[0]!, state.length)).toEqual(state);
    // A size other than the parts' total, or a missing part, is not a state.
    expect(assembleState(offered[0]!, state.length + 1)).toBeNull();
    const parts = new Map(offered[0]!.parts);
    parts.delete(1);
    expect(assembleState({ ...offered[0]!, parts }, state.length)).toBeNull();
    // A holder of checkpoint 3 removes the older offer and keys of no offer, never its own.
    expect(staleKeys(['3:cert', '3:0', '2:cert', '2:0', 'junk', '4:cert'], 3)).toEqual([
      '2:cert',
      '2:0',
      'junk',
    ]);
  });
});

describe("the network's genesis in the snapshot room", () => {
  it('is offered with the state, kept by every holder, and is no offer itself', () => {
    const genesis = Uint8Array.of(7, 7);
    const entries = offerEntries({
      n: 2,
      certificate: Uint8Array.of(1),
      state: Uint8Array.of(9),
      genesis,
    });
    expect(entries.get(GENESIS_KEY)).toEqual(genesis);
    expect(offeredSnapshots(entries).map((o) => o.n)).toEqual([2]);
    // A holder of a newer checkpoint removes older offers, not the genesis.
    expect(staleKeys(entries.keys(), 3).sort()).toEqual(['2:0', '2:cert']);
  });
});

describe('a peer far behind', () => {
  it('takes only a state newer than it knows, contradicting nothing it holds as final', async () => {
    const { genesis, full, first, second } = net;
    const offers = room(first, second);
    const newer = await takeOffer(genesis, offers, verify.verifier, { holds: full, newerThan: 1 });
    expect(newer.ledger?.checkpoint(second)).toBeDefined();
    const none = await takeOffer(genesis, offers, verify.verifier, { newerThan: 2 });
    expect(none.ledger).toBeNull();
    if (none.ledger === null)
      expect(none.refusals.join('\n')).toMatch(/not newer than the one this peer has/);
  });
});

describe("a newcomer's start", () => {
  it('takes the highest offer that checks out', async () => {
    const taken = await takeOffer(net.genesis, room(net.first, net.second), verify.verifier);
    if (!taken.ledger) throw new Error(taken.refusals.join('; '));
    expect(taken.base.n).toBe(2);
    expect(taken.ledger.latestCertified()?.id).toBe(net.second);
    // The rest of the history then comes (the whole doc, in this step): the same accounts.
    for (const id of net.full.validIds()) taken.ledger.insert(net.full.get(id) as VerifiedTx);
    for (const who of [alice, bob])
      expect(taken.ledger.account(who.key)).toEqual(net.full.account(who.key));
    // (Its state root differs: that digest names every transaction held, and the history
    // before the cut is not held here.)
    expect(taken.ledger.counts().valid).toBeLessThan(net.full.counts().valid);
  });

  it('refuses a damaged state, a short certificate and junk, each in a sentence, and tries the next', async () => {
    const offers = room(net.first, net.second);
    const [second, first] = offers as [OfferedSnapshot, OfferedSnapshot];
    const damaged = new Map(second.parts);
    const part = Uint8Array.from(damaged.get(0)!);
    part[0]! ^= 1;
    damaged.set(0, part);
    const taken = await takeOffer(
      net.genesis,
      [
        { n: 9, certificate: Uint8Array.of(1, 2, 3), parts: new Map() },
        { ...second, parts: damaged },
        first,
      ],
      verify.verifier,
    );
    if (!taken.ledger) throw new Error(taken.refusals.join('; '));
    expect(taken.base.n).toBe(1);
    const none = await takeOffer(
      net.genesis,
      [
        { ...second, parts: damaged },
        { ...first, n: 5 },
        { ...first, parts: new Map() },
      ],
      verify.verifier,
    );
    expect(none.ledger).toBeNull();
    expect(none.ledger === null && none.refusals).toEqual([
      'checkpoint 2: the state offered for checkpoint 2 is not the one it states (its root or size differs)',
      'checkpoint 5: it is offered as checkpoint 5, and it is 1',
      `checkpoint 1: its state (${net.states.get(net.first)!.length} bytes) is not all there`,
    ]);
  });

  it('keeps the base beside the log, and the next start builds on it and the log', async () => {
    const taken = await takeOffer(net.genesis, room(net.second), verify.verifier);
    if (!taken.ledger) throw new Error(taken.refusals.join('; '));
    const store = new MemoryLogStore();
    await saveBase(store, taken.base);
    // The log holds the genesis and what came after the cut (the newcomer stores those only).
    const after = net.full
      .validIds()
      .map((id) => net.full.get(id) as VerifiedTx)
      .filter((tx) => taken.ledger.insert(tx).status === 'accepted');
    expect(after.length).toBeGreaterThan(0);
    await store.append([net.genesis.bytes, ...after.map((tx) => tx.bytes)]);
    const base = await loadBase(store, verify.verifier);
    if (typeof base === 'string' || !base) throw new Error(`no base: ${base}`);
    expect(base.n).toBe(2);
    const replayed = await replayLog(
      store,
      net.genesis.id,
      createIntake(verify),
      undefined,
      startFromBase(base),
    );
    expect(replayed.recovered).toBeUndefined();
    for (const who of [alice, bob])
      expect(replayed.ledger?.account(who.key)).toEqual(net.full.account(who.key));
    expect(replayed.ledger?.counts().waiting).toBe(0);

    // A damaged base is said, and the log then waits for the history before the cut.
    const part = store.data.meta.get('base-state-0')!;
    store.data.meta.set('base-state-0', part.subarray(1));
    expect(await loadBase(store, verify.verifier)).toBe('its saved state is not whole');
    const refused = await replayLog(
      store,
      net.genesis.id,
      createIntake(verify),
      undefined,
      () => 'its saved state is not whole',
    );
    expect(refused.recovered).toContain('The snapshot this peer started from cannot be used');
    expect(refused.ledger?.counts().waiting).toBeGreaterThan(0);
  });
});
