// The DNEC life-cycle transaction types: their validity rules and money effects. Each rule reads
// only the transaction's causal past (its deps, its own chain, and what those reach), so every
// peer reaches the same verdict. docs/protocol.md §11 gives the rules with their reasons.
import { bytesEqual } from '../bytes.ts';
import type { KeyHex, TxId } from '../ids.ts';
import type { Tx } from '../tx/envelope.ts';
import type { Rejection } from '../tx/rejection.ts';
import { NO_EFFECTS, type Effects, type TxTypeDef, type TypeContext } from '../tx/types.ts';
import {
  acceptSchema,
  bondSchema,
  declineSchema,
  deliverSchema,
  offerSchema,
  requestSchema,
  reviewSchema,
  revealSchema,
  serviceSchema,
  settleSchema,
  unbondSchema,
  verdictSchema,
  type AcceptBody,
  type BondBody,
  type DeclineBody,
  type OfferBody,
  type ServiceBody,
  type SettleBody,
  type UnbondBody,
  type DeliverBody,
  type RequestBody,
  type ReviewBody,
  type RevealBody,
  type VerdictBody,
} from './bodies.ts';
import { idOf, keyOf, marketOf, offerState, type MarketIndex, type RequestInfo } from './market.ts';
import { evidenceProblem } from './evidence.ts';
import { marketIndexCodec } from './marketSnapshot.ts';
import { committeeOf, decide } from './outcome.ts';
import { verifyPow } from './pow.ts';
import { verifyCommitment } from './selection.ts';
import {
  BUILT_IN_SERVICES,
  committeeProblem,
  jobProblem,
  registeredService,
  type ServiceDef,
} from './services.ts';
import { evidenceFrom } from './witnessTime.ts';
import { bad, isRejection, once, record, requestFor } from './ruleKit.ts';
import { beaconType } from './beaconRule.ts';

/** Resolves a service reference: a built-in name, or a registration among the deps. */
function serviceFor(ref: string, tx: Tx, ctx: TypeContext): ServiceDef | Rejection {
  const builtIn = BUILT_IN_SERVICES.get(ref);
  if (builtIn) return builtIn;
  const registered = marketOf(ctx.indexes).services.get(ref as TxId);
  const reachable =
    tx.deps.includes(ref as TxId) ||
    (tx.prev !== null && ctx.ledger.isAncestorOrEqual(ref as TxId, tx.prev));
  if (!registered || !reachable) {
    return bad(`unknown service "${ref}": a registered service must be among the deps`);
  }
  return registered;
}

export const offerType: TxTypeDef<OfferBody> = {
  name: 'offer',
  schema: offerSchema,
  index: marketIndexCodec,
  effects(tx, ctx) {
    const service = serviceFor(tx.body.service, tx, ctx);
    return isRejection(service) ? service : NO_EFFECTS;
  },
  accepted(tx, ctx) {
    marketOf(ctx.indexes).updateSnapshot(ctx.ledger, tx, (offers) =>
      offers.set(tx.body.service, offerState(tx)),
    );
  },
};

export const bondType: TxTypeDef<BondBody> = {
  name: 'bond',
  schema: bondSchema,
  index: marketIndexCodec,
  effects: (tx) => ({ debit: tx.body.amount, credits: [], lock: tx.body.amount }),
  accepted(tx, ctx) {
    marketOf(ctx.indexes).bonds.set(tx.id, {
      id: tx.id,
      validator: tx.author,
      amount: tx.body.amount,
    });
  },
};

export const unbondType: TxTypeDef<UnbondBody> = {
  name: 'unbond',
  schema: unbondSchema,
  index: marketIndexCodec,
  effects(tx, ctx) {
    const bond = marketOf(ctx.indexes).bonds.get(idOf(tx.body.bond));
    if (
      !bond ||
      bond.validator !== tx.author ||
      tx.prev === null ||
      !ctx.ledger.isAncestorOrEqual(bond.id, tx.prev)
    ) {
      return bad('only the validator may unbond its own bond');
    }
    const twice = once(ctx, tx, bond.id, 'unbond', 'unbonding');
    if (twice) return twice;
    return {
      debit: 0n,
      credits: [{ to: tx.author, amount: bond.amount }],
      release: { from: bond.id, amount: bond.amount },
    };
  },
  accepted(tx, ctx) {
    marketOf(ctx.indexes).recordAction(tx, idOf(tx.body.bond), 'unbond');
  },
};

