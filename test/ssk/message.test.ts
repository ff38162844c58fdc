// Off-chain messages under K_S: one key, two directions, many labels; anything altered, moved
// or malformed is refused with a sentence, never an exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, toHex, utf8 } from '../../shared/bytes.ts';
import {
  openMessage,
  peekMessage,
  sealMessage,
  SSK_MAX_MESSAGE_PLAINTEXT,
  type MessageContext,
} from '../../shared/ssk/message.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import type { CborValue } from '../../shared/codec/cbor.ts';
import { A, B, bitFlips, C, junkInputs, rewrite } from './parties.ts';

const NOT_FOR_US =
  'cannot open: the message was not sealed with this key for this direction, or it was altered';

const key = fromHex('6b'.repeat(32));
const aToB: MessageContext = { sender: A, recipient: B, epoch: 1, label: 'chat' };
const bToA: MessageContext = { sender: B, recipient: A, epoch: 1, label: 'chat' };
const hello = utf8('hello, B');

function sealed(ctx = aToB, counter = 0, plaintext = hello, label = 'msg'): Uint8Array {
  return sealMessage(key, ctx, counter, plaintext, deterministicRandom(label));
}

function expectRefused(result: { ok: boolean; error?: string }, error: string | RegExp): void {
  expect(result.ok).toBe(false);
  expect(result.error).toMatch(error);
}

describe('sealMessage and openMessage', () => {
  it('round-trips the plaintext and the counter', () => {
    expect(openMessage(key, aToB, sealed(aToB, 41))).toEqual({
      ok: true,
      plaintext: hello,
      counter: 41,
    });
  });

  it('round-trips an empty message and one of the maximum size', () => {
    expect(openMessage(key, aToB, sealed(aToB, 0, new Uint8Array(0)))).toEqual({
      ok: true,
      plaintext: new Uint8Array(0),
      counter: 0,
    });
    const big = new Uint8Array(SSK_MAX_MESSAGE_PLAINTEXT).fill(7);
    const opened = openMessage(key, aToB, sealed(aToB, 1, big));
    expect(opened.ok && opened.plaintext.length).toBe(SSK_MAX_MESSAGE_PLAINTEXT);
  });

  it('peekMessage reads the header to choose the key before opening', () => {
    expect(peekMessage(sealed({ ...aToB, epoch: 9, label: 'file' }, 12))).toEqual({
      ok: true,
      epoch: 9,
      label: 'file',
      counter: 12,
    });
  });

  it('gives each direction its own subkey: A to B never opens as B to A', () => {
    const ab = sealed(aToB, 0, hello, 'same');
    const ba = sealed(bToA, 0, hello, 'same');
    // Same key, nonce, counter and plaintext: only the direction differs, and so does every
    // byte of the ciphertext.
    expect(toHex(ab)).not.toBe(toHex(ba));
    expect(openMessage(key, bToA, ab).ok).toBe(false);
    expectRefused(openMessage(key, bToA, ab), NOT_FOR_US);
    expect(openMessage(key, bToA, ba).ok).toBe(true);
  });
});

