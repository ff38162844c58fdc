// Reading a peer's durable log back into a ledger, on every platform. Records up to the
// checkpoint were verified before they were written, so they are decoded without checking
// signatures again; records after it (written just before a crash, say) are checked in full,
// their signatures spread over the verify port's threads. A record that fails its checks is
// left out and counted, and the log counts as damaged: whatever that record was is not there,
// so the peer does not sign before a full sync tells it its own chain's head.
import { decodeCanonical, encodeCanonical } from '../shared/codec/cbor.ts';
import type { NetworkId, TxId } from '../shared/ids.ts';
import { Ledger } from '../shared/ledger/ledger.ts';
import type { LoadFacts } from '../shared/ledger/ownHead.ts';
import type { LogStore } from '../shared/storage/port.ts';
import { decodeTx, trustStoredTx, type VerifiedTx } from '../shared/tx/registry.ts';
import { registry, type Intake } from './intake.ts';

const CHECKPOINT_KEY = 'checkpoint';
/** Records checked between progress reports. */
const VERIFY_BATCH = 4096;

export class LogReplayError extends Error {
  override name = 'LogReplayError';
}

export interface ReplayedLog {
  /** Null when the log holds no genesis: the peer has not seen its network's genesis yet. */
  readonly ledger: Ledger | null;
  /** Every valid transaction of the log, genesis first. */
  readonly txs: readonly VerifiedTx[];
  /**
   * Records below the cut of the certified state the ledger started from, which it therefore
   * does not hold (a prune keeps the user's own, engine/pruning.ts): final history, kept apart.
   */
  readonly past: readonly VerifiedTx[];
  /** Records that failed their checks and were left out. */
  readonly skipped: number;
  /** Sentences for the user about what was repaired or left out; absent when nothing was. */
  readonly recovered?: string;
  /** What the store said about itself, for judging our own chain's head (shared/ledger/ownHead). */
  readonly facts: LoadFacts;
}

export async function readCheckpoint(store: LogStore): Promise<number> {
  const raw = await store.getMeta(CHECKPOINT_KEY);
  if (!raw) return 0;
  const decoded = decodeCanonical(raw, 64);
  const value = decoded.ok ? (decoded.value as { count?: unknown }) : undefined;
  return typeof value?.count === 'number' ? value.count : 0;
}

export async function writeCheckpoint(store: LogStore, count: number): Promise<void> {
  await store.putMeta(CHECKPOINT_KEY, encodeCanonical({ v: 1, count }));
}

/**
 * How the ledger starts once the genesis is read: from a base (a certified checkpoint's state,
 * engine/fastForward.ts), or a sentence saying why it cannot, and then from the genesis.
 */
export type LedgerStart = (genesis: VerifiedTx) => Ledger | string;

/** Reads `store` back into a ledger of `networkId`; `onProgress` hears how many records are in. */
export async function replayLog(
  store: LogStore,
  networkId: NetworkId,
  intake: Intake,
  onProgress?: (done: number, total: number) => void,
  start?: LedgerStart,
): Promise<ReplayedLog> {
  const { records, recovery, instance } = await store.load();
  const damaged = recovery?.kind === 'damage';
  // After damage the records moved, and one the repair found again was only CRC-checked.
  const trusted = damaged ? 0 : Math.min(await readCheckpoint(store), records.length);
  const builder = new LedgerBuilder(networkId, start);
  // Records are the store's own: decoding may keep their bytes, and the ledger's id strings
  // serve each later prev and dep (one string per id, no side table).
  const knownIds = { get: (id: string) => builder.ledger?.get(id as TxId)?.id };
  for (let i = 0; i < trusted; i++) {
    const decoded = decodeTx(records[i], registry, { owned: true, knownIds });
    if (decoded.ok) builder.add(trustStoredTx(decoded.tx));
    else builder.skipped++;
  }
  if (trusted > 0) onProgress?.(trusted, records.length);
  for (let start = trusted; start < records.length; start += VERIFY_BATCH) {
    const batch = records.slice(start, Math.min(records.length, start + VERIFY_BATCH));
    for (const result of await intake.admitMany(batch)) {
      if (result.ok) builder.add(result.tx);
      else builder.skipped++;
    }
    onProgress?.(start + batch.length, records.length);
  }
  if (builder.ledger !== null && trusted < records.length && builder.skipped === 0)
    await writeCheckpoint(store, records.length);
  const notes = [
    recovery?.reason,
    builder.baseRefused,
    builder.skipped > 0
      ? `${builder.skipped} saved record${builder.skipped === 1 ? '' : 's'} did not hold a valid ` +
        `transaction and ${builder.skipped === 1 ? 'was' : 'were'} left out.`
      : undefined,
    builder.ledger === null && records.length > 0
      ? "The network's genesis was not among the readable records: this peer gets it, and the " +
        'rest, again from the members.'
      : undefined,
  ].filter((note): note is string => note !== undefined);
  return {
    ledger: builder.ledger,
    txs: builder.txs,
    past: builder.past,
    skipped: builder.skipped,
    facts: { instance, damaged: damaged || builder.skipped > 0 },
    ...(notes.length > 0 ? { recovered: notes.join(' ') } : {}),
  };
}

/** Builds the ledger as records come: those read before the genesis wait for it. */
class LedgerBuilder {
  ledger: Ledger | null = null;
  readonly txs: VerifiedTx[] = [];
  readonly past: VerifiedTx[] = [];
  skipped = 0;
  /** Why the base could not be used, when it could not. */
  baseRefused: string | undefined;
  readonly #held: VerifiedTx[] = [];
  readonly #networkId: NetworkId;
  readonly #start: LedgerStart | undefined;

  constructor(networkId: NetworkId, start?: LedgerStart) {
    this.#networkId = networkId;
    this.#start = start;
  }

  add(tx: VerifiedTx): void {
    if (this.ledger) {
      if (this.ledger.insert(tx).status === 'pruned') this.past.push(tx);
      else this.txs.push(tx);
      return;
    }
    if (tx.id !== this.#networkId) {
      if (tx.net !== this.#networkId)
        throw new LogReplayError(
          'The saved ledger belongs to another network: this home or profile is for that one.',
        );
      this.#held.push(tx);
      return;
    }
    const ledger = (this.ledger = this.#startFrom(tx));
    this.txs.push(tx);
    for (const early of this.#held.splice(0))
      if (ledger.insert(early).status === 'pruned') this.past.push(early);
      else this.txs.push(early);
  }

  #startFrom(genesis: VerifiedTx): Ledger {
    const based = this.#start?.(genesis);
    if (based instanceof Ledger) return based;
    // Without its base, what the log holds after the base's cut waits for the history before
    // it, which the members send again.
    if (based !== undefined)
      this.baseRefused = `The snapshot this peer started from cannot be used (${based}): it gets the history before it from the members again.`;
    const started = Ledger.fromGenesis(genesis, registry);
    if (!started.ok)
      throw new LogReplayError(`The saved ledger cannot start: ${started.rejection.message}.`);
    return started.ledger;
  }
}