export const serviceType: TxTypeDef<ServiceBody> = {
  name: 'service',
  schema: serviceSchema,
  index: marketIndexCodec,
  effects: () => NO_EFFECTS,
  accepted(tx, ctx) {
    marketOf(ctx.indexes).services.set(tx.id, registeredService(tx.id, tx.body));
  },
};

function requestInfo(tx: Tx<RequestBody>, service: ServiceDef, pool: KeyHex[]): RequestInfo {
  const price = tx.body.rate * tx.body.volume;
  return {
    id: tx.id,
    consumer: tx.author,
    provider: keyOf(tx.body.provider),
    body: tx.body,
    service,
    price,
    escrow: price + BigInt(tx.body.m) * tx.body.fee,
    pool,
    time: tx.time,
  };
}

function poolOf(tx: Tx<RequestBody>, ctx: TypeContext): KeyHex[] | Rejection {
  const market = marketOf(ctx.indexes);
  const provider = keyOf(tx.body.provider);
  const keys = new Set<KeyHex>();
  for (const bytes of tx.body.pool) {
    const bond = market.bonds.get(idOf(bytes));
    if (!bond || !tx.deps.includes(bond.id))
      return bad('every pool entry must be a bond among the deps');
    if (bond.validator === tx.author || bond.validator === provider) {
      return bad('the consumer and the provider cannot validate their own instance');
    }
    if (keys.has(bond.validator)) return bad('a validator appears twice in the pool');
    keys.add(bond.validator);
  }
  return [...keys].sort();
}

const MAX_ESCROW = 1n << 62n;

export const requestType: TxTypeDef<RequestBody> = {
  name: 'request',
  schema: requestSchema,
  index: marketIndexCodec,
  effects(tx, ctx) {
    if (bytesEqual(tx.body.provider, tx.authorKey)) return bad('a consumer cannot hire itself');
    const service = serviceFor(tx.body.service, tx, ctx);
    if (isRejection(service)) return service;
    const job = jobProblem(service, tx.body);
    if (job !== null) return bad(job);
    const pool = poolOf(tx, ctx);
    if (isRejection(pool)) return pool;
    const committee = committeeProblem(service, tx.body.m, tx.body.k, pool.length);
    if (committee !== null) return bad(committee);
    const { escrow } = requestInfo(tx, service, pool);
    if (escrow > MAX_ESCROW) return bad('the price is out of range');
    return { debit: escrow, credits: [], lock: escrow };
  },
  accepted(tx, ctx) {
    const service = serviceFor(tx.body.service, tx, ctx) as ServiceDef;
    marketOf(ctx.indexes).requests.set(
      tx.id,
      requestInfo(tx, service, poolOf(tx, ctx) as KeyHex[]),
    );
  },
};

function providerAction(
  tx: Tx<{ request: Uint8Array }>,
  ctx: TypeContext,
): RequestInfo | Rejection {
  const request = requestFor(tx.body.request, tx, ctx);
  if (isRejection(request)) return request;
  if (request.provider !== tx.author) return bad('only the provider the request names may do this');
  return request;
}

export const acceptType: TxTypeDef<AcceptBody> = {
  name: 'accept',
  schema: acceptSchema,
  index: marketIndexCodec,
  effects(tx, ctx) {
    const request = providerAction(tx, ctx);
    if (isRejection(request)) return request;
    const earlier =
      once(ctx, tx, request.id, 'accept', 'accepting') ??
      once(ctx, tx, request.id, 'decline', 'declining');
    if (earlier) return earlier;
    const state = marketOf(ctx.indexes).snapshotAt(ctx.ledger, tx.author, tx.prev);
    const offer = state.offers.get(request.service.id);
    if (!offer || offer.capacity === 0n)
      return bad(`there is no offer for ${request.service.name} on this chain`);
    if (request.body.rate < offer.rate)
      return bad(`the request pays ${request.body.rate}, below the offered rate ${offer.rate}`);
    const active = state.active.get(request.service.id) ?? 0n;
    if (active + request.body.volume > offer.capacity) {
      return bad(
        `accepting would exceed capacity: ${active} of ${offer.capacity} in use, ${request.body.volume} requested`,
      );
    }
    return NO_EFFECTS;
  },
  accepted(tx, ctx) {
    const market = marketOf(ctx.indexes);
    const request = market.requests.get(idOf(tx.body.request)) as RequestInfo;
    market.recordAction(tx, request.id, 'accept');
    market.updateSnapshot(ctx.ledger, tx, (_offers, active) =>
      active.set(request.service.id, (active.get(request.service.id) ?? 0n) + request.body.volume),
    );
  },
};

