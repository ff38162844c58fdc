// Encrypted ledger fields: readable by the pair only, bound to network, direction, epoch and
// field label, and still readable with the old key after a reset.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, utf8 } from '../../shared/bytes.ts';
import type { CborValue } from '../../shared/codec/cbor.ts';
import {
  openField,
  peekFieldEpoch,
  sealField,
  SSK_MAX_FIELD_PLAINTEXT,
  type FieldContext,
} from '../../shared/ssk/field.ts';
import { openMessage, sealMessage } from '../../shared/ssk/message.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import { A, B, bitFlips, C, junkInputs, network, otherNetwork, rewrite } from './parties.ts';

const NOT_FOR_US =
  'cannot open: the field was not sealed with this key for this network, pair and label, or it was altered';

const key1 = fromHex('11'.repeat(32));
const key2 = fromHex('22'.repeat(32));
const memo: FieldContext = { network, sender: A, recipient: B, epoch: 1, label: 'transfer/memo' };
const text = utf8('rent for March');

const sealed = (ctx = memo, key = key1, plaintext = text): Uint8Array =>
  sealField(key, ctx, plaintext, deterministicRandom('field'));

function expectRefused(result: { ok: boolean; error?: string }, error: string | RegExp): void {
  expect(result.ok).toBe(false);
  expect(result.error).toMatch(error);
}

describe('sealField and openField', () => {
  it('round-trips for the pair', () => {
    expect(openField(key1, memo, sealed())).toEqual({ ok: true, plaintext: text });
  });

  it('opens with the old key after a reset: the field names its epoch', () => {
    const old = sealed(memo, key1);
    const keys = new Map([
      [1, key1],
      [2, key2],
    ]);
    const peek = peekFieldEpoch(old);
    expect(peek).toEqual({ ok: true, epoch: 1 });
    if (!peek.ok) return;
    const oldKey = keys.get(peek.epoch) as Uint8Array;
    expect(openField(oldKey, { ...memo, epoch: peek.epoch }, old)).toEqual({
      ok: true,
      plaintext: text,
    });
    // The current key (epoch 2) does not open it, whichever epoch the reader claims.
    expectRefused(openField(key2, { ...memo, epoch: 2 }, old), /sealed under epoch 1/);
    expectRefused(openField(key2, memo, old), NOT_FOR_US);
  });

  it('round-trips an empty field and one of the maximum size', () => {
    expect(openField(key1, memo, sealed(memo, key1, new Uint8Array(0)))).toEqual({
      ok: true,
      plaintext: new Uint8Array(0),
    });
    const big = new Uint8Array(SSK_MAX_FIELD_PLAINTEXT).fill(1);
    expect(openField(key1, memo, sealed(memo, key1, big))).toEqual({ ok: true, plaintext: big });
  });

  it('is not interchangeable with a message under the same key', () => {
    const message = sealMessage(key1, { ...memo }, 0, text, deterministicRandom('m'));
    expect(openField(key1, memo, message).ok).toBe(false);
    expect(openMessage(key1, memo, sealed()).ok).toBe(false);
  });
});

