// A network with two certified checkpoints, built in one ledger (`full`), for the tests of
// starting from a certified state (test/ledger/fastForward.test.ts, test/engine/fastForward.test.ts).
import { expect } from 'vitest';
import type { TxId } from '../../shared/ids.ts';
import { certificateOf, type Certificate } from '../../shared/ledger/certificate.ts';
import { stateAtCut } from '../../shared/ledger/cutState.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import type { GenesisBody } from '../../shared/tx/genesis.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { composeCheckpoint, planCheckpoint, planParents } from '../../shared/wallet/checkpoint.ts';
import { composeVote } from '../../shared/wallet/compose.ts';
import { genesisOf, identity, registry, sign, transfer, type TestIdentity } from './network.ts';

export const alice = identity('ff alice');
export const bob = identity('ff bob');
export const witnesses = ['ff w1', 'ff w2', 'ff w3', 'ff w4'].map(identity);

export interface CertifiedNetwork {
  readonly genesis: VerifiedTx<GenesisBody>;
  /** The whole history: checkpoint `first`, later `second`, each certified, and payments after. */
  readonly full: Ledger;
  /** The state of each checkpoint, by id. */
  readonly states: ReadonlyMap<TxId, Uint8Array>;
  readonly first: TxId;
  readonly second: TxId;
  readonly fresh: () => Ledger;
  readonly settle: (ledger: Ledger, voters?: readonly TestIdentity[]) => Promise<void>;
  readonly certificate: (id: TxId) => Certificate;
}

/** `before`: payments (each settled by the witnesses' votes) before the first checkpoint. */
export async function certifiedNetwork({ before = 6 } = {}): Promise<CertifiedNetwork> {
  const states = new Map<TxId, Uint8Array>();
  const genesis = (await genesisOf({
    witnesses,
    allocations: [
      [alice, 1000n],
      [bob, 1000n],
      [witnesses[0] as TestIdentity, 100n],
    ],
  })) as VerifiedTx<GenesisBody>;

  const fresh = (): Ledger => {
    const started = Ledger.fromGenesis(genesis, registry);
    if (!started.ok) throw new Error(started.rejection.message);
    return started.ledger;
  };
  const settle = async (ledger: Ledger, voters: readonly TestIdentity[] = witnesses) => {
    for (let round = 0; round < 3; round++)
      for (const w of voters) {
        const composed = composeVote(ledger, w.key, 1, { checked: () => true });
        if (composed?.ok) ledger.insert(await sign(w, composed.tx));
      }
  };
  const checkpoint = async (ledger: Ledger, who: TestIdentity): Promise<TxId> => {
    const plan = planCheckpoint(ledger, who.key);
    if ('code' in plan) throw new Error(plan.message);
    const state = stateAtCut(ledger, planParents(plan), plan.after ? states.get(plan.after) : null);
    if (!state.ok) throw new Error(state.error);
    const composed = composeCheckpoint(
      ledger,
      who.key,
      plan,
      { root: state.root, size: state.bytes.length },
      1,
    );
    if (!composed.ok) throw new Error(composed.rejection.message);
    const tx = await sign(who, composed.tx);
    expect(ledger.insert(tx).status).toBe('accepted');
    states.set(tx.id, state.bytes);
    return tx.id;
  };
  const pay = async (ledger: Ledger, count: number) => {
    for (let i = 0; i < count; i++) {
      await transfer(ledger, i % 2 ? bob : alice, i % 2 ? alice : bob, 1n);
      await settle(ledger);
    }
  };

  const full = fresh();
  await pay(full, before);
  const first = await checkpoint(full, witnesses[0] as TestIdentity);
  // Its proposer pays before anyone votes: the votes certifying it name that payment.
  await transfer(full, witnesses[0] as TestIdentity, bob, 1n);
  await settle(full);
  await pay(full, 6);
  const second = await checkpoint(full, witnesses[1] as TestIdentity);
  await settle(full);
  await pay(full, 4);
  const certificate = (id: TxId): Certificate => {
    const c = certificateOf(full, id);
    if (!c) throw new Error('not certified');
    return c;
  };
  return { genesis, full, states, first, second, fresh, settle, certificate };
}
