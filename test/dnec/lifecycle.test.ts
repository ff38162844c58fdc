// The DNEC life cycle on one ledger: each built-in type end to end, every terminal outcome, and
// the adversarial cases the protocol must end in a defined way.
import { describe, expect, it } from 'vitest';
import { fromHex, utf8 } from '../../shared/bytes.ts';
import { computeCost, computeResultHash, runCompute } from '../../shared/dnec/compute.ts';
import { instanceView, reputationOf } from '../../shared/dnec/queries.ts';
import type { TxId } from '../../shared/ids.ts';
import { newMarket, solvePow, stateOf, type Market } from '../helpers/market.ts';
import { registry, verifier } from '../helpers/network.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { admitTx } from '../../shared/tx/registry.ts';

const POW = { data: utf8('hello gpow'), difficulty: 6 };
const VOLUME = 64n; // 2^6

/** The provider accepts a request. */
const acceptRequest = (market: Market, request: TxId) =>
  market.act('provider', 'accept', { request: fromHex(request) }, { deps: [request] });

/** The provider delivers a solved nonce for the test's pow job. */
const deliverPow = (market: Market, request: TxId) =>
  market.act(
    'provider',
    'deliver',
    { request: fromHex(request), nonce: solvePow(POW.data, POW.difficulty) },
    { deps: [request] },
  );

async function offer(
  market: Market,
  name: string,
  service: string,
  capacity: bigint,
  rate: bigint,
) {
  const { outcome } = await market.act(name, 'offer', { service, capacity, rate });
  expect(outcome.status).toBe('accepted');
}

const expectAccepted = (outcome: { status: string; rejection?: { message: string } }) =>
  expect(outcome.rejection?.message ?? outcome.status).toBe('accepted');
const rejectedWith = (
  outcome: { status: string; rejection?: { message: string } },
  text: RegExp,
) => {
  expect(outcome.status).toBe('rejected');
  expect(outcome.rejection?.message).toMatch(text);
};

async function powMarket() {
  const market = await newMarket([
    ['consumer', 1000n],
    ['provider', 0n],
    ['other', 0n],
  ]);
  await offer(market, 'provider', 'pow', 1000n, 2n);
  await market.voteAll(10);
  return market;
}

