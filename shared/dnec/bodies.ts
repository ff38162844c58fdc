// The bodies of the DNEC life-cycle transactions (docs/protocol.md §11). Each is parsed from
// untrusted CBOR with a strict schema before any rule looks at it; the rules themselves live in
// market.ts. Money and volume are bigint; deadlines are witness time in ms since the epoch.
import * as v from 'valibot';
import {
  amount,
  bytes32,
  bytesOf,
  maxBytes,
  positiveAmount,
  sortedUnique,
  uint,
} from '../tx/schema.ts';

/** A built-in service name, or the 64-hex id of a `service` registration transaction. */
export const serviceRef = v.pipe(
  v.string('expected a service name'),
  v.regex(
    /^(?:[a-z][a-z0-9-]{0,31}|[0-9a-f]{64})$/,
    'a service is a built-in name or the id of its registration',
  ),
);

/** The most validators one instance may have. */
export const MAX_VALIDATORS = 16;
export const MAX_POOL = 48;
export const MAX_FIELDS = 24;
export const MAX_TEXT = 2048;
export const MAX_SEALED = 16 * 1024;

const fieldName = v.pipe(
  v.string(),
  v.regex(/^[a-z][a-z0-9_]{0,31}$/, 'a field name is lowercase'),
);
const fieldValue = v.union(
  [v.pipe(v.string(), v.maxLength(MAX_TEXT, `text of at most ${MAX_TEXT} characters`)), uint],
  'a field holds text or a whole number',
);

export const offerSchema = v.strictObject({
  service: serviceRef,
  /** Units of volume carried at once; 0 withdraws the offer. */
  capacity: amount,
  /** Price per unit of volume, in minor units. */
  rate: amount,
});
export type OfferBody = v.InferOutput<typeof offerSchema>;

export const bondSchema = v.strictObject({ amount: positiveAmount });
export type BondBody = v.InferOutput<typeof bondSchema>;

export const unbondSchema = v.strictObject({ bond: bytes32 });
export type UnbondBody = v.InferOutput<typeof unbondSchema>;

export const FIELD_KINDS = ['text', 'number'] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

/** One field of a service's definition form: [name, kind, sensitive, required]. */
const fieldSpec = v.strictTuple([fieldName, v.picklist(FIELD_KINDS), v.boolean(), v.boolean()]);

/**
 * A service type registered on the ledger. No code travels: it composes the built-in building
 * blocks with parameters (its form, its unit, how it is negotiated, evaluated and paid).
 */
export const serviceSchema = v.strictObject({
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(64, 'a name of at most 64 characters')),
  unit: v.pipe(v.string(), v.minLength(1), v.maxLength(32, 'a unit of at most 32 characters')),
  fields: v.pipe(
    v.array(fieldSpec),
    v.maxLength(MAX_FIELDS, `at most ${MAX_FIELDS} fields`),
    v.check(
      (fields) => new Set(fields.map(([name]) => name)).size === fields.length,
      'field names must be unique',
    ),
  ),
  /** Negotiation policy: rank by the consumer's total price (the only policy so far). */
  negotiation: v.literal('lowest-total'),
  /** Evaluation method: the consumer reviews (validators settle disputes), or validators vote. */
  evaluation: v.picklist(['review', 'vote']),
  /** Compensation rule: the provider earns rate × volume. */
  compensation: v.literal('rate-times-volume'),
});
export type ServiceBody = v.InferOutput<typeof serviceSchema>;

/** [acceptBy, deliverBy, reviewBy, evaluateBy], strictly increasing, in witness time (ms). */
const deadlines = v.pipe(
  v.strictTuple([uint, uint, uint, uint]),
  v.check(([a, d, r, e]) => a < d && d < r && r < e, 'deadlines must strictly increase'),
);

const powJob = v.strictObject({
  data: maxBytes(1024),
  difficulty: v.pipe(uint, v.minValue(1), v.maxValue(64)),
});
const computeJob = v.strictObject({
  fn: v.pipe(v.string(), v.maxLength(32)),
  input: maxBytes(64 * 1024),
});
const formJob = v.strictObject({
  fields: v.pipe(
    v.record(fieldName, fieldValue),
    v.check((record) => Object.keys(record).length <= MAX_FIELDS, `at most ${MAX_FIELDS} fields`),
  ),
  /** The sensitive fields, sealed for the provider with SSK (opaque to the ledger). */
  sealed: v.optional(maxBytes(MAX_SEALED)),
});

