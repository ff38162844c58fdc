// Which SSK is current between two identities, computed from the ledger alone, identically on
// every peer and with no clock:
//
// - Epochs count per unordered pair {A, B}: a reset by either side uses the pair's highest
//   epoch + 1, so one number names one generation of the pair's key.
// - The current epoch is the highest one that has a share and no revoke.
// - Several shares at one epoch (A resetting from two devices, or A and B at once) are ordered
//   by transaction id, largest first; the first is the key for new messages. Receivers try the
//   others too, so a message sealed a moment before the conflict was seen is not lost.
import * as v from 'valibot';
import { fromHex } from '../bytes.ts';
import type { CborValue } from '../codec/cbor.ts';
import type { KeyHex, TxId } from '../ids.ts';
import { keyHexOf, txIdOf } from '../ids.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Tx } from '../tx/envelope.ts';
import { bytes32, uint } from '../tx/schema.ts';
import { restoreIndex, strictlyIncreasing, type Restored } from '../tx/types.ts';
import { sskSchema, type SskBody } from './rules.ts';

export interface SskShare {
  readonly id: TxId;
  readonly from: KeyHex;
  readonly to: KeyHex;
  readonly epoch: number;
  readonly box: Uint8Array;
  readonly self: Uint8Array;
  readonly time: number;
}

interface PairEntry {
  shares: SskShare[];
  revoked: Set<number>;
}

export const pairKeyOf = (a: KeyHex, b: KeyHex): string => (a < b ? `${a}:${b}` : `${b}:${a}`);

/** Newest epoch first; within an epoch the largest id first (the winner). */
const shareOrder = (x: SskShare, y: SskShare): number =>
  y.epoch - x.epoch || (x.id < y.id ? 1 : x.id > y.id ? -1 : 0);

/**
 * The table of shares and revocations by pair, and the queries on it. SskDirectory keeps one
 * up to date from a ledger; a snapshot restores one (snapshotSskPairs, restoreSskPairs).
 */
export class SskPairs {
  readonly #pairs = new Map<string, PairEntry>();

  /** Adds a valid transaction; anything other than an ssk share or revoke is ignored. */
  add(tx: Tx): void {
    if (tx.type !== 'ssk') return;
    const body = tx.body as SskBody;
    const to = keyHexOf(body.to);
    const key = pairKeyOf(tx.author, to);
    let entry = this.#pairs.get(key);
    if (!entry) this.#pairs.set(key, (entry = { shares: [], revoked: new Set() }));
    if (body.action === 'revoke') {
      entry.revoked.add(body.epoch);
      return;
    }
    entry.shares.push({
      id: tx.id,
      from: tx.author,
      to,
      epoch: body.epoch,
      box: body.box,
      self: body.self,
      time: tx.time,
    });
    entry.shares.sort(shareOrder);
  }

