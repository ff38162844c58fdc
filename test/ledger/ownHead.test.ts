// A peer never signs blind (shared/ledger/ownHead.ts): the rules that say when the latest
// position of our own chain is known from local storage, and the seal that records it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import {
  BlindSigningError,
  decodeSeal,
  encodeSeal,
  judgeOwnHead,
  OWN_HEAD_META_KEY,
  OwnHead,
  type ChainView,
  type OwnHeadSeal,
} from '../../shared/ledger/ownHead.ts';
import { MemoryLogStore } from '../../shared/storage/memoryStore.ts';

const me = 'a'.repeat(64) as KeyHex;
const other = 'b'.repeat(64) as KeyHex;
const idAt = (seq: number): TxId => seq.toString(16).padStart(64, '0') as TxId;

/** Our chain holds positions 0..length-1 (and nothing else of ours). */
function chainOf(length: number): ChainView {
  return {
    head: (author) =>
      author === me && length > 0 ? { id: idAt(length - 1), seq: length - 1 } : undefined,
    has: (id) => Array.from({ length }, (_, seq) => idAt(seq)).includes(id),
  };
}

const seal = (seq: number, instance: string | null = 'file-1'): OwnHeadSeal => ({
  author: me,
  seq,
  id: seq < 0 ? null : idAt(seq),
  instance,
});
const intact = { instance: 'file-1', damaged: false };

describe('judging our own chain head', () => {
  it("is known when the seal is this log's and the log holds the sealed position", () => {
    expect(judgeOwnHead(me, seal(4), intact, chainOf(5))).toEqual({ known: true });
    // The log may be ahead of the seal: a crash between the append and the seal.
    expect(judgeOwnHead(me, seal(4), intact, chainOf(6))).toEqual({ known: true });
    // Nothing signed yet, and a store with no file identity (IndexedDB, memory).
    expect(judgeOwnHead(me, seal(-1), intact, null)).toEqual({ known: true });
    expect(
      judgeOwnHead(me, seal(2, null), { instance: undefined, damaged: false }, chainOf(3)),
    ).toEqual({ known: true });
  });

  it('is unknown after damage, a restore, a cut log, or with no usable seal', () => {
    const reasonOf = (...args: Parameters<typeof judgeOwnHead>): string => {
      const state = judgeOwnHead(...args);
      if (state.known) throw new Error('expected unknown');
      return state.reason;
    };
    expect(reasonOf(me, seal(4), { ...intact, damaged: true }, chainOf(5))).toMatch(/damaged/);
    expect(reasonOf(me, seal(4), { instance: 'file-2', damaged: false }, chainOf(5))).toMatch(
      /restored from a backup, copied or moved/,
    );
    expect(reasonOf(me, seal(4), intact, chainOf(4))).toMatch(/lost transactions it signed/);
    expect(reasonOf(me, seal(0), intact, null)).toMatch(/lost transactions/);
    expect(reasonOf(me, undefined, intact, chainOf(5))).toMatch(/no record of its latest/);
    expect(reasonOf(me, { ...seal(4), author: other }, intact, chainOf(5))).toMatch(/no record/);
    expect(reasonOf(me, null, intact, chainOf(5))).toMatch(
      /record of its latest position is damaged/,
    );
  });

  it('property: known exactly when intact, same instance, and the log reaches the seal', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1, max: 20 }),
        fc.integer({ min: 0, max: 20 }),
        fc.boolean(),
        fc.constantFrom('file-1', 'file-2', undefined),
        fc.constantFrom('file-1', null),
        (sealed, logLength, damaged, instance, sealInstance) => {
          const state = judgeOwnHead(
            me,
            seal(sealed, sealInstance),
            { instance, damaged },
            logLength === 0 ? null : chainOf(logLength),
          );
          const sameFile =
            sealInstance === null || instance === undefined || instance === sealInstance;
          const expected = !damaged && sameFile && logLength - 1 >= sealed;
          expect(state.known).toBe(expected);
        },
      ),
      { seed: 1313, numRuns: 2000 },
    );
  });
});

describe('the seal', () => {
  it('round-trips, and anything else is no seal', () => {
    for (const s of [seal(-1), seal(0), seal(12345, null)]) {
      expect(decodeSeal(encodeSeal(s))).toEqual(s);
    }
    const bytes = encodeSeal(seal(3));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: bytes.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, flip) => {
          const damaged = bytes.slice();
          damaged[at]! ^= flip;
          const decoded = decodeSeal(damaged);
          // A flipped byte either breaks the seal or names another valid position: never throws.
          if (decoded !== null) expect(decoded).not.toEqual(seal(3));
        },
      ),
      { seed: 7, numRuns: 1000 },
    );
    expect(decodeSeal(new Uint8Array(0))).toBeNull();
    expect(decodeSeal(encodeSeal({ ...seal(3), id: null }))).toBeNull();
  });

  it('is written for our transactions only, and lets signing resume after a sync', async () => {
    const store = new MemoryLogStore();
    const own = await OwnHead.open(store, me, intact, chainOf(3));
    expect(own.known).toBe(false);
    expect(() => own.assertCanSign()).toThrow(BlindSigningError);
    expect(own.problem()).toMatch(/^This peer will not sign yet: .*Connect to another member/);
    let woken = false;
    const waiting = own.whenKnown().then(() => (woken = true));
    await Promise.resolve();
    expect(woken).toBe(false);
    await own.learned(chainOf(3));
    await waiting;
    expect(woken).toBe(true);
    expect(own.known).toBe(true);
    await own.whenKnown(); // at once, once known
    expect(decodeSeal((await store.getMeta(OWN_HEAD_META_KEY))!)).toEqual(seal(2));
    await own.record({ author: other, seq: 9, id: idAt(9) });
    expect(decodeSeal((await store.getMeta(OWN_HEAD_META_KEY))!)).toEqual(seal(2));
    await own.record({ author: me, seq: 3, id: idAt(3) });
    // Reopened on the same log, which holds position 3: known.
    expect((await OwnHead.open(store, me, intact, chainOf(4))).known).toBe(true);
    // The same seal over a log restored from before position 3: not known.
    expect((await OwnHead.open(store, me, intact, chainOf(3))).known).toBe(false);
  });

  it('follows the log when a prune rewrote it into a new file, and only while the head is known', async () => {
    const store = new MemoryLogStore();
    await store.putMeta(OWN_HEAD_META_KEY, encodeSeal(seal(2)));
    const own = await OwnHead.open(store, me, intact, chainOf(3));
    expect(own.known).toBe(true);
    await own.moved('file-2');
    expect(decodeSeal((await store.getMeta(OWN_HEAD_META_KEY))!)).toEqual(seal(2, 'file-2'));
    const moved = { instance: 'file-2', damaged: false };
    expect((await OwnHead.open(store, me, moved, chainOf(3))).known).toBe(true);
    expect((await OwnHead.open(store, me, intact, chainOf(3))).known).toBe(false);

    // An unknown head is not made known by a seal written for the new file.
    const restored = new MemoryLogStore();
    await restored.putMeta(OWN_HEAD_META_KEY, encodeSeal(seal(2, 'file-0')));
    const unknown = await OwnHead.open(restored, me, intact, chainOf(3));
    await unknown.moved('file-2');
    expect(decodeSeal((await restored.getMeta(OWN_HEAD_META_KEY))!)).toEqual(seal(2, 'file-0'));
  });
});
