// What a wallet shows and does in the DNEC service market, computed from the ledger alone: the
// service types on offer, the request body a consumer signs, each instance's life cycle as a
// timeline, a provider's load and earnings, and the next step this identity owes in each of
// its instances (what automation does, and what the screens offer to a person). Pure: the
// caller passes the time, and signing and publishing happen elsewhere.
import * as v from 'valibot';
import { fromHex, fromUtf8, toHex } from '../bytes.ts';
import type { CborValue } from '../codec/cbor.ts';
import type { Outcome, SettleBody } from '../dnec/bodies.ts';
import { MAX_POOL } from '../dnec/bodies.ts';
import { market, type InstanceView } from '../dnec/queries.ts';
import { BUILT_IN_SERVICES, type ServiceDef } from '../dnec/services.ts';
import type { KeyHex, TxId } from '../ids.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Tx } from '../tx/envelope.ts';

/** Seconds from the request to each deadline: accept, deliver, review, evaluate. */
export type Within = readonly [number, number, number, number];

/** Machines answer in seconds; people in hours or days. */
export const MACHINE_WITHIN: Within = [60, 180, 240, 300];
export const HUMAN_WITHIN: Within = [3_600, 86_400, 172_800, 259_200];

export const withinFor = (def: ServiceDef): Within =>
  def.form === 'fields' ? HUMAN_WITHIN : MACHINE_WITHIN;

/** Every service type this ledger knows: the built-ins, then the registered ones by name. */
export function servicesOf(ledger: Ledger): ServiceDef[] {
  const registered = [...market(ledger).services.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1),
  );
  return [...BUILT_IN_SERVICES.values(), ...registered];
}

export function serviceById(ledger: Ledger, id: string): ServiceDef | undefined {
  return BUILT_IN_SERVICES.get(id) ?? market(ledger).services.get(id as TxId);
}

/** A registered service's offers and requests must carry its registration among their deps. */
export const serviceDeps = (service: string): TxId[] =>
  BUILT_IN_SERVICES.has(service) ? [] : [service as TxId];

export interface RequestDraft {
  readonly service: string;
  readonly provider: KeyHex;
  readonly volume: bigint;
  readonly rate: bigint;
  readonly fee: bigint;
  readonly m: number;
  readonly k: number;
  /** Bond ids the committee is drawn from (eligibleBonds), sorted. */
  readonly pool: readonly TxId[];
  readonly commitment: Uint8Array;
  readonly job: Record<string, CborValue>;
  readonly within: Within;
}

/** The k a committee of m needs by default: the smallest majority. */
export const majorityOf = (m: number): number => (m === 0 ? 0 : Math.floor(m / 2) + 1);

/** The request's body and deps, with deadlines counted from `now` (ms). */
export function requestBody(
  draft: RequestDraft,
  now: number,
): { body: Record<string, CborValue>; deps: TxId[]; escrow: bigint } {
  const pool = [...draft.pool].sort().slice(0, MAX_POOL);
  return {
    body: {
      service: draft.service,
      provider: fromHex(draft.provider),
      volume: draft.volume,
      rate: draft.rate,
      fee: draft.fee,
      m: draft.m,
      k: draft.k,
      pool: pool.map((id) => fromHex(id)),
      deadlines: draft.within.map((seconds) => now + seconds * 1000),
      commitment: draft.commitment,
      job: draft.job,
    },
    deps: [...pool, ...serviceDeps(draft.service)],
    escrow: draft.rate * draft.volume + BigInt(draft.m) * draft.fee,
  };
}

// ---- what this identity owes -------------------------------------------------------------

export type MarketStep =
  /** The outcome is decided and this identity is its settler. */
  | { readonly kind: 'settle'; readonly outcome: Outcome }
  /** The consumer's selection secret, once the provider accepted. */
  | { readonly kind: 'reveal'; readonly accept: TxId }
  /** The provider has not answered yet and the accept deadline has not passed. */
  | { readonly kind: 'respond' }
  /** The provider accepted and has neither delivered nor given up, in time to deliver. */
  | { readonly kind: 'work' }
  /** The consumer may approve or dispute a delivery (review types). */
  | { readonly kind: 'review'; readonly delivery: TxId }
  /** A selected validator has not given its verdict. */
  | { readonly kind: 'verdict'; readonly delivery: TxId };

