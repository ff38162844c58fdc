// Fuzzing the dispute evidence a validator opens (docs/protocol.md §11.8, shared/dnec/evidence.ts):
// the plaintext comes from the consumer, a party to the dispute, so its parser sees hostile input.
// Two targets:
// - byte-level mutations of real payloads: parseEvidence never throws, and whatever it accepts
//   re-encodes to exactly the bytes it was given (canonical CBOR, no second spelling);
// - hostile CBOR values (extra keys, other versions, wrong kinds, oversize byte strings): accepted
//   exactly when a model written out below without valibot says so, and each refusal is a
//   sentence naming "dispute evidence".
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../shared/bytes.ts';
import { encodeCanonical, type CborValue } from '../../shared/codec/cbor.ts';
import {
  encodeEvidence,
  MAX_EVIDENCE_DETAILS,
  MAX_EVIDENCE_RESULT,
  parseEvidence,
} from '../../shared/dnec/evidence.ts';
import { mutate, mutationArb } from './fixtures.ts';
import { fuzz, runs } from './harness.ts';

const payloadArb = fc.record(
  {
    result: fc.uint8Array({ maxLength: 300 }),
    details: fc.uint8Array({ maxLength: 120 }),
  },
  { requiredKeys: ['result'] },
);

/** The rule, written out: a map of exactly v = 1, result (bytes ≤ max) and optional details. */
function modelAccepts(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.some((k) => !['v', 'result', 'details'].includes(k))) return false;
  if (record['v'] !== 1) return false;
  const result = record['result'];
  if (!(result instanceof Uint8Array) || result.length > MAX_EVIDENCE_RESULT) return false;
  const details = record['details'];
  if (details === undefined) return true;
  return details instanceof Uint8Array && details.length <= MAX_EVIDENCE_DETAILS;
}

const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.constant(new Uint8Array(MAX_EVIDENCE_RESULT + 1)),
  fc.constant(new Uint8Array(MAX_EVIDENCE_DETAILS + 1)),
);
const hostileArb: fc.Arbitrary<CborValue> = fc.oneof(
  fc.record(
    {
      v: fc.oneof(fc.constant(1), fc.constant(2), fc.constant(0), fc.string({ maxLength: 2 })),
      result: fc.oneof(bytesArb, fc.string({ maxLength: 8 }), fc.integer()),
      details: fc.oneof(bytesArb, fc.string({ maxLength: 8 })),
      note: fc.string({ maxLength: 8 }),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<CborValue>,
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.string({ maxLength: 10 }),
  fc.integer(),
);

describe('fuzz: dispute evidence', () => {
  it(`mutated payloads never throw, and what parses is canonical (${runs(5000)} cases)`, async () => {
    await fuzz(
      'mutated payloads',
      fc.property(payloadArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (p, ms) => {
        let bytes = encodeEvidence(p);
        for (const m of ms) bytes = mutate(bytes, m);
        const parsed = parseEvidence(bytes);
        if (parsed.ok) expect(bytesEqual(encodeEvidence(parsed.payload), bytes)).toBe(true);
        else expect(parsed.error).toMatch(/dispute evidence/);
      }),
      0xe51d,
      5000,
    );
  });

  it(`hostile values are accepted exactly as the model says (${runs(5000)} cases)`, async () => {
    await fuzz(
      'hostile values',
      fc.property(hostileArb, (value) => {
        const parsed = parseEvidence(encodeCanonical(value));
        expect(parsed.ok).toBe(modelAccepts(value));
        if (!parsed.ok) expect(parsed.error).toMatch(/^(malformed|unsupported) dispute evidence/);
      }),
      0xe51e,
      5000,
    );
  });
});
