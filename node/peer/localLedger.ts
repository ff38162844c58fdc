// Reading a peer's durable log back into a ledger. Records up to the checkpoint were verified
// before they were written, so they are decoded without re-checking signatures; records after
// it (written just before a crash, say) are verified in full. Used by the running peer and by
// offline CLI commands alike.
import { decodeCanonical, encodeCanonical } from '../../shared/codec/cbor.ts';
import { createVerifier } from '../../shared/crypto/ed25519.ts';
import type { NetworkId, TxId } from '../../shared/ids.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import type { LoadFacts } from '../../shared/ledger/ownHead.ts';
import type { LogStore, ProgressListener } from '../../shared/storage/port.ts';
import {
  admitTx,
  decodeTx,
  trustStoredTx,
  TypeRegistry,
  type VerifiedTx,
} from '../../shared/tx/registry.ts';
import { nodeBackend } from '../crypto/nodeEd25519.ts';
// Node's native SHA-256 for ids and the screen (checked against noble as it installs).
import '../crypto/nativeSha256.ts';
import type { VerifyPool } from '../crypto/verifyPool.ts';
import type { AdmitResult } from '../../shared/replication/screen.ts';
import { reject } from '../../shared/tx/rejection.ts';
import type { Tx } from '../../shared/tx/envelope.ts';

export const registry = new TypeRegistry();
export const verifier = createVerifier(nodeBackend);
export const admit = (bytes: Uint8Array) => admitTx(bytes, registry, verifier);

/** Entries decoded between hand-offs to the pool: large enough to go to the threads. */
const PIPELINE_CHUNK = 4096;

/**
 * admit for many entries, their signatures checked on the pool's threads. Decoding is
 * pipelined with checking: each chunk goes to the threads as soon as it is decoded, so the
 * threads are not idle while this thread decodes. `ids`, when given, are the entries' ids
 * (the screen has just hashed them).
 */
export async function admitMany(
  pool: VerifyPool,
  values: readonly Uint8Array[],
  ids?: readonly TxId[],
): Promise<AdmitResult[]> {
  const results: AdmitResult[] = new Array<AdmitResult>(values.length);
  const checks: Array<Promise<void>> = [];
  for (let start = 0; start < values.length; start += PIPELINE_CHUNK) {
    const end = Math.min(values.length, start + PIPELINE_CHUNK);
    const txs: Tx[] = [];
    const at: number[] = [];
    for (let i = start; i < end; i++) {
      const id = ids?.[i];
      const decoded = decodeTx(values[i], registry, id === undefined ? undefined : { id });
      if (decoded.ok) {
        txs.push(decoded.tx);
        at.push(i);
      } else results[i] = decoded;
    }
    checks.push(
      pool.verifyTransactions(txs).then((valid) => {
        at.forEach((i, k) => {
          results[i] = valid[k]
            ? { ok: true, tx: trustStoredTx(txs[k] as Tx) }
            : {
                ok: false,
                rejection: reject('bad-signature', 'the signature does not verify for its author'),
              };
        });
      }),
    );
  }
  await Promise.all(checks);
  return results;
}

const CHECKPOINT_KEY = 'checkpoint';

export class LocalLedgerError extends Error {
  override name = 'LocalLedgerError';
}

export interface LoadedLedger {
  /** Null when the log is empty: the peer has not seen its network's genesis yet. */
  readonly ledger: Ledger | null;
  /** Every transaction of the log, genesis first, in log order. */
  readonly txs: readonly VerifiedTx[];
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

export async function loadLocalLedger(
  store: LogStore,
  networkId: NetworkId,
  onProgress?: ProgressListener,
): Promise<LoadedLedger> {
  const { records, recovery, instance } = await store.load(onProgress);
  // The store's reason is a whole sentence (a torn tail, or damage and where its copy was kept).
  const recovered = recovery?.reason;
  const facts: LoadFacts = {
    instance,
    damaged: recovery?.kind === 'damage',
  };
  if (records.length === 0)
    return { ledger: null, txs: [], facts, ...(recovered ? { recovered } : {}) };
  // After damage the records moved, and one the repair found again was only CRC-checked:
  // check every signature, and leave out (rather than fail on) a record that is no transaction.
  const trusted = facts.damaged ? 0 : await readCheckpoint(store);
  // Records are the caller's own (the storage port says so): decoding may keep them as they
  // are. Each goes into the ledger as soon as it is decoded, and the ledger's own id strings
  // serve each later prev and dep (one string per id, no side table).
  let ledger: Ledger | null = null;
  const knownIds = { get: (id: string) => ledger?.get(id as TxId)?.id };
  const txs: VerifiedTx[] = [];
  /** Transactions read before the genesis: after damage, the genesis may come later or never. */
  const held: VerifiedTx[] = [];
  let unreadable = 0;
  for (let i = 0; i < records.length; i++) {
    const bytes = records[i] as Uint8Array;
    const result =
      i < trusted ? decodeTx(bytes, registry, { owned: true, knownIds }) : await admit(bytes);
    if (!result.ok) {
      if (facts.damaged) {
        unreadable += 1;
        continue;
      }
      throw new LocalLedgerError(
        `record ${i} of the log is invalid (${result.rejection.code}): the data directory is damaged`,
      );
    }
    const tx = i < trusted ? trustStoredTx(result.tx) : (result.tx as VerifiedTx);
    if (ledger) {
      txs.push(tx);
      ledger.insert(tx);
      continue;
    }
    if (tx.id !== networkId) {
      if (tx.net !== networkId)
        throw new LocalLedgerError('this data directory belongs to another network');
      held.push(tx);
      continue;
    }
    const started = Ledger.fromGenesis(tx, registry);
    if (!started.ok) throw new LocalLedgerError(started.rejection.message);
    ledger = started.ledger;
    txs.push(tx, ...held);
    for (const early of held.splice(0)) ledger.insert(early);
  }
  if (ledger !== null && trusted < records.length) await writeCheckpoint(store, records.length);
  const notes = [
    recovered,
    unreadable > 0
      ? `${unreadable} record${unreadable === 1 ? '' : 's'} found after the damage did not ` +
        'hold a valid transaction and were left out.'
      : undefined,
    ledger === null
      ? "The network's genesis was not among the readable records: this peer gets it, and the " +
        'rest, again from the members.'
      : undefined,
  ].filter((note): note is string => note !== undefined);
  const note = notes.length > 0 ? { recovered: notes.join(' ') } : {};
  return { ledger, txs, facts, ...note };
}
