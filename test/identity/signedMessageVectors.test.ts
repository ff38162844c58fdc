// GPoW's own signed-message vectors (test/vectors/signed-message-v1.json): every intermediate
// value is recomputed here from the format as the file writes it (not through the module's
// helpers), every signature and block is reproduced byte for byte by the real signing function,
// every block verifies on each Ed25519 backend, and every refused block is refused for the
// reason it names. A change to the format fails here.
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { nodeBackend } from '../../node/crypto/nodeEd25519.ts';
import { webCryptoBackend } from '../../renderer/platform/webCryptoEd25519.ts';
import { concat, fromHex, toHex, utf8 } from '../../shared/bytes.ts';
import {
  createVerifier,
  nobleBackend,
  publicKeyOf,
  signMessage,
} from '../../shared/crypto/ed25519.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import {
  canonicalMessage,
  parseSignedMessage,
  signText,
  verifySignedMessage,
} from '../../shared/identity/signedMessage.ts';
import file from '../vectors/signed-message-v1.json' with { type: 'json' };

const verifiers = [nobleBackend, nodeBackend, webCryptoBackend].map(createVerifier);
const secretOf = (who: string): Uint8Array => fromHex(file.identities[who as 'A' | 'B'].secret);

describe('signed-message-v1 vectors', () => {
  it('names the identities of the seeds 32 × 01 and 32 × 02', () => {
    expect(file.identities.A.secret).toBe('01'.repeat(32));
    expect(file.identities.B.secret).toBe('02'.repeat(32));
    for (const id of Object.values(file.identities)) {
      expect(toHex(publicKeyOf(fromHex(id.secret)))).toBe(id.public);
      expect(encodeAddress(fromHex(id.public))).toBe(id.address);
    }
  });

  it.each(file.valid)('$name: every value, from the written format', (vector) => {
    const canonical = canonicalMessage(vector.input);
    expect(canonical).toEqual({ ok: true, message: vector.canonical });
    expect(toHex(utf8(vector.canonical))).toBe(vector.canonicalUtf8);
    expect(toHex(sha256(utf8(vector.canonical)))).toBe(vector.digest);
    const signed = concat(utf8('GPoW/signed-message/v1\n'), fromHex(vector.digest));
    expect(toHex(signed)).toBe(vector.signedBytes);
    const secret = secretOf(vector.signer);
    expect(toHex(signMessage(secret, signed))).toBe(vector.signature);

    const made = signText(vector.input, {
      publicKey: publicKeyOf(secret),
      sign: (bytes) => signMessage(secret, bytes),
    });
    expect(made.ok && made.block).toBe(vector.block);
  });

  it.each(file.valid)(
    '$name: the block parses back and verifies on every backend',
    async (vector) => {
      const parsed = parseSignedMessage(vector.block);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.signed.message).toBe(vector.canonical);
      expect(parsed.signed.address).toBe(file.identities[vector.signer as 'A' | 'B'].address);
      expect(toHex(parsed.signed.signature)).toBe(vector.signature);
      for (const verifier of verifiers) {
        const result = await verifySignedMessage(vector.block, verifier);
        expect(result.ok).toBe(true);
      }
    },
  );

  it.each(file.refused)('$name: refused as $code on every backend', async (vector) => {
    for (const verifier of verifiers) {
      const result = await verifySignedMessage(vector.block, verifier);
      expect(result.ok ? 'accepted' : result.code).toBe(vector.code);
    }
  });
});
