// The consumer's side of a dispute's evidence (docs/protocol.md §11.8): the delivered result it
// can open, and the request's sealed details, sealed with SSK for each validator P drew, so the
// committee judges what was delivered. A key is shared with a validator first when the two have
// none, as a request does for its provider.
import type { KeyHex } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import {
  encodeEvidence,
  evidenceFor,
  MAX_EVIDENCE_DETAILS,
  readEvidence,
  SEALED_EVIDENCE,
  sortedEvidence,
  type EvidenceEntries,
  type EvidenceReading,
} from '../../shared/dnec/evidence.ts';
import { MAX_SEALED } from '../../shared/dnec/bodies.ts';
import type { InstanceView } from '../../shared/dnec/queries.ts';
import { SEALED_DELIVERY, SEALED_REQUEST } from '../../shared/wallet/market.ts';
import { EngineError } from '../events.ts';
import type { SskSession } from '../ssk.ts';

/** A transaction may be 64 KiB; the copies may take most of it, the review's rest is small. */
const MAX_EVIDENCE_TOTAL = 56 * 1024;

/** Why no copy of the delivery can be sealed for the validators (issue 18's blind dispute). */
export type BlindReason = 'noKeys' | 'offLedger' | 'unreadable';

/** What of an SSK session a dispute's delivery needs (SskSession has it). */
export type DeliveryOpener = Pick<SskSession, 'canOpen' | 'openSealed'>;

/**
 * The delivered result `me`, the consumer, can open, or why it cannot; null when no committee
 * was drawn (then there is nobody to seal it for).
 */
function openDelivery(
  view: InstanceView,
  delivery: { readonly sealed?: unknown } | undefined,
  me: KeyHex,
  ssk: DeliveryOpener | null,
): Uint8Array | BlindReason | null {
  if (view.committee.length === 0) return null;
  if (ssk === null || !ssk.canOpen) return 'noKeys';
  const sealed = delivery?.sealed;
  if (!(sealed instanceof Uint8Array)) return 'offLedger';
  return ssk.openSealed(view.request.provider, me, SEALED_DELIVERY, sealed) ?? 'unreadable';
}

/**
 * Why `me` disputing now would leave the committee without a copy of the delivery; null when a
 * copy will be sealed for each validator, or when no committee was drawn. The Dispute question
 * says so before it is signed (renderer/ui/components/DecisionConfirm.tsx).
 */
export function blindDispute(
  view: InstanceView,
  /** The delivery transaction's body, as the ledger holds it. */
  delivery: { readonly sealed?: unknown } | undefined,
  me: KeyHex,
  ssk: DeliveryOpener | null,
): BlindReason | null {
  const opened = openDelivery(view, delivery, me, ssk);
  return typeof opened === 'string' ? opened : null;
}

/**
 * The evidence list of a dispute, or undefined when there is nothing to seal: no committee, a
 * delivery that went off the ledger, or keys this device cannot open (blindDispute says which).
 * Throws an EngineError when the copies would not fit in one transaction.
 */
export async function sealDisputeEvidence(
  ledger: Ledger,
  view: InstanceView,
  me: KeyHex,
  ssk: SskSession | null,
): Promise<Array<[Uint8Array, Uint8Array]> | undefined> {
  const { request } = view;
  const delivery = view.delivery ? ledger.get(view.delivery)?.body : undefined;
  const result = openDelivery(view, delivery as { sealed?: unknown } | undefined, me, ssk);
  if (!(result instanceof Uint8Array) || !ssk) return undefined;
  const job = request.body.job;
  const details =
    'fields' in job && job.sealed
      ? ssk.openSealed(me, request.provider, SEALED_REQUEST, job.sealed)
      : null;
  const payload = encodeEvidence({
    result,
    ...(details && details.length <= MAX_EVIDENCE_DETAILS ? { details } : {}),
  });
  const entries: Array<[KeyHex, Uint8Array]> = [];
  for (const validator of view.committee) {
    await ssk.ensureKey(validator, 'dnec');
    entries.push([validator, ssk.sealFor(validator, SEALED_EVIDENCE, payload)]);
  }
  const total = entries.reduce((sum, [, copy]) => sum + copy.length, 0);
  if (entries.some(([, copy]) => copy.length > MAX_SEALED) || total > MAX_EVIDENCE_TOTAL) {
    throw new EngineError(
      `the delivery is too large to seal a copy for each of the ${entries.length} validators; dispute it from a peer that delivers results off the ledger`,
    );
  }
  return sortedEvidence(entries);
}

/** What `me`, a validator of the instance, can read of the consumer's dispute evidence. */
export function disputeEvidenceFor(
  ledger: Ledger,
  view: InstanceView,
  me: KeyHex,
  ssk: SskSession | null,
): EvidenceReading | { readonly ok: false; readonly gap: 'no-dispute' } {
  if (!view.review || view.review.approve) return { ok: false, gap: 'no-dispute' };
  const review = ledger.get(view.review.id)?.body as { evidence?: EvidenceEntries } | undefined;
  const delivery = view.delivery
    ? (ledger.get(view.delivery)?.body as { hash?: Uint8Array } | undefined)
    : undefined;
  const consumer = view.request.consumer;
  const open = ssk?.canOpen
    ? (copy: Uint8Array) => ssk.openSealed(consumer, me, SEALED_EVIDENCE, copy)
    : null;
  return readEvidence(evidenceFor(review?.evidence, me), delivery?.hash, open);
}
