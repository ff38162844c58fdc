// Reading a peer's durable log back into a ledger. Records up to the checkpoint were verified
// before they were written, so they are decoded without re-checking signatures; records after
// it (written just before a crash, say) are verified in full. Used by the running peer and by
// offline CLI commands alike.
import { decodeCanonical, encodeCanonical } from '../../shared/codec/cbor.ts';
import { createVerifier } from '../../shared/crypto/ed25519.ts';
import type { NetworkId } from '../../shared/ids.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import type { LogStore, ProgressListener } from '../../shared/storage/port.ts';
import {
  admitTx,
  decodeTx,
  trustStoredTx,
  TypeRegistry,
  type VerifiedTx,
} from '../../shared/tx/registry.ts';
import { nodeBackend } from '../crypto/nodeEd25519.ts';
import { signedItemsOf, type VerifyPool } from '../crypto/verifyPool.ts';
import type { AdmitResult } from '../../shared/replication/screen.ts';
import { reject } from '../../shared/tx/rejection.ts';

export const registry = new TypeRegistry();
export const verifier = createVerifier(nodeBackend);
export const admit = (bytes: Uint8Array) => admitTx(bytes, registry, verifier);

/** admit for many entries, their signatures checked on the pool's threads. */
export async function admitMany(
  pool: VerifyPool,
  values: readonly Uint8Array[],
): Promise<AdmitResult[]> {
  const decoded = values.map((bytes) => decodeTx(bytes, registry));
  const txs = decoded.flatMap((d) => (d.ok ? [d.tx] : []));
  const valid = await pool.verifyAll(signedItemsOf(txs));
  let next = 0;
  return decoded.map((d): AdmitResult => {
    if (!d.ok) return d;
    if (valid[next++]) return { ok: true, tx: trustStoredTx(d.tx) };
    return {
      ok: false,
      rejection: reject('bad-signature', 'the signature does not verify for its author'),
    };
  });
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
  const { records, recovery } = await store.load(onProgress);
  const recovered = recovery ? `the log was repaired after a crash: ${recovery.reason}` : undefined;
  if (records.length === 0) return { ledger: null, txs: [], ...(recovered ? { recovered } : {}) };
  const trusted = await readCheckpoint(store);
  const txs: VerifiedTx[] = [];
  for (let i = 0; i < records.length; i++) {
    const bytes = records[i] as Uint8Array;
    // Records are fresh copies that only this loop holds: decoding may keep them as they are.
    const result = i < trusted ? decodeTx(bytes, registry, { owned: true }) : await admit(bytes);
    if (!result.ok) {
      throw new LocalLedgerError(
        `record ${i} of the log is invalid (${result.rejection.code}): the data directory is damaged`,
      );
    }
    txs.push(i < trusted ? trustStoredTx(result.tx) : (result.tx as VerifiedTx));
  }
  const genesis = txs[0] as VerifiedTx;
  if (genesis.id !== networkId)
    throw new LocalLedgerError('this data directory belongs to another network');
  const started = Ledger.fromGenesis(genesis, registry);
  if (!started.ok) throw new LocalLedgerError(started.rejection.message);
  for (const tx of txs.slice(1)) started.ledger.insert(tx);
  if (trusted < records.length) await writeCheckpoint(store, records.length);
  return { ledger: started.ledger, txs, ...(recovered ? { recovered } : {}) };
}