describe('refusals', () => {
  const field = sealed();

  it.each<[string, Uint8Array, FieldContext, string | RegExp]>([
    ['another key', key2, memo, NOT_FOR_US],
    ['another network', key1, { ...memo, network: otherNetwork }, NOT_FOR_US],
    ['swapped sender and recipient', key1, { ...memo, sender: B, recipient: A }, NOT_FOR_US],
    ['a third identity as sender', key1, { ...memo, sender: C }, NOT_FOR_US],
    ['a third identity as recipient', key1, { ...memo, recipient: C }, NOT_FOR_US],
    [
      'another label (a memo read as another field)',
      key1,
      { ...memo, label: 'service/request' },
      NOT_FOR_US,
    ],
    ['another epoch', key1, { ...memo, epoch: 2 }, /sealed under epoch 1, but this key is epoch 2/],
  ])('refuses %s', (_name, key, ctx, error) => {
    expectRefused(openField(key, ctx, field), error);
  });

  it('refuses the epoch rewritten to match another context', () => {
    const altered = rewrite(field, (m) => (m['e'] = 2));
    expect(peekFieldEpoch(altered)).toEqual({ ok: true, epoch: 2 });
    expectRefused(openField(key1, { ...memo, epoch: 2 }, altered), NOT_FOR_US);
  });

  it('refuses every single-bit change of the field', () => {
    for (const [i, altered] of bitFlips(field)) {
      expect(openField(key1, memo, altered).ok, `byte ${i}`).toBe(false);
    }
  });

  it('refuses every truncation and trailing bytes', () => {
    for (let n = 0; n < field.length; n++) {
      expect(openField(key1, memo, field.subarray(0, n)).ok, `length ${n}`).toBe(false);
    }
    expectRefused(openField(key1, memo, concat(field, Uint8Array.of(0))), /malformed/);
  });

  it.each(junkInputs.map((input, i) => [i, input]))(
    'never throws on junk input #%i',
    (_i, input) => {
      const opened = openField(key1, memo, input);
      expect(opened.ok).toBe(false);
      expect(peekFieldEpoch(input).ok).toBe(false);
      if (!opened.ok) expect(opened.error.length).toBeGreaterThan(10);
    },
  );

  it.each<[string, (m: Record<string, CborValue>) => void, RegExp]>([
    ['an unknown version', (m) => (m['v'] = 2), /unsupported encrypted field version 2/],
    ['an extra key (a label carried along)', (m) => (m['l'] = 'memo'), /malformed encrypted field/],
    ['a missing epoch', (m) => delete m['e'], /malformed encrypted field: e/],
    ['epoch 2^32', (m) => (m['e'] = 2 ** 32), /malformed encrypted field: e/],
    ['a 23-byte nonce', (m) => (m['n'] = new Uint8Array(23)), /malformed encrypted field: n/],
    ['a ciphertext that is a string', (m) => (m['ct'] = 'secret'), /ct: expected a byte string/],
  ])('refuses a field with %s', (_name, change, error) => {
    const altered = rewrite(field, change);
    expectRefused(openField(key1, memo, altered), error);
    expectRefused(peekFieldEpoch(altered), error);
  });

  it('refuses bad arguments to openField with a sentence', () => {
    expectRefused(openField(new Uint8Array(16), memo, field), /key must be 32 bytes/);
    expectRefused(openField(key1, { ...memo, label: '' }, field), /invalid field context/);
    expectRefused(openField(key1, { ...memo, network: new Uint8Array(0) }, field), /invalid/);
  });

  it.each<[string, () => unknown, RegExp]>([
    [
      'a short key',
      () => sealField(key1.subarray(8), memo, text, deterministicRandom('x')),
      /32 bytes/,
    ],
    [
      'a 33-character label',
      () => sealField(key1, { ...memo, label: 'l'.repeat(33) }, text, deterministicRandom('x')),
      /label must be 1 to 32/,
    ],
    [
      'a short network',
      () =>
        sealField(key1, { ...memo, network: new Uint8Array(31) }, text, deterministicRandom('x')),
      /network/,
    ],
    [
      'too much plaintext',
      () =>
        sealField(
          key1,
          memo,
          new Uint8Array(SSK_MAX_FIELD_PLAINTEXT + 1),
          deterministicRandom('x'),
        ),
      /at most/,
    ],
    [
      'a short random draw',
      () => sealField(key1, memo, text, { bytes: () => new Uint8Array(0) }),
      /wrong number of bytes/,
    ],
  ])('sealField throws on %s', (_name, call, error) => {
    expect(call).toThrow(error);
  });
});

describe('properties', () => {
  it('every field round-trips under its own context only', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 1, max: 2 ** 32 - 1 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 32 }),
        fc.uint8Array({ maxLength: 300 }),
        (key, epoch, label, plaintext) => {
          const ctx = { network, sender: A, recipient: B, epoch, label };
          const bytes = sealField(key, ctx, plaintext, deterministicRandom(label));
          expect(peekFieldEpoch(bytes)).toEqual({ ok: true, epoch });
          expect(openField(key, ctx, bytes)).toEqual({ ok: true, plaintext });
          expect(openField(key, { ...ctx, network: otherNetwork }, bytes).ok).toBe(false);
        },
      ),
      { seed: 0x55534b46, numRuns: 60 },
    );
  });
});
