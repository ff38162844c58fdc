// The DNEC market index as snapshot data (docs/snapshots.md, "Feature indexes"), and back.
//
// Written: registered services, bonds, requests (their id, consumer, time and body), every
// life-cycle action (id, author, subject, kind), and each provider's recorded states along its
// chain. Not written, because they follow from the rest: a request's service definition, price,
// escrow, provider and pool (the validators of the bonds its body names).
//
// Every collection is sorted by id (provider states by seq, then id), so the same set of valid
// transactions gives the same bytes in any arrival order. What the live index keeps in arrival
// order, and so comes back in canonical order instead: the ids `actions(request, kind)` lists,
// the iteration order of `services`, `bonds` and `requests`, and a forked provider's states at
// one seq (docs/snapshots.md says what that changes).
import * as v from 'valibot';
import { fromHex } from '../bytes.ts';
import type { CborValue } from '../codec/cbor.ts';
import { keyHexOf, txIdOf, type KeyHex, type TxId } from '../ids.ts';
import { amount, bytes32, uint } from '../tx/schema.ts';
import {
  indexCodec,
  restoreIndex,
  strictlyIncreasing,
  type IndexCodec,
  type Restored,
} from '../tx/types.ts';
import { requestSchema, serviceSchema, type RequestBody, type ServiceBody } from './bodies.ts';
import {
  MarketIndex,
  type ActionKind,
  type ActionRecord,
  type OfferState,
  type ProviderSnapshot,
  type RequestInfo,
} from './market.ts';
import { BUILT_IN_SERVICES, registeredService, type ServiceDef } from './services.ts';

export const MARKET_INDEX_KEY = 'dnec';

const ACTION_KINDS = [
  'accept',
  'decline',
  'abandon',
  'reveal',
  'deliver',
  'review',
  'verdict',
  'settle',
  'unbond',
  'beacon',
] as const satisfies readonly ActionKind[];

