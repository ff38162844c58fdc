// Writes test/vectors/ssk-{box,message,field}-v1.json: GPoW's own known-answer vectors for the
// SSK formats (shared/ssk/). Each vector lists its inputs, every random draw (from a SHA-256
// counter stream, so anyone can regenerate them), the intermediate values of the derivation
// and the exact output, so another implementation can be checked step by step.
//
// Run with `node scripts/make-ssk-vectors.ts`. It never replaces a file that differs: a format
// change needs a new version (and new vector files), not rewritten old ones. test/ssk/vectors
// reproduces every vector byte for byte.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, fromHex, toHex, utf8 } from '../shared/bytes.ts';
import { encodeCanonical } from '../shared/codec/cbor.ts';
import { publicKeyOf } from '../shared/crypto/ed25519.ts';
import { x25519PublicOf } from '../shared/identity/keys.ts';
import type { RandomPort } from '../shared/ports.ts';
import { sealKey, type BoxContext, type SskMeta } from '../shared/ssk/box.ts';
import { sealField, type FieldContext } from '../shared/ssk/field.ts';
import { sealMessage, type MessageContext } from '../shared/ssk/message.ts';

const RANDOM_RULE =
  'draw i (i = 0, 1, ...) of a vector is the first `length` bytes of SHA-256(utf8(seed) || uint32-big-endian(i)); `draws` lists them in the order the sealing function asks for them';

/** The stream described by RANDOM_RULE, recording each draw. */
function recordingRandom(seed: string): { random: RandomPort; draws: string[] } {
  const draws: string[] = [];
  let i = 0;
  const random: RandomPort = {
    bytes(length) {
      if (length > 32) throw new Error('vector draws are at most 32 bytes');
      const block = sha256(concat(utf8(seed), Uint8Array.of(i >>> 24, i >>> 16, i >>> 8, i)));
      i++;
      const out = block.slice(0, length);
      draws.push(toHex(out));
      return out;
    },
  };
  return { random, draws };
}

const secretA = new Uint8Array(32).fill(0x01);
const secretB = new Uint8Array(32).fill(0x02);
const A = publicKeyOf(secretA);
const B = publicKeyOf(secretB);
const network = sha256(utf8('GPoW SSK test network'));
const keyOf = (name: string): Uint8Array => sha256(utf8(`GPoW SSK test key: ${name}`));

const identities = {
  A: { secret: toHex(secretA), public: toHex(A), x25519Public: toHex(x25519PublicOf(A)) },
  B: { secret: toHex(secretB), public: toHex(B), x25519Public: toHex(x25519PublicOf(B)) },
};

function boxVector(name: string, key: Uint8Array, meta: SskMeta, ctx: BoxContext) {
  const seed = `ssk-box-v1/${name}`;
  const { random, draws } = recordingRandom(seed);
  const box = sealKey(key, meta, ctx, random);
  // The intermediate values, recomputed here from the format description in shared/ssk/box.ts.
  const [ephHex, nonceHex] = draws as [string, string];
  const eph = fromHex(ephHex);
  const recipientX = x25519PublicOf(ctx.recipient);
  const epk = x25519.getPublicKey(eph);
  const shared = x25519.scalarMult(eph, recipientX);
  const metaMap = {
    epoch: meta.epoch,
    alg: meta.alg,
    created: meta.created,
    ...(meta.expires !== undefined ? { expires: meta.expires } : {}),
    purpose: meta.purpose,
  };
  return {
    name,
    seed,
    key: toHex(key),
    meta: metaMap,
    context: {
      network: toHex(ctx.network),
      sender: toHex(ctx.sender),
      recipient: toHex(ctx.recipient),
      epoch: ctx.epoch,
    },
    draws: { ephemeralSecret: ephHex, nonce: nonceHex },
    intermediate: {
      recipientX25519: toHex(recipientX),
      epk: toHex(epk),
      shared: toHex(shared),
      aeadKey: toHex(hkdf(sha256, shared, concat(epk, recipientX), utf8('GPoW/ssk-box/v1'), 32)),
      plaintext: toHex(encodeCanonical({ k: key, m: metaMap })),
      associatedData: toHex(
        encodeCanonical({
          d: 'GPoW/ssk-box/v1',
          net: ctx.network,
          from: ctx.sender,
          to: ctx.recipient,
          epoch: ctx.epoch,
          epk,
        }),
      ),
    },
    box: toHex(box),
  };
}

function messageVector(
  name: string,
  key: Uint8Array,
  ctx: MessageContext,
  counter: number,
  text: string,
) {
  const seed = `ssk-message-v1/${name}`;
  const { random, draws } = recordingRandom(seed);
  const plaintext = utf8(text);
  const message = sealMessage(key, ctx, counter, plaintext, random);
  const info = encodeCanonical({
    d: 'GPoW/ssk-msg/v1',
    from: ctx.sender,
    to: ctx.recipient,
    e: ctx.epoch,
  });
  return {
    name,
    seed,
    key: toHex(key),
    context: {
      sender: toHex(ctx.sender),
      recipient: toHex(ctx.recipient),
      epoch: ctx.epoch,
      label: ctx.label,
    },
    counter,
    plaintext: toHex(plaintext),
    draws: { nonce: draws[0] },
    intermediate: {
      info: toHex(info),
      subkey: toHex(hkdf(sha256, key, undefined, info, 32)),
      associatedData: toHex(
        encodeCanonical({
          d: 'GPoW/ssk-msg/v1',
          from: ctx.sender,
          to: ctx.recipient,
          e: ctx.epoch,
          l: ctx.label,
          c: counter,
        }),
      ),
    },
    message: toHex(message),
  };
}

