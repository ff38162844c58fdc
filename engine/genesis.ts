// A new network's first transaction, as every founder signs it (the CLI's `network create` and
// the app's network wizard): composed from the founder's choices, signed through the signer
// port, and checked like any transaction. PeerEngine.open([genesis]) then stores it and starts
// the founder's chain. Every network founded here has the witnesses add randomness to its
// validator draws (docs/protocol.md §11.5) unless the input says otherwise.
import type { Admit } from '../shared/replication/ledgerDoc.ts';
import { genesisBody, type GenesisInput } from '../shared/tx/genesis.ts';
import type { EngineSigner } from './ports.ts';

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
    body: genesisBody({ ...input, witnessedDraw: input.witnessedDraw ?? true }),
    time,
  });
  return admit(bytes);
}
