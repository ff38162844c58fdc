// Test helpers for changes of the witnesses (docs/protocol.md §13): propose one through the real
// wallet planner and admission, and let witnesses vote with or without backing it.
import { signMessage } from '../../shared/crypto/ed25519.ts';
import type { TxId } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { composeVote } from '../../shared/wallet/compose.ts';
import {
  composeWitnessSet,
  planWitnessChange,
  witnessSetSigningMessage,
  type WitnessChange,
} from '../../shared/wallet/witnesses.ts';
import { sign, type TestIdentity } from './network.ts';

/** Signs a proposal of `change` by witness `by` under the one-time key `author` (not inserted). */
export async function proposeTx(
  ledger: Ledger,
  by: TestIdentity,
  author: TestIdentity,
  change: WitnessChange,
): Promise<VerifiedTx> {
  const planned = planWitnessChange(ledger, by.key, change);
  if (!planned.ok) throw new Error(planned.rejection.message);
  const sig = signMessage(by.secret, witnessSetSigningMessage(planned.plan, author.key));
  return sign(author, composeWitnessSet(planned.plan, sig, 1));
}

/** One vote by `witness`, backing the changes in `backs`; null when it has nothing to say. */
export async function voteBacking(
  ledger: Ledger,
  witness: TestIdentity,
  backs: readonly TxId[] = [],
): Promise<VerifiedTx | null> {
  const composed = composeVote(ledger, witness.key, 1, { backs: (id) => backs.includes(id) });
  if (composed === null || !composed.ok) return null;
  const tx = await sign(witness, composed.tx);
  const outcome = ledger.insert(tx);
  if (outcome.status !== 'accepted')
    throw new Error(`vote not accepted: ${JSON.stringify(outcome)}`);
  return tx;
}

/** Rounds of votes by every witness given, until nothing is left to say. */
export async function settle(
  ledger: Ledger,
  witnesses: readonly TestIdentity[],
  backs: readonly TxId[] = [],
): Promise<void> {
  for (let round = 0; round < 6; round++) {
    let any = false;
    for (const w of witnesses) if (await voteBacking(ledger, w, backs)) any = true;
    if (!any) return;
  }
}