describe('refusals', () => {
  const message = sealed(aToB, 5);

  it.each<[string, Uint8Array, MessageContext, string | RegExp]>([
    ['another key', fromHex('6c'.repeat(32)), aToB, NOT_FOR_US],
    ['swapped sender and recipient', key, bToA, NOT_FOR_US],
    ['another sender', key, { ...aToB, sender: C }, NOT_FOR_US],
    ['another recipient', key, { ...aToB, recipient: C }, NOT_FOR_US],
    ['another epoch', key, { ...aToB, epoch: 2 }, /sealed under epoch 1, but this key is epoch 2/],
    ['another label', key, { ...aToB, label: 'file' }, /labelled "chat", but "file" was expected/],
  ])('refuses %s', (_name, k, ctx, error) => {
    expectRefused(openMessage(k, ctx, message), error);
  });

  it.each<[string, (m: Record<string, CborValue>) => void]>([
    ['the epoch rewritten to match another context', (m) => (m['e'] = 2)],
    ['the label rewritten', (m) => (m['l'] = 'file')],
    ['the counter rewritten (a replay under a fresh number)', (m) => (m['c'] = 6)],
  ])('refuses a header with %s', (_name, change) => {
    const altered = rewrite(message, change);
    const peek = peekMessage(altered);
    expect(peek.ok).toBe(true);
    if (!peek.ok) return;
    const ctx = { ...aToB, epoch: peek.epoch, label: peek.label };
    expectRefused(openMessage(key, ctx, altered), NOT_FOR_US);
  });

  it('refuses every single-bit change of the message', () => {
    for (const [i, altered] of bitFlips(message)) {
      expect(openMessage(key, aToB, altered).ok, `byte ${i}`).toBe(false);
    }
  });

  it('refuses every truncation and trailing bytes', () => {
    for (let n = 0; n < message.length; n++) {
      expect(openMessage(key, aToB, message.subarray(0, n)).ok, `length ${n}`).toBe(false);
    }
    expectRefused(openMessage(key, aToB, concat(message, Uint8Array.of(0))), /malformed/);
  });

  it.each(junkInputs.map((input, i) => [i, input]))(
    'never throws on junk input #%i',
    (_i, input) => {
      const opened = openMessage(key, aToB, input);
      const peeked = peekMessage(input);
      expect(opened.ok).toBe(false);
      expect(peeked.ok).toBe(false);
      if (!opened.ok) expect(opened.error.length).toBeGreaterThan(10);
    },
  );

  it.each<[string, (m: Record<string, CborValue>) => void, RegExp]>([
    ['an unknown version', (m) => (m['v'] = 2), /unsupported SSK message version 2/],
    ['an extra key', (m) => (m['x'] = 0), /malformed SSK message/],
    ['a missing counter', (m) => delete m['c'], /malformed SSK message: c/],
    ['a negative counter', (m) => (m['c'] = -1), /malformed SSK message: c/],
    ['epoch 0', (m) => (m['e'] = 0), /malformed SSK message: e/],
    ['an empty label', (m) => (m['l'] = ''), /malformed SSK message: l/],
    ['a 33-character label', (m) => (m['l'] = 'x'.repeat(33)), /malformed SSK message: l/],
    ['a 12-byte nonce', (m) => (m['n'] = new Uint8Array(12)), /malformed SSK message: n/],
    ['a 15-byte ciphertext', (m) => (m['ct'] = new Uint8Array(15)), /ct: too short/],
  ])('refuses a message with %s', (_name, change, error) => {
    const altered = rewrite(message, change);
    expectRefused(openMessage(key, aToB, altered), error);
    expectRefused(peekMessage(altered), error);
  });

  it('refuses bad arguments to openMessage with a sentence', () => {
    expectRefused(openMessage(key.subarray(1), aToB, message), /key must be 32 bytes/);
    expectRefused(openMessage(key, { ...aToB, label: '' }, message), /invalid message context/);
    expectRefused(openMessage(key, { ...aToB, sender: new Uint8Array(2) }, message), /invalid/);
    expectRefused(openMessage(key, undefined as unknown as MessageContext, message), /invalid/);
  });

  it.each<[string, () => unknown, RegExp]>([
    [
      'a short key',
      () => sealMessage(key.subarray(1), aToB, 0, hello, deterministicRandom('x')),
      /32 bytes/,
    ],
    [
      'a negative counter',
      () => sealMessage(key, aToB, -1, hello, deterministicRandom('x')),
      /counter/,
    ],
    [
      'a fractional counter',
      () => sealMessage(key, aToB, 1.5, hello, deterministicRandom('x')),
      /counter/,
    ],
    [
      'an unsafe counter',
      () => sealMessage(key, aToB, 2 ** 53, hello, deterministicRandom('x')),
      /counter/,
    ],
    [
      'a 33-character label',
      () =>
        sealMessage(key, { ...aToB, label: 'x'.repeat(33) }, 0, hello, deterministicRandom('x')),
      /label must be 1 to 32/,
    ],
    [
      'epoch 0',
      () => sealMessage(key, { ...aToB, epoch: 0 }, 0, hello, deterministicRandom('x')),
      /epoch/,
    ],
    [
      'too much plaintext',
      () =>
        sealMessage(
          key,
          aToB,
          0,
          new Uint8Array(SSK_MAX_MESSAGE_PLAINTEXT + 1),
          deterministicRandom('x'),
        ),
      /send chunks/,
    ],
    [
      'a short random draw',
      () => sealMessage(key, aToB, 0, hello, { bytes: () => new Uint8Array(8) }),
      /wrong number of bytes/,
    ],
  ])('sealMessage throws on %s', (_name, call, error) => {
    expect(call).toThrow(error);
  });
});

describe('properties', () => {
  const runs = { seed: 0x55534b4d, numRuns: 60 };

  it('every message round-trips in its own direction only', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 1, max: 2 ** 32 - 1 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 32 }),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ maxLength: 300 }),
        (k, epoch, label, counter, plaintext) => {
          const ctx = { sender: A, recipient: B, epoch, label };
          const bytes = sealMessage(k, ctx, counter, plaintext, deterministicRandom(label));
          expect(peekMessage(bytes)).toEqual({ ok: true, epoch, label, counter });
          expect(openMessage(k, ctx, bytes)).toEqual({ ok: true, plaintext, counter });
          expect(openMessage(k, { ...ctx, sender: B, recipient: A }, bytes).ok).toBe(false);
        },
      ),
      runs,
    );
  });
});