export function stepsFor(
  ledger: Ledger,
  view: InstanceView,
  me: KeyHex,
  now: number,
): MarketStep[] {
  if (view.settled) return [];
  const { request, decision } = view;
  if (decision.state === 'decided') {
    return decision.settler === me ? [{ kind: 'settle', outcome: decision.outcome }] : [];
  }
  const [acceptBy, deliverBy, reviewBy] = request.body.deadlines;
  const steps: MarketStep[] = [];
  const index = market(ledger);
  if (request.consumer === me) {
    if (view.accept && request.body.m > 0 && !view.reveal)
      steps.push({ kind: 'reveal', accept: view.accept });
    if (
      view.delivery &&
      request.service.evaluation === 'review' &&
      !view.review &&
      now < reviewBy
    ) {
      steps.push({ kind: 'review', delivery: view.delivery });
    }
  }
  if (request.provider === me) {
    const responded =
      index.actions(request.id, 'accept').length + index.actions(request.id, 'decline').length > 0;
    if (!responded && now < acceptBy) steps.push({ kind: 'respond' });
    const mine = view.accept !== undefined && ledger.get(view.accept)?.author === me;
    const worked =
      index.actions(request.id, 'deliver').length + index.actions(request.id, 'abandon').length > 0;
    if (mine && !worked && now < deliverBy) steps.push({ kind: 'work' });
  }
  if (
    view.delivery &&
    view.committee.includes(me) &&
    !view.verdicts.some((verdict) => verdict.validator === me)
  ) {
    steps.push({ kind: 'verdict', delivery: view.delivery });
  }
  return steps;
}

// ---- the life cycle as a timeline --------------------------------------------------------

export type TimelineKind =
  | 'request'
  | 'accept'
  | 'decline'
  | 'reveal'
  | 'deliver'
  | 'abandon'
  | 'review'
  | 'verdict'
  | 'outcome'
  | 'settle';

export interface TimelineEntry {
  readonly kind: TimelineKind;
  /** The transaction, when the step is one (the outcome is computed, not signed). */
  readonly id?: TxId;
  readonly author?: KeyHex;
  /** The author's claimed time (ms): shown, never trusted. */
  readonly time?: number;
  /** Review: approved; verdict: passed. */
  readonly positive?: boolean;
  readonly outcome?: Outcome;
}

const KINDS = ['accept', 'decline', 'abandon', 'reveal', 'deliver', 'review', 'verdict'] as const;

/** Every step the instance has taken, in the order the authors dated them. */
export function timelineOf(ledger: Ledger, view: InstanceView): TimelineEntry[] {
  const index = market(ledger);
  const { request } = view;
  const entries: TimelineEntry[] = [
    { kind: 'request', id: request.id, author: request.consumer, time: request.time },
  ];
  for (const kind of KINDS) {
    for (const id of index.actions(request.id, kind)) {
      const tx = ledger.get(id) as Tx<{ approve?: boolean; pass?: boolean }> | undefined;
      if (!tx) continue;
      const positive =
        kind === 'review' ? tx.body.approve : kind === 'verdict' ? tx.body.pass : undefined;
      entries.push({
        kind,
        id,
        author: tx.author,
        time: tx.time,
        ...(positive === undefined ? {} : { positive }),
      });
    }
  }
  entries.sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
  if (view.decision.state === 'decided')
    entries.push({ kind: 'outcome', outcome: view.decision.outcome });
  if (view.settled) {
    const tx = ledger.get(view.settled.id) as Tx<SettleBody> | undefined;
    entries.push({
      kind: 'settle',
      id: view.settled.id,
      outcome: view.settled.outcome,
      ...(tx ? { author: tx.author, time: tx.time } : {}),
    });
  }
  return entries;
}

// ---- a provider's view -------------------------------------------------------------------

export interface ServiceLoad {
  readonly service: string;
  readonly capacity: bigint;
  readonly rate: bigint;
  /** Volume of accepted instances not yet delivered or given up. */
  readonly active: bigint;
  readonly offer: TxId;
}

