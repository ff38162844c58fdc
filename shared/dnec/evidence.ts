// Dispute evidence (docs/protocol.md §11.8): when the consumer disputes a delivery, its review
// carries a copy of the delivered result (and the request's sealed details) sealed with SSK for
// each validator P drew, so the committee judges what was delivered instead of judging blind.
//
// Two parts live here, both pure:
// - the rule every peer applies to a review's `evidence` list (evidenceProblem): a dispute only,
//   recipients in canonical order, each a validator of the request's pool;
// - the sealed payload's canonical encoding and strict parser, and what a validator reads from
//   it (readEvidence): the result is checked against the content hash the provider signed, so
//   the consumer cannot put words in the provider's mouth.
import { sha256 } from '@noble/hashes/sha2.js';
import * as v from 'valibot';
import { bytesEqual, compareBytes, fromHex, fromUtf8 } from '../bytes.ts';
import { decodeCanonical, encodeCanonical } from '../codec/cbor.ts';
import { keyHexOf, type KeyHex } from '../ids.ts';
import { describeIssues, maxBytes } from '../tx/schema.ts';
import { MAX_SEALED } from './bodies.ts';

/** The SSK field label of a copy sealed for one validator (bound into the field's AD). */
export const SEALED_EVIDENCE = 'dnec-evidence';
export const EVIDENCE_VERSION = 1;
/** The delivered result a copy may hold: what a delivery's sealed field can carry. */
export const MAX_EVIDENCE_RESULT = MAX_SEALED;
/** The request's sensitive details, as the consumer read them (JSON text of a string record). */
export const MAX_EVIDENCE_DETAILS = 8 * 1024;
const MAX_EVIDENCE_BYTES = MAX_EVIDENCE_RESULT + MAX_EVIDENCE_DETAILS + 64;

/** What the consumer seals for each validator. */
export interface EvidencePayload {
  /** The delivered result's bytes, exactly as the provider sealed them for the consumer. */
  readonly result: Uint8Array;
  /** The request's sealed details (UTF-8 JSON), when it had any. */
  readonly details?: Uint8Array;
}

const payloadSchema = v.strictObject({
  v: v.literal(EVIDENCE_VERSION),
  result: maxBytes(MAX_EVIDENCE_RESULT),
  details: v.optional(maxBytes(MAX_EVIDENCE_DETAILS)),
});

/** The canonical CBOR of a payload. Throws on a payload over the limits (a caller bug). */
export function encodeEvidence(payload: EvidencePayload): Uint8Array {
  if (payload.result.length > MAX_EVIDENCE_RESULT)
    throw new Error(`the delivered result is over ${MAX_EVIDENCE_RESULT} bytes`);
  if (payload.details && payload.details.length > MAX_EVIDENCE_DETAILS)
    throw new Error(`the request's details are over ${MAX_EVIDENCE_DETAILS} bytes`);
  return encodeCanonical({
    v: EVIDENCE_VERSION,
    result: payload.result,
    ...(payload.details ? { details: payload.details } : {}),
  });
}

/** Parses an opened copy from untrusted bytes: canonical CBOR, version 1, strict. Never throws. */
export function parseEvidence(
  bytes: unknown,
): { ok: true; payload: EvidencePayload } | { ok: false; error: string } {
  // The version on its own first, so a newer format reads as unsupported, not malformed.
  const decoded = decodeCanonical(bytes, MAX_EVIDENCE_BYTES);
  if (!decoded.ok) return { ok: false, error: `malformed dispute evidence: ${decoded.detail}` };
  const value = decoded.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, error: 'malformed dispute evidence: expected a map' };
  const version = (value as Record<string, unknown>)['v'];
  if (version !== EVIDENCE_VERSION) {
    return {
      ok: false,
      error: `unsupported dispute evidence version ${String(version)} (this peer opens version ${EVIDENCE_VERSION})`,
    };
  }
  const parsed = v.safeParse(payloadSchema, value);
  if (!parsed.success)
    return { ok: false, error: `malformed dispute evidence: ${describeIssues(parsed.issues)}` };
  const { result, details } = parsed.output;
  return { ok: true, payload: { result, ...(details ? { details } : {}) } };
}

/** A review's `evidence` list as the schema parsed it: [validator key, sealed copy]. */
export type EvidenceEntries = ReadonlyArray<readonly [Uint8Array, Uint8Array]>;

/**
 * The consensus rule on a review's evidence, or null when it holds. `pool` is the validators of
 * the request's pool (RequestInfo.pool), which every peer computed from the request alone.
 */
