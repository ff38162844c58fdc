// Dispute evidence (docs/protocol.md §11.8): the review rule every peer applies to it, on a real
// ledger and as a seeded property against a model; the sealed payload's canonical encoding and
// strict parser; and what a validator reads, checked against the provider's content hash.
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../shared/bytes.ts';
import { encodeCanonical } from '../../shared/codec/cbor.ts';
import {
  encodeEvidence,
  evidenceProblem,
  MAX_EVIDENCE_RESULT,
  parseEvidence,
  readEvidence,
  SEALED_EVIDENCE,
  sortedEvidence,
} from '../../shared/dnec/evidence.ts';
import { instanceView } from '../../shared/dnec/queries.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import { openField, sealField } from '../../shared/ssk/field.ts';
import { newMarket, stateOf, type Market } from '../helpers/market.ts';

const JOB = { fields: { title: 'Translate a letter' } };
const RESULT = utf8('Dear Sir, the translation.');

async function disputedTask(): Promise<{ market: Market; request: TxId; delivery: TxId }> {
  const market = await newMarket([
    ['consumer', 1000n],
    ['provider', 0n],
    ['v1', 50n],
    ['v2', 50n],
    ['outsider', 50n],
  ]);
  for (const v of ['v1', 'v2']) await market.act(v, 'bond', { amount: 10n }, { debit: 10n });
  await market.act('provider', 'offer', { service: 'task', capacity: 100n, rate: 5n });
  await market.voteAll(10);
  const request = await market.request('consumer', 'provider', {
    service: 'task',
    rate: 5n,
    volume: 2n,
    fee: 1n,
    m: 1,
    k: 1,
    job: JOB,
  });
  const accept = await market.act(
    'provider',
    'accept',
    { request: fromHex(request.id) },
    { deps: [request.id] },
  );
  await market.act(
    'consumer',
    'reveal',
    { request: fromHex(request.id), accept: fromHex(accept.tx.id), reveal: request.reveal },
    { deps: [accept.tx.id] },
  );
  const delivery = await market.act(
    'provider',
    'deliver',
    { request: fromHex(request.id), hash: sha256(RESULT) },
    { deps: [request.id] },
  );
  await market.voteAll(500);
  return { market, request: request.id, delivery: delivery.tx.id };
}

type Outcome = { status: string; rejection?: { message: string } };

const review = (
  { market, request, delivery }: Awaited<ReturnType<typeof disputedTask>>,
  approve: boolean,
  to: readonly string[],
) =>
  market.act(
    'consumer',
    'review',
    {
      request: fromHex(request),
      delivery: fromHex(delivery),
      approve,
      evidence: to.map((name) => [fromHex(market.who(name).key), new Uint8Array(40).fill(1)]),
    },
    { deps: [delivery] },
  );

describe('the review rule on evidence', () => {
  it('accepts copies for validators of the pool, and the dispute goes to the committee', async () => {
    const task = await disputedTask();
    const drawn = instanceView(task.market.ledger, task.request)?.committee[0];
    const name = ['v1', 'v2'].find((n) => task.market.who(n).key === drawn) as string;
    const outcome: Outcome = (await review(task, false, [name])).outcome;
    expect(outcome.rejection?.message ?? outcome.status).toBe('accepted');
    await task.market.voteAll(600);
    expect(stateOf(task.market, task.request)).toBe('open:evaluate');
  });

  it('refuses evidence on an approval, for someone outside the pool, or out of order', async () => {
    const task = await disputedTask();
    const sorted = ['v1', 'v2'].sort((a, b) =>
      task.market.who(a).key < task.market.who(b).key ? -1 : 1,
    );
    const cases: Array<[boolean, string[], RegExp]> = [
      [true, ['v1'], /a dispute only/],
      [false, ['outsider'], /validators of the request's pool/],
      [false, ['provider'], /validators of the request's pool/],
      [false, [...sorted].reverse(), /sorted and unique/],
      [false, ['v1', 'v1'], /sorted and unique/],
    ];
    for (const [approve, to, message] of cases) {
      const outcome: Outcome = (await review(task, approve, to)).outcome;
      expect(outcome.status).toBe('rejected');
      expect(outcome.rejection?.message).toMatch(message);
    }
  });
});

const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b) as KeyHex);

