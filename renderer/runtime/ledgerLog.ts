// Rebuilds the ledger from the browser's durable log (IndexedDB). The log is this origin's own
// storage, but anything else running in the origin could have written to it, so every record
// goes through the full intake check again; WebCrypto verifies in parallel, a batch at a time.
import type { NetworkId } from '../../shared/ids.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import type { LogStore } from '../../shared/storage/port.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { admit, registry } from './core.ts';

const VERIFY_BATCH = 256;

export class LedgerLogError extends Error {
  override name = 'LedgerLogError';
}

export interface ReplayedLog {
  /** Null for an empty log: the network's genesis has not arrived yet. */
  readonly ledger: Ledger | null;
  /** The valid transactions of the log, genesis first. */
  readonly txs: readonly VerifiedTx[];
  /** Records that failed the intake check and were left out. */
  readonly skipped: number;
}

export async function replayLog(
  store: LogStore,
  networkId: NetworkId,
  onProgress?: (done: number, total: number) => void,
): Promise<ReplayedLog> {
  const { records } = await store.load();
  const txs: VerifiedTx[] = [];
  let skipped = 0;
  for (let start = 0; start < records.length; start += VERIFY_BATCH) {
    const batch = records.slice(start, start + VERIFY_BATCH);
    for (const result of await Promise.all(batch.map((bytes) => admit(bytes)))) {
      if (result.ok) txs.push(result.tx);
      else skipped++;
    }
    onProgress?.(Math.min(records.length, start + VERIFY_BATCH), records.length);
  }
  const [genesis, ...rest] = txs;
  if (genesis === undefined) return { ledger: null, txs, skipped };
  if (genesis.id !== networkId) {
    throw new LedgerLogError(
      'The ledger saved in this browser belongs to another network. Leave that network first.',
    );
  }
  const started = Ledger.fromGenesis(genesis, registry);
  if (!started.ok)
    throw new LedgerLogError(`The saved ledger cannot start: ${started.rejection.message}.`);
  for (const tx of rest) started.ledger.insert(tx);
  return { ledger: started.ledger, txs, skipped };
}
