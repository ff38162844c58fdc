// Fuzzing the whole intake path — canonical decoding, schemas, signature check and the ledger —
// with random bytes, mutated valid transactions and structurally mutated envelopes. Nothing may
// throw, and nothing but an original, untouched valid transaction may be accepted.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual } from '../../shared/bytes.ts';
import { decodeCanonical, encodeCanonical, type CborValue } from '../../shared/codec/cbor.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { MAX_TX_BYTES } from '../../shared/tx/envelope.ts';
import { admitTx, type VerifiedTx } from '../../shared/tx/registry.ts';
import { registry, verifier } from '../helpers/network.ts';
import { actionArb, Sim, type SimConfig } from '../helpers/sim.ts';
import { fuzzParameters, runs } from './harness.ts';

const config: SimConfig = {
  users: 3,
  witnesses: 4,
  byzantine: 1,
  views: 2,
  allocation: 200n,
  creditLimit: 50n,
};
let corpus: VerifiedTx[] = [];
let target: Ledger;
let seen = { cases: 0, admitted: 0 };

beforeAll(async () => {
  const sim = await Sim.create(config);
  await sim.run(
    fc.sample(fc.array(actionArb(config), { minLength: 30, maxLength: 30 }), {
      seed: 7,
      numRuns: 1,
    })[0] ?? [],
  );
  sim.healAll();
  corpus = [sim.genesis, ...new Map(sim.signed.map((tx) => [tx.id, tx])).values()];
  target = Sim.fresh(sim.genesis);
});

/** Runs one input through the whole path; returns true when it was admitted. */
async function intake(input: Uint8Array): Promise<boolean> {
  seen.cases++;
  const result = await admitTx(input, registry, verifier);
  if (!result.ok) {
    expect(typeof result.rejection.code).toBe('string');
    return false;
  }
  // The only inputs that may pass are the original signed transactions, byte for byte.
  expect(corpus.some((tx) => bytesEqual(tx.bytes, input))).toBe(true);
  seen.admitted++;
  target.insert(result.tx);
  return true;
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 8 }),
  }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = m.at % Math.max(bytes.length, 1);
  switch (m.kind) {
    case 'flip': {
      const out = Uint8Array.from(bytes);
      out[at] = (out[at] ?? 0) ^ (1 << m.bit);
      return out;
    }
    case 'set': {
      const out = Uint8Array.from(bytes);
      out[at] = m.value;
      return out;
    }
    case 'truncate':
      return bytes.subarray(0, at);
    case 'insert':
      return Uint8Array.from([...bytes.subarray(0, at), ...m.bytes, ...bytes.subarray(at)]);
    case 'delete':
      return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + m.length)]);
  }
}

/** Changes one value deep inside a decoded envelope and re-encodes it canonically. */
function mutateStructure(value: unknown, path: number, replacement: CborValue): CborValue {
  let counter = 0;
  const walk = (node: unknown): CborValue => {
    if (counter++ === path) return replacement;
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object' && !(node instanceof Uint8Array)) {
      return Object.fromEntries(Object.entries(node).map(([k, x]) => [k, walk(x)]));
    }
    return node as CborValue;
  };
  return walk(value);
}

const cborScalar: fc.Arbitrary<CborValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.bigInt(0n, (1n << 64n) - 1n),
  fc.string({ maxLength: 8 }),
  fc.uint8Array({ maxLength: 40 }),
  fc.constant([] as CborValue[]),
);

describe('fuzz: decoder, verifier and ledger intake', () => {
  it(`survives random bytes (${runs(4000)} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => {
        expect(await intake(bytes)).toBe(false);
      }),
      fuzzParameters(101, 4000),
    );
  });

  it(`survives byte-level mutations of valid transactions (${runs(5000)} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        async (pick, mutations) => {
          const original = corpus[pick % corpus.length] as VerifiedTx;
          let bytes = original.bytes;
          for (const m of mutations) bytes = mutate(bytes, m);
          const admitted = await intake(bytes);
          if (!bytesEqual(bytes, original.bytes)) expect(admitted).toBe(false);
        },
      ),
      fuzzParameters(102, 5000),
    );
  });

  it(`survives structural mutations that keep the encoding canonical (${runs(2000)} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(60), cborScalar, async (pick, path, replacement) => {
        const original = corpus[pick % corpus.length] as VerifiedTx;
        const decoded = decodeCanonical(original.bytes, MAX_TX_BYTES);
        if (!decoded.ok) throw new Error('corpus must decode');
        let bytes: Uint8Array;
        try {
          bytes = encodeCanonical(mutateStructure(decoded.value, path, replacement));
        } catch {
          return; // the replacement made an unencodable value: nothing to feed
        }
        const admitted = await intake(bytes);
        if (!bytesEqual(bytes, original.bytes)) expect(admitted).toBe(false);
      }),
      fuzzParameters(103, 2000),
    );
  });

  it(`ran ${runs(4000) + runs(5000) + runs(2000)} cases, and the ledger stayed consistent`, () => {
    expect(seen.cases).toBeGreaterThanOrEqual(runs(4000) + runs(5000) + runs(2000));
    expect(target.audit()).toEqual({ ok: true });
    seen = { cases: 0, admitted: 0 };
  });
});