describe('pow life cycle', () => {
  it('request → accept → delivery → completed; the escrow pays the provider exactly once', async () => {
    const market = await powMarket();
    const request = await market.request('consumer', 'provider', {
      rate: 2n,
      volume: VOLUME,
      job: POW,
    });
    expectAccepted(request.outcome);
    expect(market.ledger.escrow(request.id)).toBe(128n);
    expect(market.available('consumer')).toBe(1000n - 128n);
    await market.voteAll(100);
    expect(stateOf(market, request.id)).toBe('open:accept');
    expectAccepted((await acceptRequest(market, request.id)).outcome);
    const nonce = solvePow(POW.data, POW.difficulty);
    expectAccepted(
      (
        await market.act(
          'provider',
          'deliver',
          { request: fromHex(request.id), nonce },
          { deps: [request.id] },
        )
      ).outcome,
    );
    // No witness has voted since the request: nothing is seen yet.
    expect(stateOf(market, request.id)).toBe('open:accept');
    await market.voteAll(500);
    expect(stateOf(market, request.id)).toBe('completed');
    await expect(market.settle('consumer', request.id)).rejects.toThrow(/other party/);
    const settle = await market.settle('provider', request.id);
    expectAccepted(settle.outcome);
    expect(market.ledger.escrow(request.id)).toBe(0n);
    await market.voteAll(600);
    expect(market.available('provider')).toBe(128n);
    expect(market.available('consumer')).toBe(872n);
    expect(market.ledger.audit()).toEqual({ ok: true });
    // A second settle, by anyone, is refused.
    await expect(market.settle('provider', request.id)).rejects.toThrow(/already settled/);
  });

  it('rejects a wrong nonce, a delivery before accepting, and a request without funds', async () => {
    const market = await powMarket();
    const poor = await market
      .request('other', 'provider', { rate: 2n, volume: VOLUME, job: POW })
      .catch((e: Error) => e);
    expect(poor).toBeInstanceOf(Error);
    expect((poor as Error).message).toMatch(/insufficient-funds/);
    const request = await market.request('consumer', 'provider', {
      rate: 2n,
      volume: VOLUME,
      job: POW,
    });
    const early = await market.act(
      'provider',
      'deliver',
      { request: fromHex(request.id), nonce: new Uint8Array(8) },
      { deps: [request.id] },
    );
    rejectedWith(early.outcome, /accepted/);
    await acceptRequest(market, request.id);
    let wrong = new Uint8Array(8);
    for (let i = 0; i < 256; i++) {
      wrong = new Uint8Array([0, 0, 0, 0, 0, 0, 1, i]);
      const { verifyPow } = await import('../../shared/dnec/pow.ts');
      if (!verifyPow(POW, wrong)) break;
    }
    const bad = await market.act(
      'provider',
      'deliver',
      { request: fromHex(request.id), nonce: wrong },
      { deps: [request.id] },
    );
    rejectedWith(bad.outcome, /target/);
  });

  it('a request nobody accepts expires and refunds; an accept after the deadline does not count', async () => {
    const market = await powMarket();
    const request = await market.request('consumer', 'provider', {
      rate: 2n,
      volume: VOLUME,
      job: POW,
    });
    await market.voteAll(500);
    await market.voteAll(1500); // all witnesses past acceptBy = 1000
    await acceptRequest(market, request.id);
    await market.voteAll(1600);
    expect(stateOf(market, request.id)).toBe('expired');
    expectAccepted((await market.settle('consumer', request.id)).outcome);
    await market.voteAll(1700);
    expect(market.available('consumer')).toBe(1000n);
  });

  it('a provider that never delivers is late; the consumer is refunded and the provider loses reputation', async () => {
    const market = await powMarket();
    const request = await market.request('consumer', 'provider', {
      rate: 2n,
      volume: VOLUME,
      job: POW,
    });
    await acceptRequest(market, request.id);
    await market.voteAll(500);
    expect(stateOf(market, request.id)).toBe('open:deliver');
    await market.voteAll(2500, [0, 1]); // two witnesses (n − q + 1) are past deliverBy
    expect(stateOf(market, request.id)).toBe('late');
    // The provider delivers late: it stays late (the two closed views never change).
    await deliverPow(market, request.id);
    await market.voteAll(2600);
    expect(stateOf(market, request.id)).toBe('late');
    expectAccepted((await market.settle('consumer', request.id)).outcome);
    await market.voteAll(2700);
    expect(market.available('consumer')).toBe(1000n);
    expect(reputationOf(market.ledger, market.who('provider').key).failed).toBe(1);
  });

  it('deliver racing the deadline: decided by what a quorum of witnesses saw, never both ways', async () => {
    const market = await powMarket();
    const request = await market.request('consumer', 'provider', {
      rate: 2n,
      volume: VOLUME,
      job: POW,
    });
    await acceptRequest(market, request.id);
    await market.voteAll(500);
    await deliverPow(market, request.id);
    // w1, w2 see the delivery before deliverBy = 2000; w3 only after.
    await market.voteAll(1999, [0, 1]);
    await market.voteAll(2001, [2]);
    expect(stateOf(market, request.id)).toBe('open:deliver'); // 2 seen, 1 not: undecided
    await market.voteAll(2002, [0, 1]);
    expect(stateOf(market, request.id)).toBe('open:deliver');
    await market.voteAll(1998, [3]); // w4 saw it in time: 3 of 4 → on time
    expect(stateOf(market, request.id)).toBe('completed');
  });

  it('a provider declines; a consumer cannot hire itself; an accept beyond capacity is refused', async () => {
    const market = await powMarket();
    const request = await market.request('consumer', 'provider', {
      rate: 2n,
      volume: VOLUME,
      job: POW,
    });
    await market.act(
      'provider',
      'decline',
      { request: fromHex(request.id) },
      { deps: [request.id] },
    );
    const late = await acceptRequest(market, request.id);
    rejectedWith(late.outcome, /already done/);
    await market.voteAll(100);
    expect(stateOf(market, request.id)).toBe('declined');
    await expect(
      market.request('consumer', 'consumer', { rate: 2n, volume: VOLUME, job: POW }),
    ).resolves.toMatchObject({
      outcome: { status: 'rejected' },
    });
    await offer(market, 'provider', 'pow', 100n, 1n);
    const first = await market.request('consumer', 'provider', {
      rate: 1n,
      volume: VOLUME,
      job: POW,
    });
    const second = await market.request('consumer', 'provider', {
      rate: 1n,
      volume: VOLUME,
      job: { ...POW, data: utf8('b') },
    });
    expectAccepted((await acceptRequest(market, first.id)).outcome);
    const over = await acceptRequest(market, second.id);
    rejectedWith(over.outcome, /exceed capacity: 64 of 100 in use, 64 requested/);
    // Delivering frees the capacity.
    await deliverPow(market, first.id);
    expectAccepted((await acceptRequest(market, second.id)).outcome);
  });
});

