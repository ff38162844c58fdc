// The consumer's side of a dispute's evidence (docs/protocol.md §11.8): the delivered result it
// can open, and the request's sealed details, sealed with SSK for each validator P drew, so the
// committee judges what was delivered. A key is shared with a validator first when the two have
// none, as a request does for its provider.
import type { KeyHex, TxId } from '../../shared/ids.ts';
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

const sealedOf = (ledger: Ledger, id: TxId | undefined): Uint8Array | undefined =>
  id ? (ledger.get(id)?.body as { sealed?: Uint8Array } | undefined)?.sealed : undefined;

/**
 * The evidence list of a dispute, or undefined when there is nothing to seal: no committee, a
 * delivery that went off the ledger, or keys this device cannot open. Throws an EngineError
 * when the copies would not fit in one transaction.
 */
export async function sealDisputeEvidence(
  ledger: Ledger,
  view: InstanceView,
  me: KeyHex,
  ssk: SskSession | null,
): Promise<Array<[Uint8Array, Uint8Array]> | undefined> {
  const { request } = view;
  if (view.committee.length === 0 || !ssk?.canOpen) return undefined;
  const sealed = sealedOf(ledger, view.delivery);
  const result = sealed ? ssk.openSealed(request.provider, me, SEALED_DELIVERY, sealed) : null;
  if (!result) return undefined;
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
