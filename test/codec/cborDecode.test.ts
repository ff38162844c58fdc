// The strict decoder against the method it replaced: a general decoder (cborg) followed by a
// re-encoding proof of canonicality. On canonical encodings of random values, and on random
// mutations of them, both must accept exactly the same inputs and give the same values.
import { decode } from 'cborg';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, fromHex } from '../../shared/bytes.ts';
import { decodeCanonical, encodeCanonical, type CborValue } from '../../shared/codec/cbor.ts';

const LIMIT = 1 << 16;

/** The old decodeCanonical: cborg's strict mode, then re-encode and compare bytes. */
function reference(input: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  const convert = (value: unknown, depth: number): unknown => {
    if (depth > 16) throw new Error('deep');
    if (value instanceof Map) {
      const out = Object.create(null) as Record<string, unknown>;
      for (const [key, item] of value as Map<unknown, unknown>) {
        if (typeof key !== 'string') throw new Error('key');
        out[key] = convert(item, depth + 1);
      }
      return out;
    }
    if (Array.isArray(value)) return value.map((item: unknown) => convert(item, depth + 1));
    if (value instanceof Uint8Array) return new Uint8Array(value);
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error('float');
    return value;
  };
  try {
    const value = convert(
      decode(input, {
        strict: true,
        useMaps: true,
        rejectDuplicateMapKeys: true,
        allowIndefinite: false,
        allowUndefined: false,
        allowInfinity: false,
        allowNaN: false,
        allowBigInt: true,
      }),
      0,
    );
    return bytesEqual(encodeCanonical(value as CborValue), input)
      ? { ok: true, value }
      : { ok: false };
  } catch {
    return { ok: false };
  }
}

/** Values of the canonical subset, integers at every width boundary included. */
const boundaries = [
  0,
  23,
  24,
  255,
  256,
  65535,
  65536,
  2 ** 32 - 1,
  2 ** 32,
  Number.MAX_SAFE_INTEGER,
].flatMap((n) => [n, -n, -n - 1].filter(Number.isSafeInteger));
const cborValue: fc.Arbitrary<CborValue> = fc.letrec<{ value: CborValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom<CborValue>(...boundaries, null, true, false),
    fc.integer(),
    fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }),
    fc.string({ unit: 'binary' }),
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

const same = (input: Uint8Array) => {
  const ours = decodeCanonical(input, LIMIT);
  const theirs = reference(input);
  expect(ours.ok).toBe(theirs.ok);
  if (ours.ok && theirs.ok) expect(ours.value).toEqual(theirs.value);
};

describe('the strict CBOR decoder', () => {
  it('decodes every canonical encoding to the value encoded, as the reference does', () => {
    fc.assert(
      fc.property(cborValue, (value) => {
        const bytes = encodeCanonical(value);
        same(bytes);
        const ours = decodeCanonical(bytes, LIMIT);
        expect(ours.ok).toBe(true);
        if (ours.ok) expect(encodeCanonical(ours.value as CborValue)).toEqual(bytes);
      }),
      { seed: 11, numRuns: 2000 },
    );
  });

  it('accepts and refuses exactly what the reference does on mutated encodings', () => {
    let refused = 0;
    fc.assert(
      fc.property(
        cborValue,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(3)), {
          minLength: 1,
          maxLength: 3,
        }),
        (value, edits) => {
          const bytes = Array.from(encodeCanonical(value));
          for (const [at, byte, kind] of edits) {
            const i = bytes.length === 0 ? 0 : at % (bytes.length + 1);
            if (kind === 0) bytes[Math.min(i, bytes.length - 1)] = byte;
            else if (kind === 1) bytes.splice(i, 0, byte);
            else if (kind === 2) bytes.splice(i, 1);
            else bytes.length = i;
          }
          const input = Uint8Array.from(bytes);
          if (!reference(input).ok) refused++;
          same(input);
        },
      ),
      { seed: 12, numRuns: 5000 },
    );
    // The mutations really produce both outcomes: most are refused.
    expect(refused).toBeGreaterThan(1000);
  });

  it('reads integers at the 53- and 64-bit edges exactly', () => {
    const cases: Array<[string, CborValue]> = [
      ['1b001fffffffffffff', Number.MAX_SAFE_INTEGER],
      ['1b0020000000000000', 2n ** 53n],
      ['1bffffffffffffffff', 2n ** 64n - 1n],
      ['3b001ffffffffffffe', -Number.MAX_SAFE_INTEGER],
      ['3b001fffffffffffff', -(2n ** 53n)],
      ['3bffffffffffffffff', -(2n ** 64n)],
    ];
    for (const [hex, value] of cases) {
      const result = decodeCanonical(fromHex(hex), LIMIT);
      expect(result).toEqual({ ok: true, value });
      expect(encodeCanonical(value)).toEqual(fromHex(hex));
    }
  });

  it('reads UTF-8 exactly as a strict TextDecoder does', () => {
    const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const textOf = (payload: Uint8Array) => {
      const head = payload.length < 24 ? [0x60 + payload.length] : [0x78, payload.length];
      return Uint8Array.from([...head, ...payload]);
    };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 12 }),
          fc.string({ unit: 'binary', maxLength: 8 }).map((text) => new TextEncoder().encode(text)),
        ),
        (payload) => {
          let expected: string | null;
          try {
            expected = strict.decode(payload);
          } catch {
            expected = null;
          }
          const result = decodeCanonical(textOf(payload), LIMIT);
          expect(result.ok ? result.value : null).toBe(expected);
        },
      ),
      { seed: 13, numRuns: 5000 },
    );
    // Overlong, surrogate, beyond U+10FFFF, truncated; and a byte-order mark kept as text.
    for (const hex of ['62c0af', '63eda080', '64f4908080', '62e282']) {
      expect(decodeCanonical(fromHex(hex), LIMIT).ok).toBe(false);
    }
    expect(decodeCanonical(fromHex('63efbbbf'), LIMIT)).toEqual({ ok: true, value: '\ufeff' });
  });

  it('gives plain Uint8Array views of a Buffer input', () => {
    const result = decodeCanonical(Buffer.from(fromHex('4401020304')), LIMIT);
    expect(result.ok && (result.value as Uint8Array).constructor).toBe(Uint8Array);
  });
});
