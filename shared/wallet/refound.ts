// Re-founding a network whose witnesses are gone (docs/protocol.md §13.6): the balances every
// identity holds here become the new genesis's allocations (or debts, under mutual credit), and
// money held in escrow goes back to whoever locked it. Pure: the engine signs what this plans.
import type { KeyHex } from '../ids.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { MAX_ALLOCATIONS, type GenesisInput } from '../tx/genesis.ts';
import { reject } from '../tx/rejection.ts';
import type { Refusal } from './devices.ts';

export interface RefoundRequest {
  readonly name: string;
  readonly witnesses: readonly KeyHex[];
}

export interface RefoundPlan {
  readonly input: GenesisInput;
  /** What each identity holds in the new network (negative: owes), sorted by identity. */
  readonly carried: ReadonlyArray<readonly [KeyHex, bigint]>;
  /** This network's state root where the balances were read. */
  readonly root: string;
}

const refuse = (message: string): Refusal => ({
  ok: false,
  rejection: reject('invalid-body', message),
});

/** Every identity's balance across its chains, with escrow returned to whoever locked it. */
export function carriedBalances(ledger: Ledger): Array<readonly [KeyHex, bigint]> {
  const held = new Map<KeyHex, bigint>();
  const add = (key: KeyHex, amount: bigint) => {
    const identity = ledger.identityOf(key);
    held.set(identity, (held.get(identity) ?? 0n) + amount);
  };
  for (const key of ledger.accounts()) add(key, ledger.account(key).balance);
  for (const [id, amount] of ledger.escrows()) {
    const locker = ledger.get(id)?.author;
    if (locker !== undefined) add(locker, amount);
  }
  return [...held.entries()]
    .filter(([, amount]) => amount !== 0n)
    .sort(([a], [b]) => (a < b ? -1 : 1));
}

export function planRefound(
  ledger: Ledger,
  request: RefoundRequest,
): { ok: true; plan: RefoundPlan } | Refusal {
  const name = request.name.trim();
  if (name.length === 0 || name.length > 64)
    return refuse('the new network needs a name of 1 to 64 characters');
  if (request.witnesses.length === 0)
    return refuse('name at least one witness for the new network (--witness ADDRESS)');
  if (new Set(request.witnesses).size !== request.witnesses.length)
    return refuse('a witness is named twice');
  if (request.witnesses.some((k) => ledger.device(k) !== undefined))
    return refuse("a device key cannot be a witness; name the identity's own address");
  const carried = carriedBalances(ledger);
  const allocations = carried.filter(([, n]) => n > 0n);
  const debts = carried.filter(([, n]) => n < 0n).map(([k, n]) => [k, -n] as const);
  if (allocations.length > MAX_ALLOCATIONS || debts.length > MAX_ALLOCATIONS)
    return refuse(
      `more than ${MAX_ALLOCATIONS} accounts hold money: a genesis cannot carry them all over`,
    );
  const root = ledger.stateRoot();
  return {
    ok: true,
    plan: {
      input: {
        name,
        witnesses: [...request.witnesses].sort(),
        allocations,
        creditLimit: ledger.creditLimit,
        // The money keeps its name; a network that never named it stays unnamed.
        ...unitOf(ledger),
        refounds: { from: ledger.networkId, root, debts },
      },
      carried,
      root,
    },
  };
}

function unitOf(ledger: Ledger): { unit?: string } {
  const unit = ledger.genesis.body.params.unit;
  return unit === undefined ? {} : { unit };
}