const byId = <T extends { readonly id: string }>(list: Iterable<T>): T[] =>
  [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

// ---- writing -----------------------------------------------------------------------------

function serviceValue(def: ServiceDef): CborValue {
  const body: ServiceBody = {
    name: def.name,
    unit: def.unit,
    fields: def.fields.map((f) => [f.name, f.kind, f.sensitive, f.required]),
    negotiation: 'lowest-total',
    evaluation: def.evaluation === 'vote' ? 'vote' : 'review',
    compensation: 'rate-times-volume',
  };
  return { ...body, fields: body.fields.map((f) => [...f]) };
}

function jobValue(job: RequestBody['job']): CborValue {
  if ('difficulty' in job) return { data: job.data, difficulty: job.difficulty };
  if ('fn' in job) return { fn: job.fn, input: job.input };
  return {
    fields: { ...job.fields },
    ...(job.sealed === undefined ? {} : { sealed: job.sealed }),
  };
}

function requestBodyValue(body: RequestBody): CborValue {
  return {
    service: body.service,
    provider: body.provider,
    volume: body.volume,
    rate: body.rate,
    fee: body.fee,
    m: body.m,
    k: body.k,
    pool: [...body.pool],
    deadlines: [...body.deadlines],
    commitment: body.commitment,
    job: jobValue(body.job),
  };
}

function stateValue(state: ProviderSnapshot): CborValue {
  const offers = [...state.offers].sort(([a], [b]) => (a < b ? -1 : 1));
  const active = [...state.active].sort(([a], [b]) => (a < b ? -1 : 1));
  return [
    fromHex(state.id),
    state.seq,
    offers.map(([service, o]) => [service, o.capacity, o.rate, fromHex(o.offer), o.time]),
    active.map(([service, volume]) => [service, volume]),
  ];
}

/** The market index as canonical snapshot data. */
export function snapshotMarket(index: MarketIndex): CborValue {
  const services = byId(index.services.values());
  const bonds = byId(index.bonds.values());
  const requests = byId(index.requests.values());
  const actions = byId(index.actionRecords());
  return {
    services: services.map((def) => [fromHex(def.id), serviceValue(def)]),
    bonds: bonds.map((b) => [fromHex(b.id), fromHex(b.validator), b.amount]),
    requests: requests.map((r) => [
      fromHex(r.id),
      fromHex(r.consumer),
      r.time,
      requestBodyValue(r.body),
    ]),
    actions: actions.map((a) => [fromHex(a.id), fromHex(a.author), fromHex(a.subject), a.kind]),
    providers: index
      .providers()
      .map((provider) => [
        fromHex(provider),
        [...index.history(provider)]
          .sort((a, b) => a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .map(stateValue),
      ]),
  };
}

// ---- reading -----------------------------------------------------------------------------

const id = v.pipe(
  bytes32,
  v.transform((bytes) => txIdOf(bytes)),
);
const key = v.pipe(
  bytes32,
  v.transform((bytes) => keyHexOf(bytes)),
);
const serviceKey = v.pipe(v.string('a service is named by text'), v.maxLength(64));

const stateSchema = v.strictTuple([
  id,
  uint,
  v.array(v.strictTuple([serviceKey, amount, amount, id, uint])),
  v.array(v.strictTuple([serviceKey, amount])),
]);

const marketSchema = v.strictObject(
  {
    services: v.array(v.strictTuple([id, serviceSchema])),
    bonds: v.array(v.strictTuple([id, key, amount])),
    requests: v.array(v.strictTuple([id, key, uint, requestSchema])),
    actions: v.array(v.strictTuple([id, key, id, v.picklist(ACTION_KINDS)])),
    providers: v.array(v.strictTuple([key, v.array(stateSchema)])),
  },
  'a market snapshot is a map of services, bonds, requests, actions and providers',
);

type MarketValue = v.InferOutput<typeof marketSchema>;
type StateValue = v.InferOutput<typeof stateSchema>;

function restoreState(value: StateValue): ProviderSnapshot | string {
  const [stateId, seq, offers, active] = value;
  if (!strictlyIncreasing(offers.map(([service]) => service)))
    return 'offers must be sorted by service, once each';
  if (!strictlyIncreasing(active.map(([service]) => service)))
    return 'active volumes must be sorted by service, once each';
  return {
    id: stateId,
    seq,
    offers: new Map<string, OfferState>(
      offers.map(([service, capacity, rate, offer, time]) => [
        service,
        { capacity, rate, offer, time },
      ]),
    ),
    active: new Map(active),
  };
}

function requestInfo(
  index: MarketIndex,
  [requestId, consumer, time, body]: MarketValue['requests'][number],
): RequestInfo | string {
  const service = BUILT_IN_SERVICES.get(body.service) ?? index.services.get(body.service as TxId);
  if (!service) return `request ${requestId} names a service the snapshot does not hold`;
  const pool: KeyHex[] = [];
  for (const bytes of body.pool) {
    const bond = index.bonds.get(txIdOf(bytes));
    if (!bond) return `request ${requestId} names a bond the snapshot does not hold`;
    pool.push(bond.validator);
  }
  const price = body.rate * body.volume;
  return {
    id: requestId,
    consumer,
    provider: keyHexOf(body.provider),
    body,
    service,
    price,
    escrow: price + BigInt(body.m) * body.fee,
    pool: pool.sort(),
    time,
  };
}

function buildMarket(value: MarketValue): MarketIndex | string {
  const index = new MarketIndex();
  const ids = (list: readonly (readonly [string, ...unknown[]])[]) => list.map(([first]) => first);
  if (!strictlyIncreasing(ids(value.services))) return 'services must be sorted by id, once each';
  if (!strictlyIncreasing(ids(value.bonds))) return 'bonds must be sorted by id, once each';
  if (!strictlyIncreasing(ids(value.requests))) return 'requests must be sorted by id, once each';
  if (!strictlyIncreasing(ids(value.actions))) return 'actions must be sorted by id, once each';
  if (!strictlyIncreasing(ids(value.providers)))
    return 'providers must be sorted by key, once each';
  for (const [serviceId, body] of value.services)
    index.services.set(serviceId, registeredService(serviceId, body));
  for (const [bondId, validator, bonded] of value.bonds)
    index.bonds.set(bondId, { id: bondId, validator, amount: bonded });
  for (const entry of value.requests) {
    const info = requestInfo(index, entry);
    if (typeof info === 'string') return info;
    index.requests.set(info.id, info);
  }
  for (const [actionId, author, subject, kind] of value.actions) {
    const known = kind === 'unbond' ? index.bonds.has(subject) : index.requests.has(subject);
    if (!known) return `action ${actionId} acts on something the snapshot does not hold`;
    const record: ActionRecord = { id: actionId, author, subject, kind };
    index.recordActionOf(record);
  }
  for (const [provider, states] of value.providers) {
    if (states.length === 0) return `provider ${provider} has no recorded state`;
    let previous: ProviderSnapshot | undefined;
    for (const stateValue of states) {
      const state = restoreState(stateValue);
      if (typeof state === 'string') return state;
      if (
        previous &&
        (previous.seq > state.seq || (previous.seq === state.seq && previous.id >= state.id))
      )
        return `the states of provider ${provider} must be sorted by seq, then id`;
      index.restoreState(provider, state);
      previous = state;
    }
  }
  return index;
}

/** Reads a market snapshot back; refuses anything else with a sentence, never throws. */
export function restoreMarket(value: unknown): Restored<MarketIndex> {
  return restoreIndex('the DNEC market index', marketSchema, value, buildMarket);
}

export const marketIndexCodec: IndexCodec = indexCodec<MarketIndex>({
  key: MARKET_INDEX_KEY,
  empty: () => new MarketIndex(),
  owns: (value): value is MarketIndex => value instanceof MarketIndex,
  snapshot: snapshotMarket,
  restore: restoreMarket,
});
