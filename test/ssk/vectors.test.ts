// GPoW's own SSK vectors (test/vectors/ssk-*-v1.json): every intermediate value is recomputed
// here from the format as written, every output is reproduced byte for byte by the real sealing
// functions fed the recorded random draws, and every output opens again. A change to any of the
// three formats fails here.
import { x25519 } from '@noble/curves/ed25519.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, toHex, utf8 } from '../../shared/bytes.ts';
import { encodeCanonical, type CborValue } from '../../shared/codec/cbor.ts';
import { publicKeyOf } from '../../shared/crypto/ed25519.ts';
import { x25519PublicOf } from '../../shared/identity/keys.ts';
import type { RandomPort } from '../../shared/ports.ts';
import { openKey, sealKey, type SskMeta } from '../../shared/ssk/box.ts';
import { openField, peekFieldEpoch, sealField } from '../../shared/ssk/field.ts';
import { openMessage, peekMessage, sealMessage } from '../../shared/ssk/message.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import boxFile from '../vectors/ssk-box-v1.json' with { type: 'json' };
import fieldFile from '../vectors/ssk-field-v1.json' with { type: 'json' };
import messageFile from '../vectors/ssk-message-v1.json' with { type: 'json' };

/** Hands out exactly the recorded draws, in order, and fails on any other request. */
function replay(draws: readonly string[]): RandomPort & { done(): boolean } {
  let i = 0;
  return {
    bytes(length) {
      const next = draws[i++];
      if (next === undefined) throw new Error('more random draws than the vector recorded');
      const out = fromHex(next);
      if (out.length !== length)
        throw new Error(`draw ${i - 1} is ${out.length} bytes, not ${length}`);
      return out;
    },
    done: () => i === draws.length,
  };
}

/** The recorded draws are the SHA-256 counter stream the files describe. */
function expectStream(seed: string, draws: readonly string[]): void {
  const stream = deterministicRandom(seed);
  for (const d of draws) expect(toHex(stream.bytes(d.length / 2))).toBe(d);
}

const secrets = { A: new Uint8Array(32).fill(0x01), B: new Uint8Array(32).fill(0x02) };

describe('identities', () => {
  it.each([boxFile, messageFile, fieldFile])('$format', (file) => {
    for (const [name, id] of Object.entries(file.identities)) {
      const secret = secrets[name as 'A' | 'B'];
      expect(id.secret).toBe(toHex(secret));
      expect(id.public).toBe(toHex(publicKeyOf(secret)));
      expect(id.x25519Public).toBe(toHex(x25519PublicOf(publicKeyOf(secret))));
    }
  });
});

const secretFor = (publicHex: string): Uint8Array =>
  publicHex === boxFile.identities.A.public ? secrets.A : secrets.B;

describe('ssk-box-v1.json', () => {
  it('has vectors', () => expect(boxFile.vectors.length).toBeGreaterThanOrEqual(3));

  it.each(boxFile.vectors)('$name', (vec) => {
    const ctx = {
      network: fromHex(vec.context.network),
      sender: fromHex(vec.context.sender),
      recipient: fromHex(vec.context.recipient),
      epoch: vec.context.epoch,
    };
    const key = fromHex(vec.key);
    const meta = vec.meta as SskMeta;
    const draws = [vec.draws.ephemeralSecret, vec.draws.nonce];
    expectStream(vec.seed, draws);

    // Each step of the format, from the description in shared/ssk/box.ts.
    const eph = fromHex(vec.draws.ephemeralSecret);
    const nonce = fromHex(vec.draws.nonce);
    const recipientX = x25519PublicOf(ctx.recipient);
    const epk = x25519.getPublicKey(eph);
    const shared = x25519.scalarMult(eph, recipientX);
    const aeadKey = hkdf(sha256, shared, concat(epk, recipientX), utf8('GPoW/ssk-box/v1'), 32);
    // JSON has no undefined: an absent expiry is simply absent, as the format wants.
    const plaintext = encodeCanonical({ k: key, m: vec.meta as CborValue });
    const ad = encodeCanonical({
      d: 'GPoW/ssk-box/v1',
      net: ctx.network,
      from: ctx.sender,
      to: ctx.recipient,
      epoch: ctx.epoch,
      epk,
    });
    const box = encodeCanonical({
      v: 1,
      epk,
      nonce,
      ct: xchacha20poly1305(aeadKey, nonce, ad).encrypt(plaintext),
    });
    expect({
      recipientX25519: toHex(recipientX),
      epk: toHex(epk),
      shared: toHex(shared),
      aeadKey: toHex(aeadKey),
      plaintext: toHex(plaintext),
      associatedData: toHex(ad),
    }).toEqual(vec.intermediate);
    expect(toHex(box)).toBe(vec.box);

    // The real function, fed the same draws, writes the same bytes, and they open.
    const random = replay(draws);
    expect(toHex(sealKey(key, meta, ctx, random))).toBe(vec.box);
    expect(random.done()).toBe(true);
    expect(openKey(fromHex(vec.box), secretFor(vec.context.recipient), ctx)).toEqual({
      ok: true,
      key,
      meta,
    });
  });
});

