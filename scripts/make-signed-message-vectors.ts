// Writes test/vectors/signed-message-v1.json: GPoW's own known-answer vectors for signed messages
// (shared/identity/signedMessage.ts, docs/keys.md). Each valid vector lists the text as typed,
// its canonical form, every intermediate value (UTF-8, digest, signed bytes), the signature
// (Ed25519 is deterministic, so it needs no randomness) and the whole block. Each refused vector
// is a block changed in one way, with the problem code every verifier must give.
//
// Run with `node scripts/make-signed-message-vectors.ts`. It never replaces a file that differs:
// a format change needs a new version and a new file. test/identity/signedMessageVectors.test.ts
// reproduces every vector byte for byte.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, toHex, utf8 } from '../shared/bytes.ts';
import {
  createVerifier,
  nobleBackend,
  publicKeyOf,
  signMessage,
} from '../shared/crypto/ed25519.ts';
import { encodeAddress } from '../shared/identity/address.ts';
import {
  SIGNED_MESSAGE_DOMAIN,
  signText,
  verifySignedMessage,
  type SignedMessageProblem,
} from '../shared/identity/signedMessage.ts';

const secrets = { A: new Uint8Array(32).fill(0x01), B: new Uint8Array(32).fill(0x02) };
type Who = keyof typeof secrets;

const identities = Object.fromEntries(
  Object.entries(secrets).map(([name, secret]) => [
    name,
    {
      secret: toHex(secret),
      public: toHex(publicKeyOf(secret)),
      address: encodeAddress(publicKeyOf(secret)),
    },
  ]),
);

function valid(name: string, signer: Who, input: string) {
  const secret = secrets[signer];
  const made = signText(input, {
    publicKey: publicKeyOf(secret),
    sign: (bytes) => signMessage(secret, bytes),
  });
  if (!made.ok) throw new Error(`${name}: ${made.message}`);
  const canonical = made.signed.message;
  const digest = sha256(utf8(canonical));
  return {
    name,
    signer,
    input,
    canonical,
    canonicalUtf8: toHex(utf8(canonical)),
    digest: toHex(digest),
    signedBytes: toHex(concat(SIGNED_MESSAGE_DOMAIN, digest)),
    signature: toHex(made.signed.signature),
    block: made.block,
  };
}

const validVectors = [
  valid('one line', 'A', 'I, the holder of this address, agree to pay Bob 5 units.'),
  valid('by B', 'B', 'I, the holder of this address, agree to pay Bob 5 units.'),
  valid(
    'CRLF, trailing spaces and blank lines are not signed',
    'A',
    'first line  \r\nsecond\t\r\n\r\n',
  ),
  valid(
    'lines that begin with a dash are escaped',
    'A',
    '-----BEGIN GPOW SIGNATURE-----\n- a list item\nplain',
  ),
  valid('non-ASCII text is signed as typed, not normalised', 'B', 'cafe\u0301 and café, 5 €, 🙂'),
  valid('leading blank line and indentation are kept', 'A', '\n  indented\n\nafter a blank line'),
];

type Valid = ReturnType<typeof valid>;
const [first, second, , dashed] = validVectors as [Valid, Valid, Valid, Valid];

function refused(name: string, block: string, code: SignedMessageProblem) {
  return { name, block, code };
}

const refusedVectors = [
  refused('a changed message', first.block.replace('5 units', '50 units'), 'signature-mismatch'),
  refused(
    "another signer's address on the same text",
    first.block.replace(
      first.block.split('\n')[3] as string,
      second.block.split('\n')[3] as string,
    ),
    'signature-mismatch',
  ),
  refused('no markers at all', first.canonical, 'not-signed-message'),
  refused('text before the first marker', `Hello Bob,\n${first.block}`, 'damaged'),
  refused('text after the last marker', `${first.block}\nRegards`, 'damaged'),
  refused(
    'the signature marker is missing',
    first.block.replace('-----BEGIN GPOW SIGNATURE-----\n', ''),
    'damaged',
  ),
  refused(
    'a message line that begins with a dash, not escaped',
    dashed.block.replace('\n- - a list item\n', '\n-- a list item\n'),
    'damaged',
  ),
  refused(
    'a marker in the message, not escaped',
    dashed.block.replace('- -----BEGIN GPOW SIGNATURE-----', '-----BEGIN GPOW SIGNATURE-----'),
    'damaged',
  ),
  refused(
    'a signature one character short',
    first.block.replace(/(Signature: .*)./, '$1'),
    'damaged',
  ),
  refused(
    'an address with a wrong checksum',
    first.block.replace(
      /(Address: gpow1.*)(.)\n/,
      (_, a: string, c: string) => `${a}${c === 'q' ? 'p' : 'q'}\n`,
    ),
    'damaged',
  ),
];

const file = {
  format: 'GPoW signed message, version 1 (shared/identity/signedMessage.ts, docs/keys.md)',
  signing:
    'canonical = the text with CRLF and CR made LF, spaces and tabs at line ends removed, blank lines at the end removed (no Unicode normalisation); signedBytes = utf8("GPoW/signed-message/v1\\n") || SHA-256(utf8(canonical)); signature = Ed25519 (RFC 8032) over signedBytes with the signer\'s 32-byte seed',
  block:
    'BEGIN line, the canonical message line by line (a line beginning with "-" is written "- " + line), SIGNATURE line, "Address: " + bech32m address, "Signature: " + base64url without padding of the 64-byte signature, END line; lines joined by LF, no final LF',
  identities,
  valid: validVectors,
  refused: refusedVectors,
};

// Each refused block must really be refused, for the reason it names, before it is published.
for (const vector of refusedVectors) {
  const result = await verifySignedMessage(vector.block, createVerifier(nobleBackend));
  if (result.ok || result.code !== vector.code)
    throw new Error(`${vector.name}: ${result.ok ? 'accepted' : result.code}, not ${vector.code}`);
}

const target = fileURLToPath(new URL('../test/vectors/signed-message-v1.json', import.meta.url));
const text = `${JSON.stringify(file, null, 2)}\n`;
if (existsSync(target)) {
  if (readFileSync(target, 'utf8') === text) {
    console.log('signed-message-v1.json: unchanged');
  } else {
    console.error(
      'signed-message-v1.json: differs from what this script makes; refusing to replace it',
    );
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log('signed-message-v1.json: written');
}
