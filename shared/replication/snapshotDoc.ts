// The snapshot room's doc (docs/protocol.md §14.10): where peers that hold the state of a
// certified checkpoint offer it to newcomers, beside the network's own room. One Y.Map holds, for
// each checkpoint number n offered, the certificate under "n:cert" and the state in parts under
// "n:0", "n:1", … (the state's size, stated by the checkpoint, says how many), and the network's
// genesis under "genesis": once the network's room has moved on to a later epoch (§14.11), the
// genesis is in no room a newcomer knows of before it takes a state.
//
// Why a map with these keys: the state of a checkpoint is the same bytes at every peer (§14.1),
// so every holder writes the same value under the same key, and writes only what is missing or
// different. A newcomer therefore receives one copy, whatever the number of holders. The doc
// is untrusted like any other: a member may write anything here, so a newcomer takes a state
// only once its certificate and root check out (shared/ledger/fastForward.ts), and falls back to
// the history when none does.
export const SNAPSHOT_MAP = 'snapshot';
/** A part of the state: the same as a saved state's (shared/storage/checkpointState.ts). */
export const SNAPSHOT_PART_BYTES = 512 * 1024;
/** The largest state offered or taken here: 256 MiB, 512 parts. */
export const MAX_SNAPSHOT_STATE_BYTES = 256 * 1024 * 1024;
/** A certificate of the largest size a part may be; larger ones are not offered. */
export const MAX_SNAPSHOT_ENTRY_BYTES = SNAPSHOT_PART_BYTES;
/** Entries the doc may hold before peers stop reading it: two states' worth and some. */
export const MAX_SNAPSHOT_ENTRIES = 2 * (MAX_SNAPSHOT_STATE_BYTES / SNAPSHOT_PART_BYTES) + 16;

const KEY = /^(\d{1,9}):(cert|\d{1,4})$/;
/** The key of the network's genesis (signed bytes; a newcomer checks its id is the network's). */
export const GENESIS_KEY = 'genesis';

/** The snapshot room of a network room: a name of its own, the same password. */
export const snapshotRoomOf = (room: string): string => `${room}-snapshot`;

export interface SnapshotOffer {
  readonly n: number;
  readonly certificate: Uint8Array;
  readonly state: Uint8Array;
  /** The network's genesis, offered with the state. */
  readonly genesis?: Uint8Array;
}

/** The entries that offer `offer`. */
export function offerEntries(offer: SnapshotOffer): Map<string, Uint8Array> {
  const entries = new Map<string, Uint8Array>([[`${offer.n}:cert`, offer.certificate]]);
  if (offer.genesis) entries.set(GENESIS_KEY, offer.genesis);
  const parts = partsOf(offer.state.length);
  for (let i = 0; i < parts; i++)
    entries.set(
      `${offer.n}:${i}`,
      offer.state.subarray(i * SNAPSHOT_PART_BYTES, (i + 1) * SNAPSHOT_PART_BYTES),
    );
  return entries;
}

/** The number of parts of a state of `size` bytes (at least one). */
export const partsOf = (size: number): number => Math.max(1, Math.ceil(size / SNAPSHOT_PART_BYTES));

export interface OfferedSnapshot {
  readonly n: number;
  readonly certificate: Uint8Array;
  /** The parts found, by index: a newcomer checks their number against the checkpoint's size. */
  readonly parts: ReadonlyMap<number, Uint8Array>;
}

/**
 * What the doc offers, from its entries as they are (untrusted): each checkpoint number with a
 * certificate, highest first. Entries whose key or value is not of this form are left out.
 */
export function offeredSnapshots(entries: Iterable<readonly [string, unknown]>): OfferedSnapshot[] {
  const byN = new Map<number, { certificate?: Uint8Array; parts: Map<number, Uint8Array> }>();
  for (const [key, value] of entries) {
    const match = KEY.exec(key);
    if (!match || !(value instanceof Uint8Array)) continue;
    const n = Number(match[1]);
    const entry = byN.get(n) ?? { parts: new Map<number, Uint8Array>() };
    byN.set(n, entry);
    if (match[2] === 'cert') entry.certificate = value;
    else entry.parts.set(Number(match[2]), value);
  }
  const offered: OfferedSnapshot[] = [];
  for (const [n, { certificate, parts }] of byN)
    if (certificate) offered.push({ n, certificate, parts });
  return offered.sort((a, b) => b.n - a.n);
}

/** The state of an offer, when all its parts for `size` bytes are there; else null. */
export function assembleState(offer: OfferedSnapshot, size: number): Uint8Array | null {
  if (size > MAX_SNAPSHOT_STATE_BYTES) return null;
  const count = partsOf(size);
  const out = new Uint8Array(size);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const part = offer.parts.get(i);
    if (!part || at + part.length > size) return null;
    out.set(part, at);
    at += part.length;
  }
  return at === size ? out : null;
}

/** Keys a holder of checkpoint `n` removes: those of other, older offers, and any not of this form. */
export function staleKeys(keys: Iterable<string>, n: number): string[] {
  const stale: string[] = [];
  for (const key of keys) {
    if (key === GENESIS_KEY) continue;
    const match = KEY.exec(key);
    if (!match || Number(match[1]) < n) stale.push(key);
  }
  return stale;
}