  /** Every pair, as [pair key, shares in their order, revoked epochs]. */
  *pairs(): IterableIterator<readonly [string, readonly SskShare[], ReadonlySet<number>]> {
    for (const [key, entry] of this.#pairs) yield [key, entry.shares, entry.revoked];
  }

  /** Sets a pair's entry as a snapshot restores it. */
  protected restorePair(key: string, shares: SskShare[], revoked: Set<number>): void {
    this.#pairs.set(key, { shares, revoked });
  }

  /** A table holding exactly these pairs (what restoreSskPairs builds). */
  static of(
    pairs: ReadonlyArray<readonly [string, readonly SskShare[], ReadonlySet<number>]>,
  ): SskPairs {
    const table = new SskPairs();
    for (const [key, shares, revoked] of pairs)
      table.restorePair(key, [...shares].sort(shareOrder), new Set(revoked));
    return table;
  }

  /** Every share between the two, newest epoch first, winner first within an epoch. */
  shares(a: KeyHex, b: KeyHex): readonly SskShare[] {
    return this.#pairs.get(pairKeyOf(a, b))?.shares ?? [];
  }

  sharesAt(a: KeyHex, b: KeyHex, epoch: number): SskShare[] {
    return this.shares(a, b).filter((s) => s.epoch === epoch);
  }

  isRevoked(a: KeyHex, b: KeyHex, epoch: number): boolean {
    return this.#pairs.get(pairKeyOf(a, b))?.revoked.has(epoch) ?? false;
  }

  /** The share whose key A and B use for new traffic, or undefined if there is none. */
  current(a: KeyHex, b: KeyHex): SskShare | undefined {
    const entry = this.#pairs.get(pairKeyOf(a, b));
    return entry?.shares.find((s) => !entry.revoked.has(s.epoch));
  }

  /** The epoch a new share between the two must use. */
  nextEpoch(a: KeyHex, b: KeyHex): number {
    const entry = this.#pairs.get(pairKeyOf(a, b));
    let max = 0;
    for (const s of entry?.shares ?? []) max = Math.max(max, s.epoch);
    for (const e of entry?.revoked ?? []) max = Math.max(max, e);
    return max + 1;
  }

  /** Everyone `me` has a share with, in either direction. */
  partnersOf(me: KeyHex): KeyHex[] {
    const out = new Set<KeyHex>();
    for (const entry of this.#pairs.values()) {
      for (const s of entry.shares) {
        if (s.from === me) out.add(s.to);
        if (s.to === me) out.add(s.from);
      }
    }
    return [...out].sort();
  }
}

/** The directory of a ledger: every valid ssk transaction, and each new one as it is accepted. */
export class SskDirectory extends SskPairs {
  constructor(ledger: Ledger) {
    super();
    for (const id of ledger.validIds()) {
      const tx = ledger.get(id);
      if (tx) this.add(tx);
    }
    ledger.onAccepted((tx) => this.add(tx));
  }
}

// ---- the table as snapshot data (docs/snapshots.md) --------------------------------------------

/**
 * Every pair by its key (the smaller identity first), its shares in the directory's own order
 * (newest epoch first, then largest id first) and its revoked epochs in increasing order. All
 * of it follows from the set of ssk transactions, so the bytes do not depend on arrival order.
 */
export function snapshotSskPairs(table: SskPairs): CborValue {
  return [...table.pairs()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, shares, revoked]) => {
      const [a, b] = key.split(':') as [KeyHex, KeyHex];
      return [
        fromHex(a),
        fromHex(b),
        [...shares]
          .sort(shareOrder)
          .map((s) => [fromHex(s.id), s.from === a ? 0 : 1, s.epoch, s.box, s.self, s.time]),
        [...revoked].sort((x, y) => x - y),
      ];
    });
}

const shareBody = sskSchema.options[0].entries;
const key = v.pipe(
  bytes32,
  v.transform((bytes) => keyHexOf(bytes)),
);

const pairsSchema = v.array(
  v.strictTuple([
    key,
    key,
    v.array(
      v.strictTuple([
        v.pipe(
          bytes32,
          v.transform((bytes) => txIdOf(bytes)),
        ),
        v.picklist([0, 1], 'a share is from the first (0) or the second (1) of the pair'),
        shareBody.epoch,
        shareBody.box,
        shareBody.self,
        uint,
      ]),
    ),
    v.array(shareBody.epoch),
  ]),
  'an SSK directory snapshot is a list of pairs',
);

export function restoreSskPairs(value: unknown): Restored<SskPairs> {
  return restoreIndex('the SSK directory', pairsSchema, value, (list) => {
    const pairs: [string, SskShare[], Set<number>][] = [];
    for (const [a, b, shareList, revokedList] of list) {
      if (a >= b) return 'a pair names the smaller key first, and two different keys';
      if (shareList.length === 0 && revokedList.length === 0)
        return 'a pair holds at least one share or revocation';
      const shares = shareList.map(([id, dir, epoch, box, self, time]): SskShare => ({
        id,
        from: dir === 0 ? a : b,
        to: dir === 0 ? b : a,
        epoch,
        box,
        self,
        time,
      }));
      for (let i = 1; i < shares.length; i++) {
        if (shareOrder(shares[i - 1] as SskShare, shares[i] as SskShare) >= 0)
          return 'shares are listed newest epoch first, then largest id first, once each';
      }
      for (let i = 1; i < revokedList.length; i++) {
        if ((revokedList[i - 1] as number) >= (revokedList[i] as number))
          return 'revoked epochs are listed in increasing order, once each';
      }
      pairs.push([pairKeyOf(a, b), shares, new Set(revokedList)]);
    }
    return strictlyIncreasing(pairs.map(([k]) => k))
      ? SskPairs.of(pairs)
      : 'pairs must be sorted by their keys, once each';
  });
}