/** A decline before accepting refuses the request; after accepting it gives the job up. */
export const declineType: TxTypeDef<DeclineBody> = {
  name: 'decline',
  schema: declineSchema,
  index: marketIndexCodec,
  effects(tx, ctx) {
    const request = providerAction(tx, ctx);
    if (isRejection(request)) return request;
    const earlier =
      once(ctx, tx, request.id, 'decline', 'declining') ??
      once(ctx, tx, request.id, 'abandon', 'giving up') ??
      once(ctx, tx, request.id, 'deliver', 'delivering');
    return earlier ?? NO_EFFECTS;
  },
  accepted(tx, ctx) {
    const market = marketOf(ctx.indexes);
    const request = market.requests.get(idOf(tx.body.request)) as RequestInfo;
    const accepted = market.doneOnChain(ctx.ledger, tx.author, request.id, 'accept', tx.prev);
    market.recordAction(tx, request.id, accepted ? 'abandon' : 'decline');
    if (accepted) releaseCapacity(market, ctx, tx, request);
  },
};

function releaseCapacity(
  market: MarketIndex,
  ctx: TypeContext,
  tx: Tx,
  request: RequestInfo,
): void {
  market.updateSnapshot(ctx.ledger, tx, (_offers, active) =>
    active.set(request.service.id, (active.get(request.service.id) ?? 0n) - request.body.volume),
  );
}

export const revealType: TxTypeDef<RevealBody> = {
  name: 'reveal',
  schema: revealSchema,
  index: marketIndexCodec,
  effects(tx, ctx) {
    const request = requestFor(tx.body.request, tx, ctx);
    if (isRejection(request)) return request;
    if (request.consumer !== tx.author) return bad('only the consumer reveals');
    const accept = ctx.dependency(idOf(tx.body.accept));
    if (
      !accept ||
      accept.type !== 'accept' ||
      idOf((accept as Tx<AcceptBody>).body.request) !== request.id
    ) {
      return bad("the reveal must follow the provider's accept, among its deps");
    }
    if (!verifyCommitment(request.body.commitment, tx.body.reveal)) {
      return bad("the reveal does not open the request's commitment");
    }
    return once(ctx, tx, request.id, 'reveal', 'revealing') ?? NO_EFFECTS;
  },
  accepted: record('reveal'),
};

export const deliverType: TxTypeDef<DeliverBody> = {
  name: 'deliver',
  schema: deliverSchema,
  index: marketIndexCodec,
  effects(tx, ctx) {
    const request = providerAction(tx, ctx);
    if (isRejection(request)) return request;
    const market = marketOf(ctx.indexes);
    if (!market.doneOnChain(ctx.ledger, tx.author, request.id, 'accept', tx.prev)) {
      return bad('deliver only what this chain accepted');
    }
    const earlier =
      once(ctx, tx, request.id, 'deliver', 'delivering') ??
      once(ctx, tx, request.id, 'abandon', 'giving up');
    if (earlier) return earlier;
    return resultProblem(request, tx.body) ?? NO_EFFECTS;
  },
  accepted(tx, ctx) {
    const market = marketOf(ctx.indexes);
    const request = market.requests.get(idOf(tx.body.request)) as RequestInfo;
    market.recordAction(tx, request.id, 'deliver');
    releaseCapacity(market, ctx, tx, request);
  },
};

/** pow results are checked here, by every peer, with one hash; others carry a content hash. */
function resultProblem(request: RequestInfo, body: DeliverBody): Rejection | null {
  const job = request.body.job;
  if (request.service.form === 'pow' && 'difficulty' in job) {
    if (!body.nonce || body.hash) return bad('a pow delivery carries exactly a nonce');
    return verifyPow(job, body.nonce) ? null : bad('the nonce does not meet the target');
  }
  if (!body.hash || body.nonce) return bad('a delivery carries the content hash of its result');
  return null;
}

