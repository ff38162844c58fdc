// decodeEnvelope accepts the common case with plain checks and leaves everything else to the
// valibot schemas. The plain checks must never accept what the schemas refuse, and must give
// the same fields when both accept: random envelopes, well-formed and not, say so.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWire, parseWireWithSchemas } from '../../shared/tx/envelope.ts';

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
/** Each field: mostly right, sometimes of a wrong type, size or range. */
const field = <T>(good: fc.Arbitrary<T>, ...bad: fc.Arbitrary<unknown>[]) =>
  fc.oneof({ weight: 60, arbitrary: good }, ...bad.map((arbitrary) => ({ weight: 1, arbitrary })));
/** Null most of the time, else a value of `arbitrary`. */
const rarely = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 20, arbitrary: fc.constant(null) }, { weight: 1, arbitrary });
const wrong = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.string({ maxLength: 3 }),
  fc.integer({ min: -3, max: 3 }),
  fc.double(),
  fc.bigInt({ min: 0n, max: 5n }),
  bytes(31),
  bytes(33),
  fc.constant([]),
);

const envelope = fc
  .record({
    v: field(fc.constant(1), fc.constant(2), wrong),
    net: field(bytes(32), wrong),
    author: field(bytes(32), wrong),
    seq: field(fc.nat(), fc.constant(-1), fc.constant(2 ** 53), wrong),
    prev: field(fc.oneof(fc.constant(null), bytes(32)), wrong),
    deps: field(
      fc.array(bytes(32), { maxLength: 3 }),
      fc.array(bytes(32), { minLength: 65, maxLength: 65 }),
      fc.array(wrong, { minLength: 1, maxLength: 2 }),
      wrong,
    ),
    type: field(
      fc.constantFrom('transfer', 'vote', 'a', 'x'.repeat(32)),
      fc.constantFrom('', 'Transfer', '1x', 'x'.repeat(33), 'a b', 'é'),
      wrong,
    ),
    body: fc.oneof(fc.constant(null), fc.dictionary(fc.string({ maxLength: 3 }), fc.nat())),
    time: field(fc.nat(), fc.constant(-5), fc.double({ min: 0.5, max: 2 }), wrong),
  })
  .chain((record) =>
    fc
      .record({
        drop: rarely(fc.constantFrom(...Object.keys(record))),
        extra: rarely(fc.constantFrom('extra', 'sig')),
        nullProto: fc.boolean(),
      })
      .map(({ drop, extra, nullProto }) => {
        const out: Record<string, unknown> = nullProto
          ? (Object.create(null) as Record<string, unknown>)
          : {};
        for (const [key, value] of Object.entries(record)) if (key !== drop) out[key] = value;
        if (extra !== null) out[extra] = 1;
        return out;
      }),
  );

const wire = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(envelope, field(bytes(64), bytes(63), wrong)) },
  { weight: 1, arbitrary: fc.array(fc.oneof(envelope, bytes(64)), { maxLength: 3 }) },
  { weight: 1, arbitrary: wrong },
);

describe('the envelope fast path', () => {
  it('accepts only what the schemas accept, with the same fields', () => {
    let accepted = 0;
    fc.assert(
      fc.property(wire, (value) => {
        const fast = parseWire(value);
        const reference = parseWireWithSchemas(value);
        expect(fast.ok).toBe(reference.ok);
        if (fast.ok && reference.ok) {
          accepted++;
          expect({ ...fast.envelope }).toEqual({ ...reference.envelope });
          expect(fast.signature).toEqual(reference.signature);
        }
      }),
      { seed: 21, numRuns: 5000 },
    );
    // Both outcomes really occur.
    expect(accepted).toBeGreaterThan(200);
  });
});
