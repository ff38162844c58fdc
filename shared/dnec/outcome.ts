// The terminal outcome of a service instance, decided from witness evidence (witnessTime.ts).
//
// The life cycle is a decision tree; every branch is a question the witnesses answer with
// thresholds that cannot both be met, so two pieces of evidence never decide two different
// outcomes. A `settle` transaction carries its evidence (witness votes among its deps) and is
// valid only when that evidence decides the outcome it names; exactly one party, the settler the
// outcome designates, may settle, once on its chain. So escrow is released exactly once.
//
// Each question asks which candidate a quorum saw by a deadline, or whether enough closed views
// saw none; the answer names ONE candidate or says absent, and it never changes afterwards.
//
//   request final?                                           no → open
//   response by acceptBy: accept or decline?               absent → expired    (refund; consumer settles)
//                                                          decline → declined   (refund; consumer)
//   work by deliverBy: delivery or giving up?              absent → late       (refund; consumer)
//                                                        gave up → abandoned  (refund; consumer)
//   m > 0: reveal seen by deliverBy?                       absent → unrevealed (provider paid; provider)
//   evaluation:
//     auto, m = 0                                               → completed  (provider)
//     review: consumer's review by reviewBy?        absent/approve → approved  (provider)
//                                                       dispute → validators
//     validators (a witnessed draw first waits until every witness's beacon is decided, draw.ts):
//                 k pass by evaluateBy → passed (provider); k fail → failed (consumer);
//                 neither, views closed → unevaluated (provider paid: delivered on time and
//                 nobody showed it wrong)
import { txIdOf as idOfBody, type KeyHex, type TxId } from '../ids.ts';
import type { Tx } from '../tx/envelope.ts';
import type { Credit, LedgerReader } from '../tx/types.ts';
import type { Outcome, ReviewBody, RevealBody, VerdictBody } from './bodies.ts';
import type { MarketIndex, RequestInfo } from './market.ts';
import { drawOf, type Beacon } from './draw.ts';
import { selectValidators, selectionSeed } from './selection.ts';
import { ANY_TIME, certifiedAmong, countAtLeast, sighting, type Evidence } from './witnessTime.ts';

export type Decision =
  | {
      readonly state: 'decided';
      readonly outcome: Outcome;
      readonly settler: KeyHex;
      readonly payouts: readonly Credit[];
      /** Verdicts that were paid (certified on time), by validator. */
      readonly paidVoters: readonly KeyHex[];
      readonly disputed: boolean;
    }
  | { readonly state: 'open'; readonly stage: Stage; readonly waiting: string };

export type Stage = 'request' | 'accept' | 'reveal' | 'draw' | 'deliver' | 'review' | 'evaluate';

interface Context {
  readonly reader: LedgerReader;
  readonly market: MarketIndex;
  readonly request: RequestInfo;
  readonly evidence: Evidence;
}

const open = (stage: Stage, waiting: string): Decision => ({ state: 'open', stage, waiting });

export function decide(
  reader: LedgerReader,
  market: MarketIndex,
  request: RequestInfo,
  evidence: Evidence,
): Decision {
  const ctx: Context = { reader, market, request, evidence };
  const [acceptBy, deliverBy] = request.body.deadlines;
  if (!('seen' in (sighting(reader, evidence, [request.id], ANY_TIME) ?? {}))) {
    return open('request', 'the request is not final yet');
  }
  // The provider's response by acceptBy: an accept, or a decline (never both on one branch).
  const responses = [
    ...market.actions(request.id, 'accept'),
    ...market.actions(request.id, 'decline'),
  ];
  const responded = sighting(reader, evidence, responses, acceptBy);
  if (!responded)
    return open('accept', 'waiting for the provider to respond, or the accept deadline');
  if ('absent' in responded) return refund(ctx, 'expired');
  if (reader.valid(responded.seen)?.type === 'decline') return refund(ctx, 'declined');
  const accept = responded.seen;

  // The provider's work by deliverBy: a delivery, or giving the job up.
  const work = [
    ...market.actions(request.id, 'deliver'),
    ...market.actions(request.id, 'abandon'),
  ].filter((id) => onChainAfter(reader, accept, id));
  const worked = sighting(reader, evidence, work, deliverBy);
  if (!worked) return open('deliver', 'waiting for the delivery, or the delivery deadline');
  if ('absent' in worked) return refund(ctx, 'late');
  if (reader.valid(worked.seen)?.type === 'decline') return refund(ctx, 'abandoned');

  // The validators' seed needs the consumer's reveal by deliverBy.
  let reveal: TxId | undefined;
  if (request.body.m > 0) {
    const reveals = market
      .actions(request.id, 'reveal')
      .filter((id) => idOfBody((reader.valid(id) as Tx<RevealBody>).body.accept) === accept);
    const revealed = sighting(reader, evidence, reveals, deliverBy);
    if (!revealed)
      return open('reveal', "waiting for the consumer's reveal, or the delivery deadline");
    if ('absent' in revealed) return pay(ctx, 'unrevealed', request.provider, [], false);
    reveal = revealed.seen;
  }
  return evaluate(ctx, accept, reveal, worked.seen);
}