describe('ssk-message-v1.json', () => {
  it('has vectors', () => expect(messageFile.vectors.length).toBeGreaterThanOrEqual(3));

  it.each(messageFile.vectors)('$name', (vec) => {
    const ctx = {
      sender: fromHex(vec.context.sender),
      recipient: fromHex(vec.context.recipient),
      epoch: vec.context.epoch,
      label: vec.context.label,
    };
    const key = fromHex(vec.key);
    const plaintext = fromHex(vec.plaintext);
    expectStream(vec.seed, [vec.draws.nonce]);

    const n = fromHex(vec.draws.nonce);
    const info = encodeCanonical({
      d: 'GPoW/ssk-msg/v1',
      from: ctx.sender,
      to: ctx.recipient,
      e: ctx.epoch,
    });
    const subkey = hkdf(sha256, key, undefined, info, 32);
    const ad = encodeCanonical({
      d: 'GPoW/ssk-msg/v1',
      from: ctx.sender,
      to: ctx.recipient,
      e: ctx.epoch,
      l: ctx.label,
      c: vec.counter,
    });
    const ct = xchacha20poly1305(subkey, n, ad).encrypt(plaintext);
    expect({ info: toHex(info), subkey: toHex(subkey), associatedData: toHex(ad) }).toEqual(
      vec.intermediate,
    );
    expect(
      toHex(encodeCanonical({ v: 1, e: ctx.epoch, l: ctx.label, c: vec.counter, n, ct })),
    ).toBe(vec.message);

    const random = replay([vec.draws.nonce]);
    expect(toHex(sealMessage(key, ctx, vec.counter, plaintext, random))).toBe(vec.message);
    expect(random.done()).toBe(true);
    const bytes = fromHex(vec.message);
    expect(peekMessage(bytes)).toEqual({
      ok: true,
      epoch: ctx.epoch,
      label: ctx.label,
      counter: vec.counter,
    });
    expect(openMessage(key, ctx, bytes)).toEqual({ ok: true, plaintext, counter: vec.counter });
  });
});

describe('ssk-field-v1.json', () => {
  it('has vectors', () => expect(fieldFile.vectors.length).toBeGreaterThanOrEqual(2));

  it.each(fieldFile.vectors)('$name', (vec) => {
    const ctx = {
      network: fromHex(vec.context.network),
      sender: fromHex(vec.context.sender),
      recipient: fromHex(vec.context.recipient),
      epoch: vec.context.epoch,
      label: vec.context.label,
    };
    const key = fromHex(vec.key);
    const plaintext = fromHex(vec.plaintext);
    expectStream(vec.seed, [vec.draws.nonce]);

    const n = fromHex(vec.draws.nonce);
    const info = encodeCanonical({
      d: 'GPoW/ssk-field/v1',
      net: ctx.network,
      from: ctx.sender,
      to: ctx.recipient,
      e: ctx.epoch,
    });
    const subkey = hkdf(sha256, key, undefined, info, 32);
    const ad = encodeCanonical({
      d: 'GPoW/ssk-field/v1',
      net: ctx.network,
      from: ctx.sender,
      to: ctx.recipient,
      e: ctx.epoch,
      l: ctx.label,
    });
    const ct = xchacha20poly1305(subkey, n, ad).encrypt(plaintext);
    expect({ info: toHex(info), subkey: toHex(subkey), associatedData: toHex(ad) }).toEqual(
      vec.intermediate,
    );
    expect(toHex(encodeCanonical({ v: 1, e: ctx.epoch, n, ct }))).toBe(vec.field);

    const random = replay([vec.draws.nonce]);
    expect(toHex(sealField(key, ctx, plaintext, random))).toBe(vec.field);
    expect(random.done()).toBe(true);
    const bytes = fromHex(vec.field);
    expect(peekFieldEpoch(bytes)).toEqual({ ok: true, epoch: ctx.epoch });
    expect(openField(key, ctx, bytes)).toEqual({ ok: true, plaintext });
  });
});