async function validatorMarket() {
  const market = await newMarket([
    ['consumer', 1000n],
    ['provider', 0n],
    ['v1', 50n],
    ['v2', 50n],
    ['v3', 50n],
    ['outsider', 50n],
  ]);
  for (const v of ['v1', 'v2', 'v3']) {
    const { outcome } = await market.act(v, 'bond', { amount: 10n }, { debit: 10n });
    expect(outcome.status).toBe('accepted');
  }
  await offer(market, 'provider', 'compute', 10_000n, 1n);
  await offer(market, 'provider', 'task', 100n, 5n);
  await market.voteAll(10);
  return market;
}

const COMPUTE_JOB = { fn: 'count-primes', input: new Uint8Array([0, 0, 0x27, 0x10]) }; // primes < 10000

async function acceptRevealDeliver(
  market: Market,
  request: { id: TxId; reveal: Uint8Array },
  body: Record<string, Uint8Array>,
) {
  const accept = await acceptRequest(market, request.id);
  expectAccepted(accept.outcome);
  const reveal = await market.act(
    'consumer',
    'reveal',
    { request: fromHex(request.id), accept: fromHex(accept.tx.id), reveal: request.reveal },
    { deps: [accept.tx.id] },
  );
  expectAccepted(reveal.outcome);
  const delivery = await market.act(
    'provider',
    'deliver',
    { request: fromHex(request.id), ...body },
    { deps: [request.id] },
  );
  expectAccepted(delivery.outcome);
  await market.voteAll(500);
  return instanceView(market.ledger, request.id);
}

