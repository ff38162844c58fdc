// A new network's first transaction, as every founder signs it (the CLI's `network create` and
// the app's network wizard): composed from the founder's choices, signed through the signer
// port, and checked like any transaction. PeerEngine.open([genesis]) then stores it and starts
// the founder's chain.
import { DEFAULT_BUDGET } from '../shared/ledger/budget.ts';
import type { Admit } from '../shared/replication/ledgerDoc.ts';
import { genesisBody, type GenesisInput } from '../shared/tx/genesis.ts';
import type { EngineSigner } from './ports.ts';

/**
 * What every network founded now has unless its founder chose otherwise: the witnesses add
 * randomness to its validator draws (docs/protocol.md §11.5), and each author has a writing
 * budget (§15).
 */
export const withTodaysRules = (input: GenesisInput): GenesisInput => ({
  ...input,
  witnessedDraw: input.witnessedDraw ?? true,
  budget: input.budget ?? DEFAULT_BUDGET,
});

export function foundNetwork(
  signer: EngineSigner,
  input: GenesisInput,
  time: number,
  admit: Admit,
): ReturnType<Admit> {
  const bytes = signer.sign({
    net: null,
    seq: 0,
    prev: null,
    deps: [],
    type: 'genesis',
    body: genesisBody(withTodaysRules(input)),
    time,
  });
  return admit(bytes);
}