export function evidenceProblem(
  approve: boolean,
  entries: EvidenceEntries | undefined,
  pool: readonly KeyHex[],
): string | null {
  if (entries === undefined) return null;
  if (approve) return 'evidence accompanies a dispute only';
  if (entries.length === 0) return 'an evidence list is absent, not empty';
  for (let i = 1; i < entries.length; i++) {
    const [previous, current] = [entries[i - 1]?.[0], entries[i]?.[0]];
    if (previous && current && compareBytes(previous, current) >= 0)
      return 'evidence recipients must be sorted and unique';
  }
  const members = new Set(pool);
  for (const [key] of entries) {
    if (!members.has(keyHexOf(key)))
      return "evidence is sealed only for validators of the request's pool";
  }
  return null;
}

/** The copy sealed for `validator` in a review's evidence, if there is one. */
export function evidenceFor(
  entries: EvidenceEntries | undefined,
  validator: KeyHex,
): Uint8Array | undefined {
  return entries?.find(([key]) => keyHexOf(key) === validator)?.[1];
}

/** Orders [key, sealed] entries as the rule wants them (the wallet's side of the rule). */
export function sortedEvidence(
  entries: ReadonlyArray<readonly [KeyHex, Uint8Array]>,
): Array<[Uint8Array, Uint8Array]> {
  return [...entries]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, sealed]) => [fromHex(key), sealed]);
}

/** Why a validator cannot read the delivery: each is said in one sentence by the UI and CLI. */
export type EvidenceGap =
  /** The consumer approved, or has not reviewed: there is nothing to judge. */
  | 'no-dispute'
  /** The dispute carries no copy for this validator (the delivery went off-ledger, or none). */
  | 'not-sealed-for-you'
  /** This device cannot open shared keys (the signer cannot open SSK boxes here). */
  | 'no-keys'
  /** The copy does not open: the consumer's key share has not reached this device, or it was altered. */
  | 'cannot-open'
  /** The copy opened but is not a valid evidence payload. */
  | 'malformed';

/** The gaps in one English sentence each, for the CLI (the UI says them through i18n). */
export const EVIDENCE_GAP_SENTENCES: Readonly<Record<EvidenceGap, string>> = {
  'no-dispute': 'There is nothing to judge: the consumer has not disputed the delivery.',
  'not-sealed-for-you':
    "You cannot read the delivery: the consumer's dispute carries no copy of it for you.",
  'no-keys':
    'You cannot read the delivery: this identity cannot open shared keys (SSK) here, so the copy sealed for you stays closed.',
  'cannot-open':
    'You cannot read the delivery yet: the key the consumer shared with you has not reached this peer.',
  malformed:
    'You cannot read the delivery: the copy sealed for you opened but is not valid evidence.',
};

export type EvidenceReading =
  | {
      readonly ok: true;
      readonly result: Uint8Array;
      readonly details?: Uint8Array;
      /** SHA-256 of the result equals the hash the provider signed in its delivery. */
      readonly matches: boolean;
    }
  | { readonly ok: false; readonly gap: EvidenceGap };

/**
 * What a validator reads from the copy sealed for it. `open` is its SSK opener (null when the
 * device cannot open keys); `deliveryHash` is the hash the provider's delivery carries.
 */
export function readEvidence(
  sealed: Uint8Array | undefined,
  deliveryHash: Uint8Array | undefined,
  open: ((sealed: Uint8Array) => Uint8Array | null) | null,
): EvidenceReading {
  if (!sealed) return { ok: false, gap: 'not-sealed-for-you' };
  if (!open) return { ok: false, gap: 'no-keys' };
  const opened = open(sealed);
  if (!opened) return { ok: false, gap: 'cannot-open' };
  const parsed = parseEvidence(opened);
  if (!parsed.ok) return { ok: false, gap: 'malformed' };
  const { result, details } = parsed.payload;
  const matches = deliveryHash !== undefined && bytesEqual(sha256(result), deliveryHash);
  return { ok: true, result, ...(details ? { details } : {}), matches };
}

const detailsSchema = v.record(v.string(), v.pipe(v.string(), v.maxLength(4096)));

/** The request's details as the copy carries them (JSON of text fields), or undefined. */
export function evidenceDetails(bytes: Uint8Array | undefined): Record<string, string> | undefined {
  if (!bytes) return undefined;
  try {
    const parsed = v.safeParse(detailsSchema, JSON.parse(fromUtf8(bytes)));
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined;
  }
}