describe('compute life cycle', () => {
  it('validators re-execute; 2 of 3 decide; the minority is outvoted and unpaid', async () => {
    const market = await validatorMarket();
    const volume = computeCost(COMPUTE_JOB);
    const request = await market.request('consumer', 'provider', {
      service: 'compute',
      rate: 1n,
      volume,
      fee: 3n,
      m: 3,
      k: 2,
      job: COMPUTE_JOB,
    });
    expectAccepted(request.outcome);
    const hash = computeResultHash(runCompute(COMPUTE_JOB));
    const view = await acceptRevealDeliver(market, request, { hash });
    expect(view?.committee).toHaveLength(3);
    const [a, b, c] = view?.committee ?? [];
    const name = (key: string | undefined) =>
      ['v1', 'v2', 'v3'].find((n) => market.who(n).key === key) as string;
    // An outsider's verdict is refused.
    const outsider = await market.act(
      'outsider',
      'verdict',
      {
        request: fromHex(request.id),
        accept: fromHex(view?.accept as string),
        reveal: fromHex(view?.reveal as string),
        delivery: fromHex(view?.delivery as string),
        pass: false,
      },
      { deps: [request.id, view?.accept as TxId, view?.reveal as TxId, view?.delivery as TxId] },
    );
    rejectedWith(outsider.outcome, /only the validators P selected/);
    expectAccepted((await market.verdict(name(a), request.id, true)).outcome);
    expectAccepted((await market.verdict(name(b), request.id, false)).outcome); // the colluding minority
    await market.voteAll(600);
    expect(stateOf(market, request.id)).toBe('open:evaluate');
    expectAccepted((await market.verdict(name(c), request.id, true)).outcome);
    await market.voteAll(700);
    expect(stateOf(market, request.id)).toBe('passed');
    expectAccepted((await market.settle('provider', request.id)).outcome);
    await market.voteAll(800);
    expect(market.available('provider')).toBe(volume);
    expect(market.available(name(a))).toBe(40n + 3n);
    expect(market.available(name(b))).toBe(40n);
    expect(market.available('consumer')).toBe(1000n - volume - 6n);
    expect(reputationOf(market.ledger, market.who(name(b)).key).votedAgainstMajority).toBe(1);
    expect(reputationOf(market.ledger, market.who('provider').key).completed).toBe(1);
    expect(market.ledger.audit()).toEqual({ ok: true });
  });

  it('a wrong result fails evaluation and refunds the price; a bad reveal is refused', async () => {
    const market = await validatorMarket();
    const volume = computeCost(COMPUTE_JOB);
    const request = await market.request('consumer', 'provider', {
      service: 'compute',
      rate: 1n,
      volume,
      fee: 3n,
      m: 3,
      k: 2,
      job: COMPUTE_JOB,
    });
    const accept = await acceptRequest(market, request.id);
    const badReveal = await market.act(
      'consumer',
      'reveal',
      { request: fromHex(request.id), accept: fromHex(accept.tx.id), reveal: new Uint8Array(32) },
      { deps: [accept.tx.id] },
    );
    rejectedWith(badReveal.outcome, /does not open/);
    const wrongHash = computeResultHash(utf8('not the answer'));
    const reveal = await market.act(
      'consumer',
      'reveal',
      { request: fromHex(request.id), accept: fromHex(accept.tx.id), reveal: request.reveal },
      { deps: [accept.tx.id] },
    );
    expectAccepted(reveal.outcome);
    await market.act(
      'provider',
      'deliver',
      { request: fromHex(request.id), hash: wrongHash },
      { deps: [request.id] },
    );
    await market.voteAll(500);
    const view = instanceView(market.ledger, request.id);
    for (const key of view?.committee ?? []) {
      const name = ['v1', 'v2', 'v3'].find((n) => market.who(n).key === key) as string;
      await market.verdict(name, request.id, false);
    }
    await market.voteAll(600);
    expect(stateOf(market, request.id)).toBe('failed');
    await expect(market.settle('provider', request.id)).rejects.toThrow(/other party/);
    expectAccepted((await market.settle('consumer', request.id)).outcome);
    await market.voteAll(700);
    expect(market.available('consumer')).toBe(1000n - 9n);
    expect(reputationOf(market.ledger, market.who('provider').key).failed).toBe(1);
  });

  it('a consumer who never reveals pays the provider who delivered', async () => {
    const market = await validatorMarket();
    const volume = computeCost(COMPUTE_JOB);
    const request = await market.request('consumer', 'provider', {
      service: 'compute',
      rate: 1n,
      volume,
      fee: 3n,
      m: 3,
      k: 2,
      job: COMPUTE_JOB,
    });
    await acceptRequest(market, request.id);
    const hash = computeResultHash(runCompute(COMPUTE_JOB));
    await market.act(
      'provider',
      'deliver',
      { request: fromHex(request.id), hash },
      { deps: [request.id] },
    );
    await market.voteAll(500);
    await market.voteAll(2500);
    expect(stateOf(market, request.id)).toBe('unrevealed');
    expectAccepted((await market.settle('provider', request.id)).outcome);
    await market.voteAll(2600);
    expect(market.available('provider')).toBe(volume);
    expect(market.available('consumer')).toBe(1000n - volume);
  });
});