function fieldVector(name: string, key: Uint8Array, ctx: FieldContext, text: string) {
  const seed = `ssk-field-v1/${name}`;
  const { random, draws } = recordingRandom(seed);
  const plaintext = utf8(text);
  const field = sealField(key, ctx, plaintext, random);
  const info = encodeCanonical({
    d: 'GPoW/ssk-field/v1',
    net: ctx.network,
    from: ctx.sender,
    to: ctx.recipient,
    e: ctx.epoch,
  });
  return {
    name,
    seed,
    key: toHex(key),
    context: {
      network: toHex(ctx.network),
      sender: toHex(ctx.sender),
      recipient: toHex(ctx.recipient),
      epoch: ctx.epoch,
      label: ctx.label,
    },
    plaintext: toHex(plaintext),
    draws: { nonce: draws[0] },
    intermediate: {
      info: toHex(info),
      subkey: toHex(hkdf(sha256, key, undefined, info, 32)),
      associatedData: toHex(
        encodeCanonical({
          d: 'GPoW/ssk-field/v1',
          net: ctx.network,
          from: ctx.sender,
          to: ctx.recipient,
          e: ctx.epoch,
          l: ctx.label,
        }),
      ),
    },
    field: toHex(field),
  };
}

const key1 = keyOf('epoch 1');
const key2 = keyOf('epoch 2');
const meta1: SskMeta = {
  epoch: 1,
  alg: 1,
  created: 1_700_000_000_000,
  expires: 1_731_536_000_000,
  purpose: 'chat',
};
const meta2: SskMeta = {
  epoch: 2,
  alg: 1,
  created: 1_700_086_400_000,
  purpose: 'Dateiübertragung ✓',
};

const files: Record<string, unknown> = {
  'ssk-box-v1.json': {
    format: 'GPoW SSK sealed key box, version 1, algorithm 1 (shared/ssk/box.ts)',
    random: RANDOM_RULE,
    identities,
    vectors: [
      boxVector('A to B, epoch 1, with expiry', key1, meta1, {
        network,
        sender: A,
        recipient: B,
        epoch: 1,
      }),
      boxVector("A's self-copy, epoch 1", key1, meta1, {
        network,
        sender: A,
        recipient: A,
        epoch: 1,
      }),
      boxVector('B to A, epoch 2 (a reset), no expiry, non-ASCII purpose', key2, meta2, {
        network,
        sender: B,
        recipient: A,
        epoch: 2,
      }),
    ],
  },
  'ssk-message-v1.json': {
    format: 'GPoW SSK off-chain message, version 1 (shared/ssk/message.ts)',
    random: RANDOM_RULE,
    identities,
    vectors: [
      messageVector(
        'A to B, chat, counter 0',
        key1,
        { sender: A, recipient: B, epoch: 1, label: 'chat' },
        0,
        'hello, B',
      ),
      messageVector(
        'B to A, chat, counter 0',
        key1,
        { sender: B, recipient: A, epoch: 1, label: 'chat' },
        0,
        'hello, A',
      ),
      messageVector(
        'A to B, file, counter 7, empty',
        key2,
        { sender: A, recipient: B, epoch: 2, label: 'file' },
        7,
        '',
      ),
    ],
  },
  'ssk-field-v1.json': {
    format: 'GPoW SSK encrypted ledger field, version 1 (shared/ssk/field.ts)',
    random: RANDOM_RULE,
    identities,
    vectors: [
      fieldVector(
        'A to B, transfer memo, epoch 1',
        key1,
        { network, sender: A, recipient: B, epoch: 1, label: 'transfer/memo' },
        'rent for March',
      ),
      fieldVector(
        'B to A, service request, epoch 2',
        key2,
        { network, sender: B, recipient: A, epoch: 2, label: 'service/request' },
        'deliver to: Hauptstraße 1, 10115 Berlin',
      ),
    ],
  },
};

let failed = false;
for (const [name, content] of Object.entries(files)) {
  const target = fileURLToPath(new URL(`../test/vectors/${name}`, import.meta.url));
  const text = `${JSON.stringify(content, null, 2)}\n`;
  if (existsSync(target)) {
    if (readFileSync(target, 'utf8') === text) {
      console.log(`${name}: unchanged`);
    } else {
      console.error(`${name}: differs from what this script makes; refusing to replace it`);
      failed = true;
    }
    continue;
  }
  writeFileSync(target, text);
  console.log(`${name}: written`);
}
if (failed) process.exit(1);
