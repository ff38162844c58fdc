// The terms a request is negotiated and escrowed on: its type, its committee (m, k), and N run
// with the escrow's own committee check (committeeFor), so the negotiation never offers a
// provider the escrow would refuse (docs/protocol.md §11.2).
import { negotiate, type NegotiationResult } from '../../shared/dnec/negotiation.ts';
import { committeeFor, minimumCommittee, offersFor } from '../../shared/dnec/queries.ts';
import type { ServiceDef } from '../../shared/dnec/services.ts';
import type { KeyHex } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { majorityOf, serviceById } from '../../shared/wallet/market.ts';
import type { NegotiationInput } from './ports.ts';

export interface CommitteeTerms {
  readonly def: ServiceDef | undefined;
  readonly m: number;
  readonly k: number;
}

/** The type and its committee; without a size, the smallest the type needs (none for pow). */
export function committeeTerms(ledger: Ledger, input: NegotiationInput): CommitteeTerms {
  const def = serviceById(ledger, input.service);
  const m = input.validators ?? (def ? minimumCommittee(def) : 0);
  return { def, m, k: input.k ?? majorityOf(m) };
}

/**
 * N for a request by `me`: every other provider, ranked or excluded with its reason. A provider
 * for whom the escrow could not draw the committee is excluded by the escrow's own check.
 */
export function negotiateTerms(
  ledger: Ledger,
  me: KeyHex | null,
  input: NegotiationInput,
): NegotiationResult {
  const offers = offersFor(ledger, input.service).filter((o) => o.provider !== me);
  const { def, m, k } = committeeTerms(ledger, input);
  return negotiate(
    offers,
    {
      volume: input.volume,
      ...(input.maxRate === undefined ? {} : { maxRate: input.maxRate }),
      ...(input.minReputation === undefined ? {} : { minReputation: input.minReputation }),
      ...(input.exclude ? { exclude: input.exclude } : {}),
    },
    {
      validatorFee: input.fee ?? 0n,
      validators: m,
      ...(def && me
        ? { committee: (p: KeyHex) => committeeFor(ledger, def, { m, k }, me, p).problem }
        : {}),
    },
  );
}