describe('task life cycle', () => {
  const JOB = {
    fields: { title: 'Translate a letter', description: 'Two pages, German to English' },
  };

  it('the consumer approves; silence also approves', async () => {
    const market = await validatorMarket();
    const request = await market.request('consumer', 'provider', {
      service: 'task',
      rate: 5n,
      volume: 2n,
      fee: 1n,
      m: 1,
      k: 1,
      job: JOB,
    });
    expectAccepted(request.outcome);
    const view = await acceptRevealDeliver(market, request, { hash: new Uint8Array(32).fill(7) });
    const review = await market.act(
      'consumer',
      'review',
      { request: fromHex(request.id), delivery: fromHex(view?.delivery as string), approve: true },
      { deps: [view?.delivery as TxId] },
    );
    expectAccepted(review.outcome);
    await market.voteAll(600);
    expect(stateOf(market, request.id)).toBe('approved');
    expectAccepted((await market.settle('provider', request.id)).outcome);
    await market.voteAll(700);
    expect(market.available('provider')).toBe(10n);
    expect(market.available('consumer')).toBe(990n);
  });

  it('a dispute goes to the validators, who can rule for the consumer', async () => {
    const market = await validatorMarket();
    const request = await market.request('consumer', 'provider', {
      service: 'task',
      rate: 5n,
      volume: 2n,
      fee: 1n,
      m: 1,
      k: 1,
      job: JOB,
    });
    const view = await acceptRevealDeliver(market, request, { hash: new Uint8Array(32).fill(7) });
    await market.act(
      'consumer',
      'review',
      { request: fromHex(request.id), delivery: fromHex(view?.delivery as string), approve: false },
      { deps: [view?.delivery as TxId] },
    );
    await market.voteAll(600);
    expect(stateOf(market, request.id)).toBe('open:evaluate');
    const validator = ['v1', 'v2', 'v3'].find(
      (n) => market.who(n).key === view?.committee[0],
    ) as string;
    expectAccepted((await market.verdict(validator, request.id, false)).outcome);
    await market.voteAll(700);
    expect(stateOf(market, request.id)).toBe('failed');
    expectAccepted((await market.settle('consumer', request.id)).outcome);
    await market.voteAll(800);
    expect(market.available('consumer')).toBe(1000n - 1n);
    expect(market.available(validator)).toBe(41n);
    expect(reputationOf(market.ledger, market.who('provider').key).disputesLost).toBe(1);
  });

  it('a form with a sensitive field in the clear, or a missing required field, is refused', async () => {
    const market = await validatorMarket();
    const leaked = await market.request('consumer', 'provider', {
      service: 'task',
      rate: 5n,
      volume: 2n,
      fee: 1n,
      m: 1,
      k: 1,
      job: { fields: { title: 'x', details: 'my address' } },
    });
    rejectedWith(leaked.outcome, /sensitive/);
    const missing = await market.request('consumer', 'provider', {
      service: 'task',
      rate: 5n,
      volume: 2n,
      fee: 1n,
      m: 1,
      k: 1,
      job: { fields: { description: 'x' } },
    });
    rejectedWith(missing.outcome, /required/);
  });
});

describe('forged and misplaced actions', () => {
  it("a verdict in a selected validator's name with a signature that is not its own is refused", async () => {
    const market = await validatorMarket();
    const volume = computeCost(COMPUTE_JOB);
    const request = await market.request('consumer', 'provider', {
      service: 'compute',
      rate: 1n,
      volume,
      fee: 3n,
      m: 3,
      k: 2,
      job: COMPUTE_JOB,
    });
    const view = await acceptRevealDeliver(market, request, {
      hash: computeResultHash(runCompute(COMPUTE_JOB)),
    });
    const selected = ['v1', 'v2', 'v3'].find(
      (n) => market.who(n).key === view?.committee[0],
    ) as string;
    const { composeVerdict } = await import('../../shared/wallet/dnecCompose.ts');
    const composed = composeVerdict(market.ledger, market.who(selected).key, request.id, false, 5);
    if (!composed.ok) throw new Error('compose failed');
    // A verdict in the selected validator's name whose signature is not the validator's.
    const bytes = signTx(market.who(selected).secret, composed.tx);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
    const forged = await admitTx(bytes, registry, verifier);
    expect(forged.ok).toBe(false);
    if (!forged.ok) expect(forged.rejection.code).toBe('bad-signature');
  });
});