describe('evidenceProblem, seeded property', () => {
  // The model: no list is fine; otherwise a dispute, non-empty, strictly ascending, all in pool.
  const model = (approve: boolean, keys: readonly KeyHex[] | undefined, pool: Set<KeyHex>) =>
    keys === undefined ||
    (!approve &&
      keys.length > 0 &&
      keys.every((k, i) => i === 0 || (keys[i - 1] as KeyHex) < k) &&
      keys.every((k) => pool.has(k)));

  it('agrees with the model on random lists drawn mostly from the pool', () => {
    fc.assert(
      fc.property(
        fc.array(keyArb, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        fc.option(fc.array(fc.nat(8), { maxLength: 5 }), { nil: undefined }),
        fc.boolean(),
        (pool, approve, picks, sort) => {
          const keys = picks?.map((i) => pool[i] ?? ('ff'.repeat(32) as KeyHex));
          const ordered = keys && sort ? [...keys].sort() : keys;
          const entries = ordered?.map((k) => [fromHex(k), new Uint8Array(1)] as const);
          const ok = evidenceProblem(approve, entries, pool) === null;
          expect(ok).toBe(model(approve, ordered, new Set(pool)));
        },
      ),
      { seed: 1811, numRuns: 400 },
    );
  });

  it('sortedEvidence always yields a list the rule accepts for pool members', () => {
    fc.assert(
      fc.property(fc.uniqueArray(keyArb, { minLength: 1, maxLength: 8 }), (keys) => {
        const entries = sortedEvidence(keys.map((k) => [k, new Uint8Array(2)] as const));
        expect(evidenceProblem(false, entries, keys)).toBeNull();
      }),
      { seed: 1812, numRuns: 200 },
    );
  });
});

describe('the evidence payload', () => {
  it('round-trips canonically, seeded', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 512 }),
        fc.option(fc.uint8Array({ maxLength: 256 }), { nil: undefined }),
        (result, details) => {
          const bytes = encodeEvidence({ result, ...(details ? { details } : {}) });
          const parsed = parseEvidence(bytes);
          expect(parsed.ok).toBe(true);
          if (!parsed.ok) return;
          expect(encodeEvidence(parsed.payload)).toEqual(bytes);
        },
      ),
      { seed: 1813, numRuns: 200 },
    );
  });

  it('refuses unknown keys, other versions, oversize results and non-CBOR', () => {
    const cases: Array<[unknown, RegExp]> = [
      [encodeCanonical({ v: 1, result: RESULT, note: 'x' }), /malformed dispute evidence/],
      [encodeCanonical({ v: 2, result: RESULT }), /unsupported dispute evidence version 2/],
      [
        encodeCanonical({ v: 1, result: new Uint8Array(MAX_EVIDENCE_RESULT + 1) }),
        /malformed dispute evidence/,
      ],
      [new Uint8Array([0xff, 0x00]), /malformed dispute evidence/],
      ['text', /malformed dispute evidence/],
    ];
    for (const [input, message] of cases) {
      const parsed = parseEvidence(input);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toMatch(message);
    }
  });
});

describe('what a validator reads', () => {
  const network = new Uint8Array(32).fill(9);
  const consumer = new Uint8Array(32).fill(1);
  const validator = new Uint8Array(32).fill(2);
  const key = new Uint8Array(32).fill(3);
  const ctx = { network, sender: consumer, recipient: validator, epoch: 1, label: SEALED_EVIDENCE };
  const random = { bytes: (n: number) => new Uint8Array(n).fill(4) };
  const seal = (result: Uint8Array) =>
    sealField(key, ctx, encodeEvidence({ result, details: utf8('{"details":"x"}') }), random);
  const open = (copy: Uint8Array) => {
    const opened = openField(key, ctx, copy);
    return opened.ok ? opened.plaintext : null;
  };

  it("opens the copy and checks it against the provider's hash", () => {
    const reading = readEvidence(seal(RESULT), sha256(RESULT), open);
    expect(reading).toMatchObject({ ok: true, result: RESULT, matches: true });
  });

  it('a copy the consumer altered opens but does not match', () => {
    const reading = readEvidence(seal(utf8('something else')), sha256(RESULT), open);
    expect(reading).toMatchObject({ ok: true, matches: false });
  });

  it('names the gap when it cannot read', () => {
    expect(readEvidence(undefined, sha256(RESULT), open)).toEqual({
      ok: false,
      gap: 'not-sealed-for-you',
    });
    expect(readEvidence(seal(RESULT), sha256(RESULT), null)).toEqual({ ok: false, gap: 'no-keys' });
    const other = new Uint8Array(32).fill(5);
    const wrongKey = (copy: Uint8Array) => {
      const opened = openField(other, ctx, copy);
      return opened.ok ? opened.plaintext : null;
    };
    expect(readEvidence(seal(RESULT), sha256(RESULT), wrongKey)).toEqual({
      ok: false,
      gap: 'cannot-open',
    });
    const junk = sealField(key, ctx, utf8('not cbor evidence'), random);
    expect(readEvidence(junk, sha256(RESULT), open)).toEqual({ ok: false, gap: 'malformed' });
  });
});
