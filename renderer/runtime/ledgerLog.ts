// Rebuilds the ledger from the browser's durable log (IndexedDB). The log is this origin's own
// storage, but anything else running in the origin could have written to it, so every record
// goes through the full intake check again; WebCrypto verifies in parallel, a batch at a time.
import type { NetworkId } from '../../shared/ids.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import type { LoadFacts } from '../../shared/ledger/ownHead.ts';
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
  /** What the store said about itself, for judging our own chain's head (shared/ledger/ownHead). */
  readonly facts: LoadFacts;
}

export async function replayLog(
  store: LogStore,
  networkId: NetworkId,
  onProgress?: (done: number, total: number) => void,
): Promise<ReplayedLog> {
  const { records, recovery, instance } = await store.load();
  const facts: LoadFacts = {
    instance,
    // Records that fail their checks are damage too: whatever they were is not there.
    damaged: recovery?.kind === 'damage',
  };
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
  const damaged = { ...facts, damaged: facts.damaged || skipped > 0 };
  if (genesis === undefined) return { ledger: null, txs, skipped, facts: damaged };
  if (genesis.id !== networkId) {
    throw new LedgerLogError(
      'The ledger saved in this browser belongs to another network. Leave that network first.',
    );
  }
  const started = Ledger.fromGenesis(genesis, registry);
  if (!started.ok)
    throw new LedgerLogError(`The saved ledger cannot start: ${started.rejection.message}.`);
  for (const tx of rest) started.ledger.insert(tx);
  return { ledger: started.ledger, txs, skipped, facts: damaged };
}
