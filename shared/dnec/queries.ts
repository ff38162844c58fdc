// Read-side views of the DNEC market for wallets, the CLI and the UI: offers for negotiation,
// reputation from history, each instance's state and what a peer should do next. They read the
// whole ledger as this peer holds it; only settle transactions decide money, and their rules
// (rules.ts) read the causal past alone.
import type { KeyHex, TxId } from '../ids.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Tx } from '../tx/envelope.ts';
import { MAX_POOL, type Outcome, type ReviewBody, type SettleBody } from './bodies.ts';
import { marketOf, type MarketIndex, type RequestInfo } from './market.ts';
import type { ProviderOffer, ReputationCounts } from './negotiation.ts';
import { committeeOf, decide, type Decision } from './outcome.ts';
import { committeeProblem, type ServiceDef } from './services.ts';
import { evidenceFrom, type Evidence } from './witnessTime.ts';

export const market = (ledger: Ledger): MarketIndex => marketOf(ledger.indexes);

/** Each witness's latest vote: the most this peer can prove about witness time. */
export function latestEvidence(ledger: Ledger): Evidence {
  const ids: TxId[] = [];
  for (const witness of ledger.witnesses) {
    const vote = ledger.latestVote(witness);
    if (vote) ids.push(vote);
  }
  return evidenceFrom(ledger.reader, ids);
}

export interface InstanceView {
  readonly request: RequestInfo;
  readonly decision: Decision;
  /** The settle transaction, once a valid one exists. */
  readonly settled?: { readonly id: TxId; readonly outcome: Outcome };
  readonly accept?: TxId;
  readonly reveal?: TxId;
  readonly delivery?: TxId;
  readonly committee: readonly KeyHex[];
  readonly verdicts: ReadonlyArray<{
    readonly id: TxId;
    readonly validator: KeyHex;
    readonly pass: boolean;
  }>;
  readonly review?: { readonly id: TxId; readonly approve: boolean };
}

export function instanceView(
  ledger: Ledger,
  requestId: TxId,
  evidence = latestEvidence(ledger),
): InstanceView | undefined {
  const index = market(ledger);
  const request = index.requests.get(requestId);
  if (!request) return undefined;
  const first = (kind: Parameters<MarketIndex['actions']>[1]) => index.actions(requestId, kind)[0];
  const accept = first('accept');
  const reveal = first('reveal');
  const settleId = first('settle');
  const reviewId = first('review');
  const committee = accept
    ? committeeOf(ledger.reader, index, request, accept, reveal, evidence)
    : [];
  const verdicts = index.actions(requestId, 'verdict').map((id) => {
    const tx = ledger.get(id) as Tx<{ pass: boolean }>;
    return { id, validator: tx.author, pass: tx.body.pass };
  });
  const optional = {
    ...(accept ? { accept } : {}),
    ...(reveal ? { reveal } : {}),
    ...(first('deliver') ? { delivery: first('deliver') as TxId } : {}),
    ...(settleId
      ? {
          settled: { id: settleId, outcome: (ledger.get(settleId) as Tx<SettleBody>).body.outcome },
        }
      : {}),
    ...(reviewId
      ? { review: { id: reviewId, approve: (ledger.get(reviewId) as Tx<ReviewBody>).body.approve } }
      : {}),
  };
  return {
    request,
    decision: decide(ledger.reader, index, request, evidence),
    committee,
    verdicts,
    ...optional,
  };
}

/** Every instance `key` takes part in, as consumer, provider or validator, newest first. */
export function instancesOf(ledger: Ledger, key: KeyHex): InstanceView[] {
  const evidence = latestEvidence(ledger);
  const out: InstanceView[] = [];
  for (const request of market(ledger).requests.values()) {
    const involved =
      request.consumer === key || request.provider === key || request.pool.includes(key);
    if (!involved) continue;
    const view = instanceView(ledger, request.id, evidence);
    if (
      view &&
      (view.request.consumer === key ||
        view.request.provider === key ||
        view.committee.includes(key))
    ) {
      out.push(view);
    }
  }
  return out.sort(
    (a, b) => b.request.time - a.request.time || (a.request.id < b.request.id ? -1 : 1),
  );
}

const PROVIDER_WINS: readonly Outcome[] = ['completed', 'approved', 'passed', 'unevaluated'];
const PROVIDER_FAILS: readonly Outcome[] = ['abandoned', 'late', 'failed'];

export interface Reputation extends ReputationCounts {
  /** Validator verdicts that went against the final majority. */
  readonly votedAgainstMajority: number;
}

/**
 * Reputation from settled history. A completed instance counts only when its consumer paid a
 * validator who is neither party: otherwise trading with yourself would raise your reputation for
 * free. Failures always count.
 */
