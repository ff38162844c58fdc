// Builds the next unsigned transaction for an identity from its view of the ledger: the right
// seq and prev, and in deps the final credits it can claim together with the votes that prove
// them final. Signing happens elsewhere (the key vault), so this stays pure.
import { fromHex } from '../bytes.ts';
import type { CborValue } from '../codec/cbor.ts';
import type { KeyHex, TxId } from '../ids.ts';
import { nextPosition, type Ledger } from '../ledger/ledger.ts';
import { MAX_DEPS, type UnsignedTx } from '../tx/envelope.ts';
import { reject, type Rejection } from '../tx/rejection.ts';
import { MAX_VOTE_HEADS } from '../tx/vote.ts';

export type ComposeResult =
  { ok: true; tx: UnsignedTx; claimed: bigint } | { ok: false; rejection: Rejection };

/** Picks claimable credits, with their finality votes, while they fit in the deps limit. */
export function claimDeps(
  ledger: Ledger,
  author: KeyHex,
  room: number,
  prev: TxId | null,
): { deps: Set<TxId>; claimed: bigint } {
  const deps = new Set<TxId>();
  let claimed = 0n;
  for (const credit of ledger.claimableCredits(author)) {
    // The author's own latest vote is its prev: already in the causal past, never a dep.
    const added = [credit.id, ...credit.votes].filter((id) => !deps.has(id) && id !== prev);
    if (deps.size + added.length > room) break;
    for (const id of added) deps.add(id);
    claimed += credit.amount;
  }
  return { deps, claimed };
}

/**
 * Adds to `tx`'s deps a transaction that has this peer's latest view of the witness sets, when
 * the author's chain does not have it yet (§13.7): who may sign is judged by the transaction's
 * past, so a member admitted by a change must cite it. A no-op on a network that never changed.
 */
export function withEpochDeps(ledger: Ledger, tx: UnsignedTx): UnsignedTx {
  const cite = ledger.epochTx;
  if (cite === ledger.networkId || tx.deps.includes(cite) || tx.prev === cite) return tx;
  if (tx.deps.length >= MAX_DEPS || tx.net === null) return tx;
  const head = tx.prev === null ? undefined : ledger.epochsOf(tx.prev);
  const current = ledger.epochs;
  if (head && head.open.key === current.open.key && head.seen.key === current.seen.key) return tx;
  return { ...tx, deps: [...tx.deps, cite] };
}

export interface TransferRequest {
  readonly from: KeyHex;
  readonly to: KeyHex;
  readonly amount: bigint;
  readonly memo?: Uint8Array;
  readonly time: number;
}

export function composeTransfer(ledger: Ledger, request: TransferRequest): ComposeResult {
  if (request.amount <= 0n)
    return { ok: false, rejection: reject('invalid-body', 'the amount must be positive') };
  if (request.to === request.from) {
    return { ok: false, rejection: reject('invalid-body', 'a transfer to yourself does nothing') };
  }
  const position = nextPosition(ledger, request.from);
  if ('code' in position) return { ok: false, rejection: position };
  const { deps, claimed } = claimDeps(ledger, request.from, MAX_DEPS, position.prev);
  const spendable = ledger.spendable(request.from) + ledger.creditLineOf(request.from);
  if (spendable < request.amount) {
    return {
      ok: false,
      rejection: reject(
        'insufficient-funds',
        `you can spend ${spendable} now; pending credits count once final`,
      ),
    };
  }
  const body: Record<string, CborValue> = { to: fromHex(request.to), amount: request.amount };
  if (request.memo) body.memo = request.memo;
  return {
    ok: true,
    claimed,
    tx: withEpochDeps(ledger, {
      net: ledger.networkId,
      ...position,
      deps: [...deps],
      type: 'transfer',
      body,
      time: request.time,
    }),
  };
}

/**
 * A witness's next vote: the current heads of authors it has not yet voted up to, skipping
 * frozen authors. Null when there is nothing new to vote for, unless `tick` asks for a vote
 * anyway.
 */
export function composeVote(
  ledger: Ledger,
  witness: KeyHex,
  time: number,
  options: {
    tick?: boolean;
    backs?: (change: TxId) => boolean;
    /** The checkpoints whose state this witness computed and found the same (§14.3). */
    checked?: (checkpoint: TxId) => boolean;
  } = {},
): ComposeResult | null {
  // The vote carries this peer's view of the witness sets (§13.4); whether it may vote at all
  // is judged in the set that view opens.
  const evidence = ledger.epochEvidence(witness);
  if (!evidence.state.open.witnesses.has(witness))
    return { ok: false, rejection: reject('not-witness', 'not a witness of this network') };
  const position = nextPosition(ledger, witness);
  if ('code' in position) return { ok: false, rejection: position };
  const room = Math.min(MAX_VOTE_HEADS, MAX_DEPS - evidence.deps.length);
  const heads = ledger.votableHeads(witness, options.backs, options.checked).slice(0, room);
  // A tick (a vote with no new heads) dates the witness's view when a deadline passes; a vote
  // that only carries news of the witness sets acknowledges a change.
  if (heads.length === 0 && !options.tick && !evidence.advances) return null;
  return {
    ok: true,
    claimed: 0n,
    tx: {
      net: ledger.networkId,
      ...position,
      // The witness's own head is its prev, which must not repeat in deps.
      deps: [...new Set([...evidence.deps, ...heads.map((h) => h.id)])].filter(
        (id) => id !== position.prev,
      ),
      type: 'vote',
      body: { heads: heads.map((h) => [fromHex(h.author), h.seq, fromHex(h.id)]) },
      time,
    },
  };
}
