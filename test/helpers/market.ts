// A small DNEC market on one in-memory ledger, for life-cycle tests: named identities, dated
// witness votes, and helpers that compose, sign and insert each action through the real pipeline.
import { fromHex } from '../../shared/bytes.ts';
import type { CborValue } from '../../shared/codec/cbor.ts';
import { commitmentOf } from '../../shared/dnec/selection.ts';
import { nonceFromIndex, verifyPow } from '../../shared/dnec/pow.ts';
import { instanceView, eligibleBonds } from '../../shared/dnec/queries.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import type { InsertOutcome, Ledger } from '../../shared/ledger/ledger.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { composeVote } from '../../shared/wallet/compose.ts';
import {
  composeAction,
  composeBeacon,
  composeSettle,
  composeVerdict,
} from '../../shared/wallet/dnecCompose.ts';
import { vrfProve } from '../../shared/crypto/vrf.ts';
import { beaconAlpha } from '../../shared/dnec/draw.ts';
import { identity, newLedger, sign, type TestIdentity } from './network.ts';

export interface Market {
  readonly ledger: Ledger;
  readonly witnesses: readonly TestIdentity[];
  readonly who: (name: string) => TestIdentity;
  /** Composes, signs and inserts; throws when composing fails, returns the insert outcome. */
  act(
    name: string,
    type: string,
    body: Record<string, CborValue>,
    options?: { deps?: TxId[]; debit?: bigint },
  ): Promise<{ tx: VerifiedTx; outcome: InsertOutcome }>;
  /** Every witness (or those named) votes, dated `time`, even with nothing new (a tick). */
  voteAll(time: number, only?: readonly number[]): Promise<void>;
  settle(name: string, request: TxId): Promise<{ tx: VerifiedTx; outcome: InsertOutcome }>;
  verdict(
    name: string,
    request: TxId,
    pass: boolean,
  ): Promise<{ tx: VerifiedTx; outcome: InsertOutcome }>;
  available(name: string): bigint;
  /** Witness `index` signs its beacon for the request's accept (a witnessed draw, §11.5). */
  beacon(index: number, request: TxId): Promise<{ tx: VerifiedTx; outcome: InsertOutcome }>;
  /** Publishes a request; returns its id and the secret reveal. */
  request(
    consumer: string,
    provider: string,
    options: RequestOptions,
  ): Promise<{ id: TxId; reveal: Uint8Array; outcome: InsertOutcome }>;
}

export interface RequestOptions {
  readonly service?: string;
  readonly volume?: bigint;
  readonly rate: bigint;
  readonly fee?: bigint;
  readonly m?: number;
  readonly k?: number;
  readonly job: Record<string, CborValue>;
  readonly deadlines?: readonly [number, number, number, number];
  readonly poolExclude?: readonly string[];
}

export const WITNESS_NAMES = ['w1', 'w2', 'w3', 'w4'];

export async function newMarket(
  users: ReadonlyArray<readonly [string, bigint]>,
  witnessCount = 4,
  options: {
    readonly witnessedDraw?: boolean;
    /** Each author's writing budget (docs/protocol.md §15). */
    readonly budget?: { readonly every: number; readonly burst: number };
  } = {},
): Promise<Market> {
  const witnesses = WITNESS_NAMES.slice(0, witnessCount).map((name) => identity(`market ${name}`));
  const people = new Map<string, TestIdentity>();
  witnesses.forEach((w, i) => people.set(WITNESS_NAMES[i] as string, w));
  for (const [name] of users) people.set(name, identity(`market ${name}`));
  const who = (name: string): TestIdentity => {
    const found = people.get(name);
    if (!found) throw new Error(`no identity ${name}`);
    return found;
  };
  const ledger = await newLedger({
    witnesses,
    allocations: users
      .filter(([, amount]) => amount > 0n)
      .map(([name, amount]) => [who(name), amount] as const),
    ...(options.witnessedDraw ? { witnessedDraw: true } : {}),
    ...(options.budget ? { budget: options.budget } : {}),
  });
  let clock = 1;
  const insert = async (name: string, composed: ReturnType<typeof composeAction>) => {
    if (!composed.ok) throw new Error(`${composed.rejection.code}: ${composed.rejection.message}`);
    const tx = await sign(who(name), composed.tx);
    return { tx, outcome: ledger.insert(tx) };
  };
  const market: Market = {
    ledger,
    witnesses,
    who,
    act: (name, type, body, options = {}) =>
      insert(name, composeAction(ledger, who(name).key, type, body, { ...options, time: clock++ })),
    async voteAll(time, only) {
      for (const [i, witness] of witnesses.entries()) {
        if (only && !only.includes(i)) continue;
        const vote = composeVote(ledger, witness.key, time, { tick: true });
        if (!vote?.ok) throw new Error('a witness could not vote');
        const outcome = ledger.insert(await sign(witness, vote.tx));
        if (outcome.status !== 'accepted') throw new Error(`vote ${outcome.status}`);
      }
    },
    settle: (name, request) => insert(name, composeSettle(ledger, who(name).key, request, clock++)),
    async beacon(index, request) {
      const witness = witnesses[index] as TestIdentity;
      const accept = instanceView(ledger, request)?.accept;
      if (!accept) throw new Error('the request has no accept to draw for');
      const proof = vrfProve(witness.secret, beaconAlpha(accept));
      const name = WITNESS_NAMES[index] as string;
      return insert(name, composeBeacon(ledger, witness.key, request, accept, proof, clock++));
    },
    verdict: (name, request, pass) =>
      insert(name, composeVerdict(ledger, who(name).key, request, pass, clock++)),
    available: (name) => ledger.account(who(name).key).available,
    async request(consumer, provider, options) {
      const reveal = new Uint8Array(32).fill(consumer.length + provider.length + clock);
      const exclude = [
        who(consumer).key,
        who(provider).key,
        ...(options.poolExclude ?? []).map((n) => who(n).key),
      ];
      const pool = options.m ? eligibleBonds(ledger, exclude) : [];
      const volume = options.volume ?? 1n;
      const m = options.m ?? 0;
      const body: Record<string, CborValue> = {
        service: options.service ?? 'pow',
        provider: fromHex(who(provider).key),
        volume,
        rate: options.rate,
        fee: options.fee ?? 0n,
        m,
        k: options.k ?? 0,
        pool: pool.map((id) => fromHex(id)),
        deadlines: [...(options.deadlines ?? [1000, 2000, 3000, 4000])],
        commitment: commitmentOf(reveal),
        job: options.job,
      };
      const debit = options.rate * volume + BigInt(m) * (options.fee ?? 0n);
      // A registered service (named by its registration's id) must be among the deps.
      const service = options.service ?? 'pow';
      const deps = /^[0-9a-f]{64}$/.test(service) ? [...pool, service as TxId] : pool;
      const { tx, outcome } = await market.act(consumer, 'request', body, { deps, debit });
      return { id: tx.id, reveal, outcome };
    },
  };
  return market;
}

/** Solves a small pow job by brute force (tests use low difficulty). */
export function solvePow(data: Uint8Array, difficulty: number): Uint8Array {
  for (let i = 0n; ; i++) {
    const nonce = nonceFromIndex(i);
    if (verifyPow({ data, difficulty }, nonce)) return nonce;
  }
}

export function stateOf(market: Market, request: TxId): string {
  const view = instanceView(market.ledger, request);
  if (!view) return 'unknown';
  return view.decision.state === 'decided' ? view.decision.outcome : `open:${view.decision.stage}`;
}

export const keyOf = (market: Market, name: string): KeyHex => market.who(name).key;