describe('time, grinding and registered services', () => {
  it('verdicts that arrive after evaluateBy do not count: the instance is unevaluated and the provider is paid', async () => {
    const market = await validatorMarket();
    const volume = computeCost(COMPUTE_JOB);
    const request = await market.request('consumer', 'provider', {
      service: 'compute',
      rate: 1n,
      volume,
      fee: 3n,
      m: 3,
      k: 2,
      job: COMPUTE_JOB,
    });
    await acceptRevealDeliver(market, request, {
      hash: computeResultHash(runCompute(COMPUTE_JOB)),
    });
    await market.voteAll(4500); // past evaluateBy = 4000 with no verdicts
    const view = instanceView(market.ledger, request.id);
    for (const key of view?.committee ?? []) {
      const name = ['v1', 'v2', 'v3'].find((n) => market.who(n).key === key) as string;
      await market.verdict(name, request.id, false); // late: they cannot change the outcome
    }
    await market.voteAll(4600);
    expect(stateOf(market, request.id)).toBe('unevaluated');
    expectAccepted((await market.settle('provider', request.id)).outcome);
    await market.voteAll(4700);
    expect(market.available('provider')).toBe(volume);
    expect(market.available('consumer')).toBe(1000n - volume);
  });

  it('a provider cannot grind P: a second accept is refused, and two accepts at one seq freeze it', async () => {
    const market = await validatorMarket();
    const volume = computeCost(COMPUTE_JOB);
    const request = await market.request('consumer', 'provider', {
      service: 'compute',
      rate: 1n,
      volume,
      fee: 3n,
      m: 3,
      k: 2,
      job: COMPUTE_JOB,
    });
    const first = await acceptRequest(market, request.id);
    expectAccepted(first.outcome);
    const again = await acceptRequest(market, request.id);
    rejectedWith(again.outcome, /already done/);
    await market.voteAll(100);
    await market.act(
      'consumer',
      'reveal',
      { request: fromHex(request.id), accept: fromHex(first.tx.id), reveal: request.reveal },
      { deps: [first.tx.id] },
    );
    await market.voteAll(200);
    const committee = instanceView(market.ledger, request.id)?.committee;
    // Knowing the reveal now, the provider signs a different accept at the same seq: a fork.
    const fork = signTx(market.who('provider').secret, {
      net: market.ledger.networkId,
      seq: first.tx.seq,
      prev: first.tx.prev,
      deps: [request.id],
      type: 'accept',
      body: { request: fromHex(request.id) },
      time: 999,
    });
    const admitted = await admitTx(fork, registry, verifier);
    if (!admitted.ok) throw new Error('fork did not decode');
    market.ledger.insert(admitted.tx);
    expect(market.ledger.isFrozen(market.who('provider').key)).toBe(true);
    await market.voteAll(300);
    // The committee stays the one drawn from the accept the witnesses saw first.
    expect(instanceView(market.ledger, request.id)?.committee).toEqual(committee);
  });

  it('a service registered on the ledger composes the building blocks: its form, unit and voting validators', async () => {
    const market = await validatorMarket();
    const registration = await market.act('provider', 'service', {
      name: 'Bike repair',
      unit: 'repairs',
      fields: [
        ['bike', 'text', false, true],
        ['address', 'text', true, true],
      ],
      negotiation: 'lowest-total',
      evaluation: 'vote',
      compensation: 'rate-times-volume',
    });
    expectAccepted(registration.outcome);
    const service = registration.tx.id;
    const offered = await market.act(
      'provider',
      'offer',
      { service, capacity: 3n, rate: 20n },
      { deps: [service] },
    );
    expectAccepted(offered.outcome);
    const missingSealed = await market.request('consumer', 'provider', {
      service,
      rate: 20n,
      volume: 1n,
      fee: 2n,
      m: 1,
      k: 1,
      job: { fields: { bike: 'red city bike' } },
    });
    rejectedWith(missingSealed.outcome, /"address" is required/);
    const request = await market.request('consumer', 'provider', {
      service,
      rate: 20n,
      volume: 1n,
      fee: 2n,
      m: 1,
      k: 1,
      job: { fields: { bike: 'red city bike' }, sealed: new Uint8Array([1, 2, 3]) },
    });
    expectAccepted(request.outcome);
    const view = await acceptRevealDeliver(market, request, { hash: new Uint8Array(32).fill(1) });
    // 'vote' evaluation: the validators judge every delivery; the consumer does not review.
    const review = await market.act(
      'consumer',
      'review',
      { request: fromHex(request.id), delivery: fromHex(view?.delivery as string), approve: true },
      { deps: [view?.delivery as TxId] },
    );
    rejectedWith(review.outcome, /not reviewed by the consumer/);
    const validator = ['v1', 'v2', 'v3'].find(
      (n) => market.who(n).key === view?.committee[0],
    ) as string;
    expectAccepted((await market.verdict(validator, request.id, true)).outcome);
    await market.voteAll(600);
    expect(stateOf(market, request.id)).toBe('passed');
  });
});
