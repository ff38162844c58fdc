// A witnessed-draw market (docs/protocol.md §11.5) with one disputed human task, for the draw's
// tests and its fuzz target.
import { expect } from 'vitest';
import { fromHex } from '../../shared/bytes.ts';
import { newMarket, type Market } from './market.ts';

export const VALIDATORS = ['v1', 'v2', 'v3', 'v4'];
const TASK = { fields: { title: 'Fix a bike' } };

export async function witnessedMarket(
  witnessedDraw = true,
  budget?: { readonly every: number; readonly burst: number },
): Promise<Market> {
  const market = await newMarket(
    [['consumer', 1000n], ['provider', 0n], ...VALIDATORS.map((v) => [v, 50n] as const)],
    4,
    { witnessedDraw, ...(budget ? { budget } : {}) },
  );
  for (const v of VALIDATORS) await market.act(v, 'bond', { amount: 10n }, { debit: 10n });
  await market.act('provider', 'offer', { service: 'compute', capacity: 10_000n, rate: 1n });
  await market.act('provider', 'offer', { service: 'task', capacity: 100n, rate: 5n });
  await market.voteAll(10);
  return market;
}

/** A human task with one validator: requested, accepted, revealed, delivered and disputed. */
export async function disputedTask(market: Market) {
  const request = await market.request('consumer', 'provider', {
    service: 'task',
    rate: 5n,
    volume: 1n,
    fee: 2n,
    m: 1,
    k: 1,
    job: TASK,
  });
  expect(request.outcome.status).toBe('accepted');
  const req = fromHex(request.id);
  const accept = await market.act('provider', 'accept', { request: req }, { deps: [request.id] });
  const acceptId = accept.tx.id;
  await market.act(
    'consumer',
    'reveal',
    { request: req, accept: fromHex(acceptId), reveal: request.reveal },
    { deps: [acceptId] },
  );
  const delivery = await market.act(
    'provider',
    'deliver',
    { request: req, hash: new Uint8Array(32).fill(7) },
    { deps: [request.id] },
  );
  await market.act(
    'consumer',
    'review',
    { request: req, delivery: fromHex(delivery.tx.id), approve: false },
    { deps: [delivery.tx.id] },
  );
  return { request, acceptId };
}
