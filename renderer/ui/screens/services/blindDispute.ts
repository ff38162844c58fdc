// Whether a dispute would leave the committee judging blind (issue 18). The consumer's review
// carries a copy of the delivery sealed for each drawn validator only when this device can open
// the delivery (engine/market/dispute.ts, sealDisputeEvidence; docs/protocol.md §11.8); when it
// cannot, the review goes without evidence and the validators judge without seeing what was
// delivered. The Dispute question must say so before it is signed. The conditions are
// sealDisputeEvidence's, read from the same ledger and SSK session; the engine does not export
// them as a predicate (engine/ is not this file's to change), so the two are kept in step by
// test/renderer/disputeTexts.test.ts.
import type { InstanceView } from '../../../../shared/dnec/queries.ts';
import type { KeyHex } from '../../../../shared/ids.ts';
import { SEALED_DELIVERY } from '../../../../shared/wallet/market.ts';

/** Why no copy of the delivery can be sealed for the validators. */
export type BlindReason = 'noKeys' | 'offLedger' | 'unreadable';

/** What of an SSK session this needs (engine/ssk.ts SskSession has it). */
export interface DeliveryOpener {
  readonly canOpen: boolean;
  openSealed(
    sender: KeyHex,
    recipient: KeyHex,
    label: string,
    sealed: Uint8Array,
  ): Uint8Array | null;
}

/**
 * Why `me`, the consumer, disputing now would leave the committee without a copy of the
 * delivery; null when a copy will be sealed for each validator, or when no committee was drawn
 * (a review-judged job needs one: shared/dnec/services.ts committeeProblem).
 */
export function blindDispute(
  view: InstanceView,
  /** The delivery transaction's body, as the ledger holds it. */
  delivery: { readonly sealed?: unknown } | undefined,
  me: KeyHex,
  ssk: DeliveryOpener | null,
): BlindReason | null {
  if (view.committee.length === 0) return null;
  if (ssk === null || !ssk.canOpen) return 'noKeys';
  const sealed = delivery?.sealed;
  if (!(sealed instanceof Uint8Array)) return 'offLedger';
  return ssk.openSealed(view.request.provider, me, SEALED_DELIVERY, sealed) === null
    ? 'unreadable'
    : null;
}