export const reviewType: TxTypeDef<ReviewBody> = {
  name: 'review',
  schema: reviewSchema,
  index: marketIndexCodec,
  effects(tx, ctx) {
    const request = requestFor(tx.body.request, tx, ctx);
    if (isRejection(request)) return request;
    if (request.consumer !== tx.author) return bad('only the consumer reviews');
    if (request.service.evaluation !== 'review')
      return bad(`${request.service.name} is not reviewed by the consumer`);
    const delivery = ctx.dependency(idOf(tx.body.delivery));
    if (
      !delivery ||
      delivery.type !== 'deliver' ||
      idOf((delivery as Tx<DeliverBody>).body.request) !== request.id
    ) {
      return bad('the review must name the delivery, among its deps');
    }
    // A dispute's copies for the committee (§11.8): only the request's pool may receive one.
    const evidence = evidenceProblem(tx.body.approve, tx.body.evidence, request.pool);
    if (evidence !== null) return bad(evidence);
    return once(ctx, tx, request.id, 'review', 'reviewing') ?? NO_EFFECTS;
  },
  accepted: record('review'),
};

export const verdictType: TxTypeDef<VerdictBody> = {
  name: 'verdict',
  schema: verdictSchema,
  index: marketIndexCodec,
  effects(tx, ctx) {
    const request = requestFor(tx.body.request, tx, ctx);
    if (isRejection(request)) return request;
    const [accept, reveal, delivery] = [tx.body.accept, tx.body.reveal, tx.body.delivery].map((b) =>
      ctx.dependency(idOf(b)),
    );
    const belongs = (t: Tx | undefined, type: string) =>
      t?.type === type && idOf((t as Tx<{ request: Uint8Array }>).body.request) === request.id;
    if (!belongs(accept, 'accept') || !belongs(reveal, 'reveal') || !belongs(delivery, 'deliver')) {
      return bad('a verdict names the accept, reveal and delivery of its request, among its deps');
    }
    if (idOf((reveal as Tx<RevealBody>).body.accept) !== (accept as Tx).id) {
      return bad('the reveal belongs to another accept');
    }
    // The verdict's own deps are the evidence that decides a witnessed draw (§11.5).
    const evidence = evidenceFrom(ctx.ledger, tx.prev === null ? tx.deps : [...tx.deps, tx.prev]);
    const market = marketOf(ctx.indexes);
    const [acceptId, revealId] = [(accept as Tx).id, (reveal as Tx).id];
    const committee = committeeOf(ctx.ledger, market, request, acceptId, revealId, evidence);
    if (committee.length === 0 && ctx.ledger.witnessedDraw)
      return bad("the verdict's evidence does not decide the witnesses' draw yet");
    if (!committee.includes(tx.author))
      return bad('only the validators P selected may give a verdict');
    return once(ctx, tx, request.id, 'verdict', 'a verdict') ?? NO_EFFECTS;
  },
  accepted: record('verdict'),
};

export const settleType: TxTypeDef<SettleBody> = {
  name: 'settle',
  schema: settleSchema,
  index: marketIndexCodec,
  effects(tx, ctx) {
    const request = requestFor(tx.body.request, tx, ctx);
    if (isRejection(request)) return request;
    const evidence = evidenceFrom(ctx.ledger, tx.prev === null ? tx.deps : [...tx.deps, tx.prev]);
    const decision = decide(ctx.ledger, marketOf(ctx.indexes), request, evidence);
    if (decision.state === 'open')
      return bad(`the evidence does not decide the instance yet: ${decision.waiting}`);
    if (decision.outcome !== tx.body.outcome) {
      return bad(`the evidence decides "${decision.outcome}", not "${tx.body.outcome}"`);
    }
    if (decision.settler !== tx.author) return bad('this outcome is settled by the other party');
    const twice = once(ctx, tx, request.id, 'settle', 'settling');
    if (twice) return twice;
    return {
      debit: 0n,
      credits: decision.payouts,
      release: { from: request.id, amount: request.escrow },
    } satisfies Effects;
  },
  accepted: record('settle'),
};

export const DNEC_TYPES: readonly TxTypeDef[] = [
  offerType,
  bondType,
  unbondType,
  serviceType,
  requestType,
  acceptType,
  declineType,
  revealType,
  deliverType,
  reviewType,
  verdictType,
  settleType,
  beaconType,
] as readonly TxTypeDef[];
