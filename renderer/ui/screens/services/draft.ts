// The request form's text turned into a draft request, and the draft into what the market
// runtime takes. Pure: every limit comes from shared/ (the ledger and the negotiation enforce
// the same ones), so the form refuses what the network would, with a sentence instead.
import { fromHex, utf8 } from '../../../../shared/bytes.ts';
import type { CborValue } from '../../../../shared/codec/cbor.ts';
import { MAX_VALIDATORS } from '../../../../shared/dnec/bodies.ts';
import { computeCost, computeJobProblem } from '../../../../shared/dnec/compute.ts';
import { MAX_REPUTATION_SCORE } from '../../../../shared/dnec/negotiation.ts';
import {
  expectedHashes,
  POW_MAX_DATA_BYTES,
  POW_MAX_DIFFICULTY,
  POW_MIN_DIFFICULTY,
} from '../../../../shared/dnec/pow.ts';
import {
  committeeProblem,
  normaliseFields,
  type ServiceDef,
} from '../../../../shared/dnec/services.ts';
import type { KeyHex } from '../../../../shared/ids.ts';
import { majorityOf, type Within } from '../../../../shared/wallet/market.ts';
import type { Translate } from '../../../i18n/i18n.ts';
import type { NegotiationInput, RequestInput } from '../../../../engine/market/market.ts';
import { UserError } from '../../../state/errors.ts';
import { FieldError } from '../../fieldError.ts';
import { parseAmount } from '../../amount.ts';

/** A request the consumer has filled in, before a provider is chosen. */
export interface Draft {
  readonly def: ServiceDef;
  readonly job: Record<string, CborValue>;
  readonly volume: bigint;
  readonly validators: number;
  readonly fee: bigint;
  readonly maxRate?: bigint;
  readonly minReputation?: number;
  readonly within: Within;
  readonly sensitive: Readonly<Record<string, string>>;
}

/** The job inputs as typed; which ones count depends on the service's form. */
export interface JobText {
  readonly data: string;
  readonly difficulty: string;
  readonly fn: string;
  readonly input: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly volume: string;
}

/** The terms as typed: the committee, its fee, the consumer's limits and the deadlines. */
export interface TermsText {
  readonly validators: string;
  readonly fee: string;
  readonly maxRate: string;
  readonly minReputation: string;
  /** How long from the request to each deadline: accept, deliver, review, evaluate. */
  readonly within: readonly DeadlineText[];
}

/** The units a deadline is asked in, in seconds. */
export const DEADLINE_UNITS = { minutes: 60, hours: 3_600, days: 86_400 } as const;
export type DeadlineUnit = keyof typeof DEADLINE_UNITS;

/** A deadline as typed: a whole number and its unit. */
export interface DeadlineText {
  readonly amount: string;
  readonly unit: DeadlineUnit;
}

/** `seconds` in the largest unit that says it exactly: a day is "1 day", not "1440" minutes. */
export function deadlineText(seconds: number): DeadlineText {
  const units = Object.entries(DEADLINE_UNITS) as Array<[DeadlineUnit, number]>;
  for (const [unit, size] of units.reverse()) {
    if (seconds >= size && seconds % size === 0) return { amount: String(seconds / size), unit };
  }
  return { amount: String(Math.max(1, Math.round(seconds / 60))), unit: 'minutes' };
}

export interface BuiltJob {
  readonly job: Record<string, CborValue>;
  readonly volume: bigint;
  readonly sensitive: Record<string, string>;
}

const hexPattern = /^(?:[0-9a-f]{2})*$/i;

/** A small whole number typed by a person in input `id`; `field` names it in the error. */
function wholeNumber(text: string, field: string, id: string): number {
  const trimmed = text.trim();
  if (!/^\d{1,9}$/.test(trimmed)) throw new FieldError(id, 'services.error.number', { field });
  return Number(trimmed);
}

function powJobOf(text: JobText): BuiltJob {
  const bytes = utf8(text.data);
  if (bytes.length > POW_MAX_DATA_BYTES) throw new FieldError('req-data', 'services.error.data');
  const trimmed = text.difficulty.trim();
  const bits = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || bits < POW_MIN_DIFFICULTY || bits > POW_MAX_DIFFICULTY)
    throw new FieldError('req-difficulty', 'services.error.difficulty');
  return { job: { data: bytes, difficulty: bits }, volume: expectedHashes(bits), sensitive: {} };
}

function computeJobOf(text: JobText): BuiltJob {
  const hex = text.input.trim().replace(/\s+/g, '');
  if (!hexPattern.test(hex)) throw new FieldError('req-input', 'services.error.hex');
  const job = { fn: text.fn, input: fromHex(hex.toLowerCase()) };
  const problem = computeJobProblem(job);
  if (problem !== null)
    throw new FieldError('req-input', 'services.error.job', { detail: problem });
  return { job, volume: computeCost(job), sensitive: {} };
}

function fieldsJobOf(def: ServiceDef, text: JobText): BuiltJob {
  const normalised = normaliseFields(def, text.fields);
  if ('error' in normalised)
    throw new UserError('services.error.job', { detail: normalised.error });
  const volume = parseAmount(text.volume);
  if (!volume.ok) throw new FieldError('req-volume', volume.error);
  return {
    job: { fields: normalised.public },
    volume: volume.value,
    sensitive: normalised.sensitive,
  };
}

