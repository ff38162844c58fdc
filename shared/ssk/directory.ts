// Which SSK is current between two identities, computed from the ledger alone, identically on
// every peer and with no clock:
//
// - Epochs count per unordered pair {A, B}: a reset by either side uses the pair's highest
//   epoch + 1, so one number names one generation of the pair's key.
// - The current epoch is the highest one that has a share and no revoke.
// - Several shares at one epoch (A resetting from two devices, or A and B at once) are ordered
//   by transaction id, largest first; the first is the key for new messages. Receivers try the
//   others too, so a message sealed a moment before the conflict was seen is not lost.
import type { KeyHex, TxId } from '../ids.ts';
import { keyHexOf } from '../ids.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Tx } from '../tx/envelope.ts';
import type { SskBody } from './rules.ts';

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

export class SskDirectory {
  readonly #pairs = new Map<string, PairEntry>();

  constructor(ledger: Ledger) {
    for (const id of ledger.validIds()) {
      const tx = ledger.get(id);
      if (tx) this.#add(tx);
    }
    ledger.onAccepted((tx) => this.#add(tx));
  }

  #add(tx: Tx): void {
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
    entry.shares.sort((x, y) => y.epoch - x.epoch || (x.id < y.id ? 1 : x.id > y.id ? -1 : 0));
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