/** The provider's current offers (withdrawn ones left out) and the load on each. */
export function loadOf(ledger: Ledger, provider: KeyHex): ServiceLoad[] {
  const snapshot = market(ledger).latestSnapshot(provider);
  if (!snapshot) return [];
  const out: ServiceLoad[] = [];
  for (const [service, offer] of snapshot.offers) {
    const active = snapshot.active.get(service) ?? 0n;
    if (offer.capacity === 0n && active === 0n) continue;
    out.push({ service, capacity: offer.capacity, rate: offer.rate, active, offer: offer.offer });
  }
  return out.sort((a, b) => (a.service < b.service ? -1 : 1));
}

export interface Earning {
  /** The settlement's claimed time (ms). */
  readonly time: number;
  readonly amount: bigint;
  /** Running total up to and including this one. */
  readonly total: bigint;
  readonly request: TxId;
}

/**
 * What `me` earned as provider or validator from settled instances, oldest first. Payouts are
 * the decided outcome's: it never changes once decided, so it is the one the settle applied.
 */
export function earningsOf(ledger: Ledger, me: KeyHex, views: readonly InstanceView[]): Earning[] {
  const items: Array<{ time: number; amount: bigint; request: TxId }> = [];
  for (const view of views) {
    if (!view.settled || view.decision.state !== 'decided') continue;
    if (view.request.consumer === me) continue;
    const amount = view.decision.payouts
      .filter((payout) => payout.to === me)
      .reduce((sum, payout) => sum + payout.amount, 0n);
    if (amount === 0n) continue;
    const time = ledger.get(view.settled.id)?.time ?? view.request.time;
    items.push({ time, amount, request: view.request.id });
  }
  items.sort((a, b) => a.time - b.time || (a.request < b.request ? -1 : 1));
  let total = 0n;
  return items.map((item) => {
    total += item.amount;
    return { ...item, total };
  });
}

/** What `me` paid into or got back from an instance as its consumer, once settled. */
export function consumerNet(view: InstanceView, me: KeyHex): bigint | null {
  if (view.request.consumer !== me || view.decision.state !== 'decided' || !view.settled)
    return null;
  const back = view.decision.payouts
    .filter((payout) => payout.to === me)
    .reduce((sum, payout) => sum + payout.amount, 0n);
  return back - view.request.escrow;
}

// ---- the sealed parts ---------------------------------------------------------------------

/** SSK field labels of a request's sensitive details and of a delivery (the headless peer's too). */
export const SEALED_REQUEST = 'dnec-request';
export const SEALED_DELIVERY = 'dnec-delivery';

/** Opens a field `sender` sealed for `recipient` with this identity's keys, or null. */
export type FieldOpener = (
  sender: KeyHex,
  recipient: KeyHex,
  label: string,
  sealed: Uint8Array,
) => Uint8Array | null;

export interface PrivateParts {
  /** The request's sensitive fields, for its two parties. */
  readonly details?: Record<string, string>;
  /** The delivered result: text for hand-made work, hex for a computation's output. */
  readonly delivery?: string;
}

/** Sealed details are untrusted input from the other party: a record of strings only. */
const detailsSchema = v.record(v.string(), v.pipe(v.string(), v.maxLength(4096)));

function parseDetails(text: string): Record<string, string> | undefined {
  try {
    const parsed = v.safeParse(detailsSchema, JSON.parse(text));
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined;
  }
}

/** What of an instance's sealed parts `open` can read. */
export function privatePartsOf(
  ledger: Ledger,
  view: InstanceView,
  open: FieldOpener,
): PrivateParts {
  const { request } = view;
  const job = request.body.job;
  let details: Record<string, string> | undefined;
  if ('fields' in job && job.sealed) {
    const opened = open(request.consumer, request.provider, SEALED_REQUEST, job.sealed);
    details = opened ? parseDetails(fromUtf8(opened)) : undefined;
  }
  const sealed = view.delivery
    ? (ledger.get(view.delivery)?.body as { sealed?: Uint8Array } | undefined)?.sealed
    : undefined;
  const opened = sealed ? open(request.provider, request.consumer, SEALED_DELIVERY, sealed) : null;
  return {
    ...(details ? { details } : {}),
    ...(opened ? { delivery: 'fn' in job ? toHex(opened) : fromUtf8(opened) } : {}),
  };
}