export const requestSchema = v.strictObject({
  service: serviceRef,
  provider: bytes32,
  volume: positiveAmount,
  rate: amount,
  /** Paid to each validator whose verdict counts. */
  fee: amount,
  /** m: validators drawn by P; k: verdicts that decide (k > m / 2). */
  m: v.pipe(uint, v.maxValue(MAX_VALIDATORS)),
  k: v.pipe(uint, v.maxValue(MAX_VALIDATORS)),
  /** Ids of the bond transactions of the validators P may draw from, sorted. */
  pool: v.pipe(
    v.array(bytes32),
    v.maxLength(MAX_POOL, `at most ${MAX_POOL} bonds`),
    v.check((pool) => sortedUnique(pool), 'pool must be sorted and unique'),
  ),
  deadlines,
  /** SHA-256 of the consumer's secret reveal (selection seed, docs/dnec-selection.md). */
  commitment: bytes32,
  job: v.union([powJob, computeJob, formJob], 'the job does not match any service form'),
});
export type RequestBody = v.InferOutput<typeof requestSchema>;
export type PowJobBody = v.InferOutput<typeof powJob>;
export type ComputeJobBody = v.InferOutput<typeof computeJob>;
export type FormJobBody = v.InferOutput<typeof formJob>;

export const acceptSchema = v.strictObject({ request: bytes32 });
export const declineSchema = v.strictObject({
  request: bytes32,
  reason: v.optional(v.pipe(v.string(), v.maxLength(256))),
});
export const revealSchema = v.strictObject({
  request: bytes32,
  accept: bytes32,
  reveal: bytesOf(32),
});
export const deliverSchema = v.strictObject({
  request: bytes32,
  /** `pow`: the 8-byte nonce. Other types: SHA-256 content hash of the result. */
  nonce: v.optional(bytesOf(8)),
  hash: v.optional(bytes32),
  /** The result itself, sealed for the consumer with SSK; absent when it travels off-chain. */
  sealed: v.optional(maxBytes(MAX_SEALED)),
});
export const reviewSchema = v.strictObject({
  request: bytes32,
  delivery: bytes32,
  approve: v.boolean(),
  /**
   * For a dispute: the delivery sealed for each validator, [validator key, sealed], keys sorted
   * and in the request's pool (evidence.ts, docs/protocol.md §11.8).
   */
  evidence: v.optional(
    v.pipe(v.array(v.strictTuple([bytes32, maxBytes(MAX_SEALED)])), v.maxLength(MAX_VALIDATORS)),
  ),
});
/** A witness's randomness for an accept's draw: its ECVRF proof (shared/crypto/vrf.ts). */
export const beaconSchema = v.strictObject({
  request: bytes32,
  accept: bytes32,
  proof: bytesOf(80),
});
export const verdictSchema = v.strictObject({
  request: bytes32,
  accept: bytes32,
  reveal: bytes32,
  delivery: bytes32,
  pass: v.boolean(),
});
export const OUTCOMES = [
  'declined',
  'expired',
  'abandoned',
  'unrevealed',
  'late',
  'completed',
  'approved',
  'passed',
  'failed',
  'unevaluated',
] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const settleSchema = v.strictObject({ request: bytes32, outcome: v.picklist(OUTCOMES) });

export type AcceptBody = v.InferOutput<typeof acceptSchema>;
export type DeclineBody = v.InferOutput<typeof declineSchema>;
export type RevealBody = v.InferOutput<typeof revealSchema>;
export type DeliverBody = v.InferOutput<typeof deliverSchema>;
export type ReviewBody = v.InferOutput<typeof reviewSchema>;
export type VerdictBody = v.InferOutput<typeof verdictSchema>;
export type BeaconBody = v.InferOutput<typeof beaconSchema>;
export type SettleBody = v.InferOutput<typeof settleSchema>;
