// Scenario 10's ring of payments (200 members each paying the next, the network's one witness
// voting after every round), generated in time linear in its length, for the sizes issue 17's
// P5 asks (1M and more). ringHistory composes each payment with the wallet: that was quadratic
// (452 s for 200,000) while the wallet's claimable credits walked every credit the member ever
// received, which they no longer do (the index of unclaimed credits, shared/ledger/unclaimed.ts).
// Here each payment claims the credits its member got since its last claim once final, with the
// votes that made them final, as the wallet would in a ring; every transaction still goes
// through the ledger, which refuses anything invalid (the generator then throws).
import type { KeyHex, TxId } from '../../shared/ids.ts';
import { Ledger, nextPosition } from '../../shared/ledger/ledger.ts';
import { signTx, type UnsignedTx } from '../../shared/tx/envelope.ts';
import { decodeTx, trustStoredTx, type VerifiedTx } from '../../shared/tx/registry.ts';
import { composeVote, withEpochDeps } from '../../shared/wallet/compose.ts';
import { nativeSigner } from '../../test/helpers/nativeSigner.ts';
import { genesisOf, identity, type TestIdentity } from '../../test/helpers/network.ts';
import { benchRegistry } from './ledgerData.ts';

/** Members of the ring, each paying the next. */
export const RING_MEMBERS = 200;
/** The witness of the ring's network, its only one. */
export const RING_WITNESS = 'ring-witness';

export interface Ring {
  readonly genesis: VerifiedTx;
  readonly txs: VerifiedTx[];
}

/** The ring's network before any payment: its members, its witness, and a ledger at genesis. */
export async function ringNetwork(): Promise<{
  members: TestIdentity[];
  witness: TestIdentity;
  genesis: VerifiedTx;
  ledger: Ledger;
}> {
  const members = Array.from({ length: RING_MEMBERS }, (_, i) => identity(`ring-member-${i}`));
  const witness = identity(RING_WITNESS);
  const genesis = await genesisOf({
    founder: witness,
    witnesses: [witness],
    allocations: members.map((m) => [m, 1_000_000n] as const),
  });
  const started = Ledger.fromGenesis(genesis, benchRegistry);
  if (!started.ok) throw new Error(started.rejection.message);
  return { members, witness, genesis, ledger: started.ledger };
}

export async function fastRing(count: number): Promise<Ring> {
  const { members, witness, genesis, ledger } = await ringNetwork();
  const txs: VerifiedTx[] = [];
  const add = (who: TestIdentity, unsigned: UnsignedTx): VerifiedTx => {
    const decoded = decodeTx(signTx(who.secret, unsigned, nativeSigner), benchRegistry);
    if (!decoded.ok) throw new Error(decoded.rejection.message);
    const tx = trustStoredTx(decoded.tx);
    const outcome = ledger.insert(tx);
    if (outcome.status !== 'accepted')
      throw new Error(`a generated ${tx.type} was ${outcome.status}`);
    txs.push(tx);
    return tx;
  };
  /** The credits each member got since its last claim, final once a round's votes came. */
  const owed = new Map<KeyHex, TxId[]>();
  while (txs.length < count) {
    for (let i = 0; i < RING_MEMBERS && txs.length < count; i++) {
      const from = members[i] as TestIdentity;
      const to = members[(i + 1) % RING_MEMBERS] as TestIdentity;
      const position = nextPosition(ledger, from.key);
      if ('code' in position) throw new Error(position.message);
      const mine = owed.get(from.key) ?? [];
      const final = mine.filter((id) => ledger.isFinal(id));
      owed.set(
        from.key,
        mine.filter((id) => !final.includes(id)),
      );
      // Each claim cites the votes that make it final (shared/ledger/claims.ts).
      const deps = [...new Set(final.flatMap((id) => [id, ...ledger.finalityProof(id)]))];
      const tx = add(
        from,
        withEpochDeps(ledger, {
          net: ledger.networkId,
          ...position,
          deps,
          type: 'transfer',
          body: { to: Uint8Array.from(Buffer.from(to.key, 'hex')), amount: 1n },
          time: 1,
        }),
      );
      owed.set(to.key, [...(owed.get(to.key) ?? []), tx.id]);
    }
    // A vote names at most 64 heads: vote until every member's head is covered.
    for (let vote = composeVote(ledger, witness.key, 1); vote?.ok;) {
      add(witness, vote.tx);
      vote = composeVote(ledger, witness.key, 1);
    }
  }
  return { genesis, txs };
}