export function reputationOf(ledger: Ledger, key: KeyHex): Reputation {
  const index = market(ledger);
  let completed = 0;
  let failed = 0;
  let disputesLost = 0;
  let votedAgainstMajority = 0;
  for (const request of index.requests.values()) {
    const settleId = index.actions(request.id, 'settle')[0];
    if (!settleId) continue;
    const outcome = (ledger.get(settleId) as Tx<SettleBody>).body.outcome;
    if (request.provider === key) {
      const costly = request.body.m > 0 && request.body.fee > 0n;
      if (PROVIDER_WINS.includes(outcome) && costly) completed++;
      if (PROVIDER_FAILS.includes(outcome)) failed++;
      if (outcome === 'failed' && index.actions(request.id, 'review').length > 0) disputesLost++;
    }
    if (outcome === 'passed' || outcome === 'failed') {
      for (const id of index.actions(request.id, 'verdict')) {
        const tx = ledger.get(id) as Tx<{ pass: boolean }>;
        if (tx.author === key && tx.body.pass !== (outcome === 'passed')) votedAgainstMajority++;
      }
    }
  }
  return { completed, failed, disputesLost, votedAgainstMajority };
}

/** Each provider's latest offer for `service`, with its workload and reputation, for N. */
export function offersFor(ledger: Ledger, service: string): ProviderOffer[] {
  const index = market(ledger);
  const out: ProviderOffer[] = [];
  for (const provider of index.providers()) {
    if (ledger.isFrozen(provider)) continue;
    const snapshot = index.latestSnapshot(provider);
    const offer = snapshot?.offers.get(service);
    if (!snapshot || !offer) continue;
    out.push({
      provider,
      capacity: offer.capacity,
      rate: offer.rate,
      activeVolume: snapshot.active.get(service) ?? 0n,
      reputation: reputationOf(ledger, provider),
    });
  }
  return out;
}

/** Bonds usable in a new request: not unbonded, and neither party's own. */
export function eligibleBonds(ledger: Ledger, exclude: readonly KeyHex[]): TxId[] {
  const index = market(ledger);
  const byValidator = new Map<KeyHex, TxId>();
  for (const bond of index.bonds.values()) {
    if (exclude.includes(bond.validator) || ledger.isFrozen(bond.validator)) continue;
    if (index.actions(bond.id, 'unbond').length > 0) continue;
    const current = byValidator.get(bond.validator);
    if (!current || bond.id < current) byValidator.set(bond.validator, bond.id);
  }
  return [...byValidator.values()].sort();
}

/**
 * The pool a request from `consumer` to `provider` lists, and what is wrong with its committee
 * of m (k of m decide), or null. The escrow and the negotiation both call this, so a provider
 * the negotiation offers is one the escrow accepts: the pool leaves out both parties' bonds,
 * so a provider who is itself a validator shrinks it.
 */
export function committeeFor(
  ledger: Ledger,
  def: ServiceDef,
  committee: { readonly m: number; readonly k: number },
  consumer: KeyHex,
  provider: KeyHex,
): { readonly pool: TxId[]; readonly problem: string | null } {
  const pool =
    committee.m > 0 ? eligibleBonds(ledger, [consumer, provider]).slice(0, MAX_POOL) : [];
  return { pool, problem: committeeProblem(def, committee.m, committee.k, pool.length) };
}

/** The smallest committee a type runs with: none when the ledger checks the work itself. */
export const minimumCommittee = (def: ServiceDef): number => (def.evaluation === 'auto' ? 0 : 1);

/**
 * Whether `def` can run for `me` on this network as it is: false when even the smallest
 * committee cannot be drawn for any provider that offers it (or, with no offer yet, from the
 * bonds of everyone but `me`). The catalogue says "needs a third bonded member" before anything
 * is typed; it asks committeeFor, as the escrow does.
 */
export function committeeAvailable(ledger: Ledger, def: ServiceDef, me: KeyHex): boolean {
  const m = minimumCommittee(def);
  if (m === 0) return true;
  const providers = offersFor(ledger, def.id)
    .filter((o) => o.provider !== me && o.capacity > 0n)
    .map((o) => o.provider);
  const candidates = providers.length > 0 ? providers : [me];
  return candidates.some((p) => committeeFor(ledger, def, { m, k: m }, me, p).problem === null);
}

/**
 * Deadlines of undecided instances that have passed by `now` but that `witness` has not voted
 * past yet: a tick from it would let them be decided.
 */
export function deadlinesAwaitingTick(ledger: Ledger, witness: KeyHex, now: number): number[] {
  const vote = ledger.latestVote(witness);
  const lastTime = vote ? (ledger.get(vote)?.time ?? -1) : -1;
  const due = new Set<number>();
  const index = market(ledger);
  for (const request of index.requests.values()) {
    if (index.actions(request.id, 'settle').length > 0) continue;
    for (const deadline of request.body.deadlines) {
      if (deadline < now && deadline >= lastTime) due.add(deadline);
    }
  }
  return [...due].sort((a, b) => a - b);
}
