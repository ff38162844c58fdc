// Builds a large, fully valid ledger quickly: many authors, each with a chain of transfers to
// one sink, signed with Node's native Ed25519.
import { createHash } from 'node:crypto';
import { fromHex } from '../../shared/bytes.ts';
import type { TxId } from '../../shared/ids.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { genesisOf, identity, type TestIdentity } from './network.ts';
import { nativeSigner } from './nativeSigner.ts';

export interface LargeLedger {
  readonly founder: TestIdentity;
  readonly genesis: VerifiedTx;
  /** Every transaction after the genesis, in an order where parents come first. */
  readonly txs: Uint8Array[];
}

export async function buildLargeLedger(count: number, authors = 200): Promise<LargeLedger> {
  const founder = identity('large-founder');
  const sink = identity('large-sink');
  const people = Array.from({ length: authors }, (_, i) => identity(`large-author-${i}`));
  const perAuthor = Math.ceil(count / authors);
  const genesis = await genesisOf({
    founder,
    witnesses: [founder],
    allocations: people.map((p) => [p, BigInt(perAuthor)] as const),
  });
  const txs: Uint8Array[] = [];
  const heads = people.map(() => null as TxId | null);
  for (let seq = 0; txs.length < count; seq++) {
    for (let a = 0; a < authors && txs.length < count; a++) {
      const bytes = signTx(
        people[a]!.secret,
        {
          net: genesis.id,
          seq,
          prev: heads[a]!,
          deps: [],
          type: 'transfer',
          body: { to: fromHex(sink.key), amount: 1n },
          time: 1_700_000_000_000 + seq,
        },
        nativeSigner,
      );
      heads[a] = createHash('sha256').update(bytes).digest('hex') as TxId;
      txs.push(bytes);
    }
  }
  return { founder, genesis, txs };
}
