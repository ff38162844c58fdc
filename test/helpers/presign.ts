// A batch of transfers signed in a row without asking the ledger, as a flooding member would
// sign them offline: the first is composed by the wallet (its position, claims and epoch deps),
// the rest follow it on the same chain. No budget check is made (shared/wallet/budget.ts is what
// an honest wallet adds), so the batch may go past the author's writing budget (§15): the peers
// that receive it are what must refuse the excess. Used by test/net/flood.test.ts and the bench's
// s16 flood scenario.
import { sha256 } from '../../shared/crypto/sha256.ts';
import { txIdOf, type KeyHex, type TxId } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { MAX_DEPS, signTx } from '../../shared/tx/envelope.ts';
import { composeTransfer } from '../../shared/wallet/compose.ts';
import { nativeSigner } from './nativeSigner.ts';

export interface PresignOptions {
  /** How many transfers of 1 unit each. */
  readonly count: number;
  /** The first one's date. */
  readonly start: number;
  /** How far apart their dates are, in ms (0: all dated `start`). */
  readonly step: number;
  /** Cite the current witnesses' latest votes in the first one, as an honest wallet would. */
  readonly citeVotes?: boolean;
}

export interface Presigned {
  readonly id: TxId;
  readonly bytes: Uint8Array;
}

/** `count` 1-unit transfers from `secret`'s chain (whose key is `from`) to `to`, in chain order. */
export function presignTransfers(
  ledger: Ledger,
  secret: Uint8Array,
  from: KeyHex,
  to: KeyHex,
  options: PresignOptions,
): Presigned[] {
  const composed = composeTransfer(ledger, { from, to, amount: 1n, time: options.start });
  if (!composed.ok) throw new Error(composed.rejection.message);
  const first = composed.tx;
  const votes = options.citeVotes ? latestVotes(ledger) : [];
  const deps = [...new Set([...first.deps, ...votes])].slice(0, MAX_DEPS);
  const out: Presigned[] = [];
  for (let i = 0; i < options.count; i++) {
    const previous = out[i - 1];
    const bytes = signTx(
      secret,
      previous === undefined
        ? { ...first, deps }
        : // Claims and epoch deps were cited by the first: the chain carries them on.
          {
            ...first,
            seq: first.seq + i,
            prev: previous.id,
            deps: [],
            time: options.start + i * options.step,
          },
      nativeSigner,
    );
    out.push({ id: txIdOf(sha256(bytes)), bytes });
  }
  return out;
}

function latestVotes(ledger: Ledger): TxId[] {
  const ids: TxId[] = [];
  for (const witness of ledger.witnesses) {
    const id = ledger.latestVote(witness);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}