/** The job and its volume; throws a UserError naming the first input that is wrong. */
export function jobOf(def: ServiceDef, text: JobText): BuiltJob {
  if (def.form === 'pow') return powJobOf(text);
  if (def.form === 'compute') return computeJobOf(text);
  return fieldsJobOf(def, text);
}

/** The volume the job fixes by itself (pow and compute), or null until the inputs are valid. */
export function autoVolumeOf(def: ServiceDef, text: JobText): bigint | null {
  if (def.form !== 'pow' && def.form !== 'compute') return null;
  try {
    return jobOf(def, text).volume;
  } catch {
    return null;
  }
}

function optionalAmount(text: string, id: string): bigint | undefined {
  if (text.trim() === '') return undefined;
  const parsed = parseAmount(text, { allowZero: true });
  if (!parsed.ok) throw new FieldError(id, parsed.error);
  return parsed.value;
}

function optionalReputation(text: string, t: Translate): number | undefined {
  if (text.trim() === '') return undefined;
  const reputation = wholeNumber(text, t('services.form.minReputation'), 'req-min-rep');
  // Scores stay below MAX_REPUTATION_SCORE, so a minimum of it would admit nobody.
  if (reputation >= MAX_REPUTATION_SCORE)
    throw new FieldError('req-min-rep', 'services.error.reputation');
  return reputation;
}

function withinOf(texts: readonly DeadlineText[], t: Translate): Within {
  const seconds = texts.map(
    ({ amount, unit }, i) =>
      wholeNumber(amount, t('services.form.deadlines'), `req-within-${i}`) * DEADLINE_UNITS[unit],
  );
  // Said under the first deadline out of order: the one to change.
  const wrong = seconds.findIndex(
    (value, i) => value < 1 || (i > 0 && value <= (seconds[i - 1] ?? 0)),
  );
  if (wrong >= 0) throw new FieldError(`req-within-${wrong}`, 'services.error.deadlines');
  const at = (i: number): number => seconds[i] ?? 0;
  return [at(0), at(1), at(2), at(3)];
}

/** What the form needs to know beyond its own text. */
export interface DraftContext {
  /** Bonded validators the committee could be drawn from. */
  readonly poolSize: number;
  /** Whether this identity can seal sensitive fields (SSK). */
  readonly canSeal: boolean;
  readonly t: Translate;
}

/**
 * The draft request, checked in the order the form shows its inputs, so the error names the
 * first thing to fix. Throws a UserError; a FieldError (said under the input) when one input is
 * wrong.
 */
export function draftOf(
  def: ServiceDef,
  job: JobText,
  terms: TermsText,
  { poolSize, canSeal, t }: DraftContext,
): Draft {
  const built = jobOf(def, job);
  if (Object.keys(built.sensitive).length > 0 && !canSeal)
    throw new UserError('services.error.sskNeeded');
  const m = wholeNumber(terms.validators, t('services.form.validators'), 'req-validators');
  if (m > MAX_VALIDATORS) throw new FieldError('req-validators', 'services.error.validators');
  const fee = parseAmount(terms.fee, { allowZero: true });
  if (!fee.ok) throw new FieldError('req-fee', fee.error);
  const problem = committeeProblem(def, m, majorityOf(m), poolSize);
  if (problem !== null)
    throw new FieldError('req-validators', 'services.error.committee', { detail: problem });
  const within = withinOf(terms.within, t);
  const maxRate = optionalAmount(terms.maxRate, 'req-max-rate');
  const minReputation = optionalReputation(terms.minReputation, t);
  return {
    def,
    job: built.job,
    volume: built.volume,
    validators: m,
    fee: fee.value,
    ...(maxRate === undefined ? {} : { maxRate }),
    ...(minReputation === undefined ? {} : { minReputation }),
    within,
    sensitive: built.sensitive,
  };
}

/** What the runtime ranks the providers by. */
export const negotiationOf = (draft: Draft): NegotiationInput => ({
  service: draft.def.id,
  volume: draft.volume,
  validators: draft.validators,
  fee: draft.fee,
  ...(draft.maxRate === undefined ? {} : { maxRate: draft.maxRate }),
  ...(draft.minReputation === undefined ? {} : { minReputation: draft.minReputation }),
});

/** The request the runtime escrows and publishes, to the chosen provider. */
export const requestInputOf = (draft: Draft, provider: KeyHex): RequestInput => ({
  service: draft.def.id,
  job: draft.job,
  volume: draft.volume,
  provider,
  validators: draft.validators,
  fee: draft.fee,
  within: draft.within,
  ...(Object.keys(draft.sensitive).length > 0 ? { sensitive: draft.sensitive } : {}),
});

/**
 * What a request to a provider at `rate` locks, as the ledger does: the price (rate × volume,
 * 2^d hashes for a pow job of difficulty d) and the validators' fees. The negotiation and the
 * escrow screen show the same total, so the cost is known before the escrow step.
 */
export function escrowOf(draft: Pick<Draft, 'volume' | 'validators' | 'fee'>, rate: bigint) {
  const price = rate * draft.volume;
  const fees = BigInt(draft.validators) * draft.fee;
  return { price, fees, total: price + fees };
}
