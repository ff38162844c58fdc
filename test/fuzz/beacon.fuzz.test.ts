// Fuzzing the `beacon` transaction (docs/protocol.md §11.5): a witness's body reaches every
// peer's rule, and a peer's candidates for a draw come from it. Bodies are signed by a real
// witness, so each case passes the signature check and meets the schema and the rule: mutated
// proofs, ids and lengths, and hostile CBOR. Nothing may throw, and only the one valid beacon
// may ever be accepted, once; the committee a peer draws stays the one the valid beacons give.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual, fromHex } from '../../shared/bytes.ts';
import type { CborValue } from '../../shared/codec/cbor.ts';
import { vrfProve } from '../../shared/crypto/vrf.ts';
import { beaconAlpha } from '../../shared/dnec/draw.ts';
import { instanceView } from '../../shared/dnec/queries.ts';
import type { TxId } from '../../shared/ids.ts';
import { composeAction } from '../../shared/wallet/dnecCompose.ts';
import { disputedTask, witnessedMarket } from '../helpers/draw.ts';
import type { Market } from '../helpers/market.ts';
import { sign } from '../helpers/network.ts';
import { mutate, mutationArb } from './fixtures.ts';
import { fuzz } from './harness.ts';

let market: Market;
let request: TxId;
let accept: TxId;
let valid: Uint8Array;
let accepted = 0;
/** Cases that passed the schema and met the beacon rule itself. */
let ruled = 0;

beforeAll(async () => {
  market = await witnessedMarket();
  const task = await disputedTask(market);
  request = task.request.id;
  accept = task.acceptId;
  const w2 = market.witnesses[1] as Market['witnesses'][number];
  valid = vrfProve(w2.secret, beaconAlpha(accept));
  for (const i of [0, 2, 3]) await market.beacon(i, request);
  await market.voteAll(600);
});

const idArb = fc.oneof(
  fc.constant('request' as const),
  fc.constant('accept' as const),
  fc.uint8Array({ minLength: 32, maxLength: 32 }),
  fc.uint8Array({ maxLength: 40 }),
);
const proofArb = fc.oneof(
  fc.constant(null),
  mutationArb,
  fc.uint8Array({ minLength: 80, maxLength: 80 }),
  fc.uint8Array({ maxLength: 120 }),
);
const bodyArb = fc.oneof(
  fc.record({ request: idArb, accept: idArb, proof: proofArb }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string(), idArb)),
);

function bytesOf(value: unknown): CborValue {
  if (value === 'request') return fromHex(request);
  if (value === 'accept') return fromHex(accept);
  if (value === null) return valid;
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'object') return mutate(valid, value as Parameters<typeof mutate>[1]);
  return value as CborValue;
}

const isValid = (body: Record<string, CborValue>) =>
  Object.keys(body).length === 3 &&
  bytesEqual(body['request'] as Uint8Array, fromHex(request)) &&
  bytesEqual(body['accept'] as Uint8Array, fromHex(accept)) &&
  bytesEqual(body['proof'] as Uint8Array, valid);

describe('beacon fuzzing', () => {
  it('never throws; only the one valid beacon is accepted, once; the draw stays the honest one', async () => {
    const committee = instanceView(market.ledger, request)?.committee;
    await fuzz(
      'beacon bodies',
      fc.asyncProperty(bodyArb, async (raw) => {
        const body: Record<string, CborValue> = {};
        for (const [k, value] of Object.entries(raw)) body[k] = bytesOf(value);
        const w2 = market.witnesses[1] as Market['witnesses'][number];
        const composed = composeAction(market.ledger, w2.key, 'beacon', body, {
          deps: [request, accept],
          time: 700,
        });
        if (!composed.ok) return;
        const tx = await sign(w2, composed.tx).catch(() => null);
        if (tx === null) return; // refused by the schema at admission: nothing reached the ledger
        const outcome = market.ledger.insert(tx);
        ruled++;
        if (outcome.status === 'accepted') {
          expect(isValid(body)).toBe(true);
          accepted++;
        }
        expect(accepted).toBeLessThanOrEqual(1);
      }),
      3601,
      200,
    );
    await market.voteAll(800);
    // The fourth beacon, if the fuzzer found it, is the honest one: the draw is the one all four
    // honest beacons give, or still waits for it; never another.
    const after = instanceView(market.ledger, request)?.committee;
    if (accepted === 0) expect(after).toEqual([]);
    else expect(after).toHaveLength(1);
    expect(committee).toEqual([]);
    // Guards against a vacuous pass: many cases must reach the rule, not only the schema.
    expect(ruled).toBeGreaterThanOrEqual(20);
  }, 120_000);
});