function evaluate(ctx: Context, accept: TxId, reveal: TxId | undefined, delivery: TxId): Decision {
  const { request, reader, evidence, market } = ctx;
  const evaluation = request.service.evaluation;
  if (evaluation === 'auto' && request.body.m === 0)
    return pay(ctx, 'completed', request.provider, [], false);
  if (evaluation === 'review') {
    const reviews = market
      .actions(request.id, 'review')
      .filter((id) => idOfBody((reader.valid(id) as Tx<ReviewBody>).body.delivery) === delivery);
    const reviewed = sighting(reader, evidence, reviews, request.body.deadlines[2]);
    if (!reviewed)
      return open('review', "waiting for the consumer's review, or the review deadline");
    if ('absent' in reviewed || (reader.valid(reviewed.seen) as Tx<ReviewBody>).body.approve) {
      return pay(ctx, 'approved', request.provider, [], false);
    }
    return judge(ctx, accept, reveal, delivery, true);
  }
  return judge(ctx, accept, reveal, delivery, false);
}

function judge(
  ctx: Context,
  accept: TxId,
  reveal: TxId | undefined,
  delivery: TxId,
  disputed: boolean,
): Decision {
  const { request, reader, evidence, market } = ctx;
  const evaluateBy = request.body.deadlines[3];
  // The witnesses' beacons: a withheld one delays the draw until the deadline, no more.
  const deliverBy = request.body.deadlines[1];
  if (reader.witnessedDraw && !drawOf(reader, market, request, accept, evidence, deliverBy))
    return open('draw', "waiting for the witnesses' draw of the validators");
  const committee = new Set(committeeOf(reader, market, request, accept, reveal, evidence));
  const pass = new Map<TxId, KeyHex>();
  const fail = new Map<TxId, KeyHex>();
  for (const id of market.actions(request.id, 'verdict')) {
    const tx = reader.valid(id) as Tx<VerdictBody>;
    if (!committee.has(tx.author) || idOfBody(tx.body.delivery) !== delivery) continue;
    (tx.body.pass ? pass : fail).set(id, tx.author);
  }
  const k = request.body.k;
  const passed = countAtLeast(reader, evidence, pass, k, evaluateBy);
  const failed = countAtLeast(reader, evidence, fail, k, evaluateBy);
  const paid = (votes: ReadonlyMap<TxId, KeyHex>) =>
    certifiedAmong(reader, evidence, votes.keys(), evaluateBy).map((id) => votes.get(id) as KeyHex);
  if (passed === 'yes') return pay(ctx, 'passed', request.provider, paid(pass), disputed);
  if (failed === 'yes') return pay(ctx, 'failed', request.consumer, paid(fail), disputed);
  if (passed === 'no' && failed === 'no') {
    return pay(ctx, 'unevaluated', request.provider, [...paid(pass), ...paid(fail)], disputed);
  }
  return open('evaluate', `waiting for ${k} matching verdicts, or the evaluation deadline`);
}

/**
 * The validators P draws for this instance (docs/dnec-selection.md), or none while the draw is
 * not decided: before the reveal, and in a witnessed draw until `evidence` decides every
 * witness's beacon (draw.ts).
 */
export function committeeOf(
  reader: LedgerReader,
  market: MarketIndex,
  request: RequestInfo,
  accept: TxId,
  reveal: TxId | undefined,
  evidence: Evidence,
): KeyHex[] {
  if (request.body.m === 0 || reveal === undefined) return [];
  let beacons: Beacon[] | undefined;
  if (reader.witnessedDraw) {
    beacons = drawOf(reader, market, request, accept, evidence, request.body.deadlines[1]);
    if (!beacons) return [];
  }
  const revealTx = reader.valid(reveal) as Tx<RevealBody>;
  const seed = selectionSeed({
    requestId: request.id,
    reveal: revealTx.body.reveal,
    acceptTxId: accept,
    ...(beacons ? { beacons } : {}),
  });
  return selectValidators(request.pool, request.body.m, seed);
}

/** True when `later` is on the same chain as `earlier`, after it. */
function onChainAfter(reader: LedgerReader, earlier: TxId, later: TxId): boolean {
  return reader.isAncestorOrEqual(earlier, later) && earlier !== later;
}

function refund(ctx: Context, outcome: Outcome): Decision {
  return pay(ctx, outcome, ctx.request.consumer, [], false);
}

/**
 * The payouts of an outcome. The escrow is price + m × fee. The provider earns the price when
 * the outcome is in its favour; each paid validator earns its fee; the consumer gets the rest.
 */
function pay(
  ctx: Context,
  outcome: Outcome,
  settler: KeyHex,
  paidVoters: readonly KeyHex[],
  disputed: boolean,
): Decision {
  const { request } = ctx;
  const credits = new Map<KeyHex, bigint>();
  const add = (to: KeyHex, amount: bigint) => {
    if (amount > 0n) credits.set(to, (credits.get(to) ?? 0n) + amount);
  };
  const providerPaid = ['unrevealed', 'completed', 'approved', 'passed', 'unevaluated'].includes(
    outcome,
  );
  if (providerPaid) add(request.provider, request.price);
  for (const voter of paidVoters) add(voter, request.body.fee);
  const given = [...credits.values()].reduce((a, b) => a + b, 0n);
  add(request.consumer, request.escrow - given);
  const payouts = [...credits]
    .map(([to, amount]) => ({ to, amount }))
    .sort((a, b) => (a.to < b.to ? -1 : 1));
  return { state: 'decided', outcome, settler, payouts, paidVoters, disputed };
}
