// The full intake check of untrusted bytes (canonical decoding, body schema, signature), as
// every platform runs it: one transaction on this thread, or many with their signatures spread
// over the platform's threads (the verify port).
import type { TxId } from '../shared/ids.ts';
import type { Admit } from '../shared/replication/ledgerDoc.ts';
import type { AdmitResult } from '../shared/replication/screen.ts';
import type { Tx } from '../shared/tx/envelope.ts';
import { protocolRegistry } from '../shared/protocol.ts';
import { innerSignaturesOf } from '../shared/tx/device.ts';
import { admitTx, decodeTx, trustStoredTx, verifyInner } from '../shared/tx/registry.ts';
import { reject } from '../shared/tx/rejection.ts';
import type { VerifyPort } from './ports.ts';

/** The transaction types every peer of every platform knows. */
export const registry = protocolRegistry();

/** Entries decoded between hand-offs to the pool: large enough to go to the threads. */
const PIPELINE_CHUNK = 4096;

export type AdmitMany = (
  values: readonly Uint8Array[],
  ids?: readonly TxId[],
) => Promise<AdmitResult[]>;

export interface Intake {
  readonly admit: Admit;
  readonly admitMany: AdmitMany;
}

export function createIntake(verify: Pick<VerifyPort, 'verifier' | 'verifyTransactions'>): Intake {
  return {
    admit: (bytes) => admitTx(bytes, registry, verify.verifier),
    admitMany: (values, ids) => admitMany(verify, values, ids),
  };
}

const BAD_SIGNATURE = reject('bad-signature', 'the signature does not verify for its author');

/**
 * admit for many entries. Decoding is pipelined with checking: each chunk goes to the threads as
 * soon as it is decoded, so they are not idle while this thread decodes. `ids`, when given, are
 * the entries' ids (the screen has just hashed them).
 */
async function admitMany(
  verify: Pick<VerifyPort, 'verifier' | 'verifyTransactions'>,
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
      verify.verifyTransactions(txs).then(async (valid) => {
        for (const [k, i] of at.entries()) {
          const tx = txs[k] as Tx;
          if (!valid[k]) results[i] = { ok: false, rejection: BAD_SIGNATURE };
          // The pool checks envelope signatures; the rare signatures inside a body (device
          // certificates, revocations) are checked here, on this thread.
          else if (innerSignaturesOf(tx).length > 0)
            results[i] = await verifyInner(tx, verify.verifier);
          else results[i] = { ok: true, tx: trustStoredTx(tx) };
        }
      }),
    );
  }
  await Promise.all(checks);
  return results;
}
