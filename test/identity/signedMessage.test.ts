// Signed messages (shared/identity/signedMessage.ts): what a person sees when a block is wrong,
// and what a transport may change without breaking a signature. The vectors file pins the bytes;
// this one pins the behaviour around them.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../shared/bytes.ts';
import {
  createVerifier,
  nobleBackend,
  publicKeyOf,
  signMessage,
} from '../../shared/crypto/ed25519.ts';
import { TX_SIGNING_DOMAIN } from '../../shared/tx/envelope.ts';
import { encodeAddress, type Address } from '../../shared/identity/address.ts';
import {
  MAX_MESSAGE_BYTES,
  SIGNED_MESSAGE_BYTES,
  SIGNED_MESSAGE_DOMAIN,
  signText,
  signedMessageBytes,
  verifySignedMessage,
} from '../../shared/identity/signedMessage.ts';

const secret = new Uint8Array(32).fill(7);
const other = new Uint8Array(32).fill(8);
const signerOf = (key: Uint8Array) => ({
  publicKey: publicKeyOf(key),
  sign: (bytes: Uint8Array) => signMessage(key, bytes),
});
const verifier = createVerifier(nobleBackend);

function blockOf(text: string, key = secret): string {
  const made = signText(text, signerOf(key));
  if (!made.ok) throw new Error(made.message);
  return made.block;
}

async function problem(input: unknown, expected?: Address) {
  const result = await verifySignedMessage(input, verifier, expected);
  return result.ok ? 'accepted' : { code: result.code, message: result.message };
}

describe('signed messages', () => {
  it('signs 55 bytes under its own domain, never a transaction or the text itself', () => {
    const bytes = signedMessageBytes('hello');
    expect(bytes.length).toBe(SIGNED_MESSAGE_BYTES);
    expect(toHex(bytes.subarray(0, SIGNED_MESSAGE_DOMAIN.length))).toBe(
      toHex(SIGNED_MESSAGE_DOMAIN),
    );
    expect(toHex(bytes.subarray(0, TX_SIGNING_DOMAIN.length))).not.toBe(toHex(TX_SIGNING_DOMAIN));
  });

  it('survives CRLF, trailing spaces and the whitespace around a pasted block', async () => {
    const block = blockOf('pay Bob\nfive units');
    const mangled = `\n\n   ${block.replace(/\n/g, '  \r\n')}\r\n\n`;
    const result = await verifySignedMessage(mangled, verifier);
    expect(result.ok && result.signed.message).toBe('pay Bob\nfive units');
  });

  it('keeps whitespace it does not drop when signing, such as a no-break space at a line end', async () => {
    const result = await verifySignedMessage(blockOf('price:\u00a0\n5\u2003'), verifier);
    expect(result.ok && result.signed.message).toBe('price:\u00a0\n5\u2003');
  });

  it('says "message changed or not signed by" when one character of the text changes', async () => {
    const block = blockOf('pay Bob 5 units').replace('5 units', '6 units');
    const address = encodeAddress(publicKeyOf(secret));
    expect(await problem(block)).toEqual({
      code: 'signature-mismatch',
      message: `The signature does not match: the message was changed after it was signed, or ${address} did not sign it.`,
    });
  });

  it('says who signed when the signer is not the one expected', async () => {
    const mine = encodeAddress(publicKeyOf(secret));
    const theirs = encodeAddress(publicKeyOf(other));
    expect(await problem(blockOf('hello', other), mine)).toEqual({
      code: 'wrong-signer',
      message: `The signature is valid, but it was made by ${theirs}, not by ${mine}.`,
    });
    expect(await problem(blockOf('hello'), mine)).toBe('accepted');
  });

  it('says "not a signed message" for anything that is not one', async () => {
    for (const input of [42, null, 'hello', '', 'x'.repeat(100_000)]) {
      const result = await problem(input);
      expect(result !== 'accepted' && result.code).toBe('not-signed-message');
      expect(result !== 'accepted' && result.message).toMatch(
        /^This is not a GPoW signed message: .+\.$/,
      );
    }
  });

  it('says "damaged", and where, for a block cut or garbled in transit', async () => {
    const block = blockOf('hello');
    const cases: [string, RegExp][] = [
      [block.replace(/\n-----END GPOW SIGNED MESSAGE-----$/, ''), /the last line must be/],
      [block.replace('Address: ', 'Adress: '), /must be "Address: …"/],
      [block.replace('Address: gpow1', 'Address: GPOW1'), /address is not valid/],
      [block.replace(/Signature: (.)/, 'Signature: !'), /86 characters of base64url/],
      [block.replace(/(Signature: .{85})./, '$1B'), /cannot end base64url/],
      [block.replace('hello', '-hello'), /line 1 of the message begins with "-"/],
      [block.replace('hello\n', ''), /its message cannot have been signed: it is empty/],
    ];
    for (const [input, detail] of cases) {
      const result = await problem(input);
      expect(result !== 'accepted' && result.code).toBe('damaged');
      expect(result !== 'accepted' && result.message).toMatch(detail);
      expect(result !== 'accepted' && result.message).toMatch(
        /^The signed message is damaged: .+\.$/,
      );
    }
  });

  it('refuses to sign what has no canonical form', () => {
    const refusal = (text: unknown) => {
      const made = signText(text, signerOf(secret));
      return made.ok ? 'signed' : made.message;
    };
    expect(refusal('  \n\t\n')).toBe('The message cannot be signed: it is empty.');
    expect(refusal('bad \ud800 surrogate')).toMatch(/not text/);
    expect(refusal('é'.repeat(MAX_MESSAGE_BYTES / 2 + 1))).toMatch(/longer than 16384 bytes/);
    expect(refusal('é'.repeat(MAX_MESSAGE_BYTES / 2))).toBe('signed');
  });

  it('verifies the longest message, whose dash-escaped block is the longest there is', async () => {
    const block = blockOf(Array.from({ length: MAX_MESSAGE_BYTES / 2 }, () => '-').join('\n'));
    expect(await problem(block)).toBe('accepted');
  });
});
