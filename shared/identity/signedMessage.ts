// Signed messages (docs/keys.md): the holder of an address signs a text, and anyone can check,
// with nothing but the text block, that this address signed exactly this text. One format for
// the CLI and the UI, so a block made by one verifies in the other.
//
// What is signed is SIGNED_MESSAGE_DOMAIN || SHA-256(UTF-8 of the canonical message), never the
// text itself:
//  - the domain makes the signed bytes start with "GPoW/signed-message/v1\n", which no
//    transaction (TX_SIGNING_DOMAIN) and no other message the identity signs begins with, so a
//    signed message can never be replayed as anything else, nor anything else as one;
//  - the digest keeps the bytes a fixed 55 long, so a signer that keeps the key elsewhere (the
//    desktop's main process) is handed 55 bytes it can check, whatever the length of the text.
// No network id goes in: a signature proves who wrote the text, on whichever network they use.
import { base64urlnopad } from '@scure/base';
import * as v from 'valibot';
import { concat, fromUtf8, utf8 } from '../bytes.ts';
import type { SignatureVerifier } from '../crypto/ed25519.ts';
import { sha256 } from '../crypto/sha256.ts';
import { encodeAddress, parseAddress, type Address } from './address.ts';

export const SIGNED_MESSAGE_DOMAIN = utf8('GPoW/signed-message/v1\n');
/** The signed bytes: the domain and a 32-byte digest. */
export const SIGNED_MESSAGE_BYTES = SIGNED_MESSAGE_DOMAIN.length + 32;
/** A message is at most this many bytes of UTF-8: a statement, not a file. */
export const MAX_MESSAGE_BYTES = 16 * 1024;

export const BEGIN_LINE = '-----BEGIN GPOW SIGNED MESSAGE-----';
export const SIGNATURE_LINE = '-----BEGIN GPOW SIGNATURE-----';
export const END_LINE = '-----END GPOW SIGNED MESSAGE-----';
const ADDRESS_LABEL = 'Address: ';
const SIGNATURE_LABEL = 'Signature: ';
/** Dash-escaping doubles at most each 2-byte line; the rest is the markers and two fields. */
const MAX_BLOCK_LENGTH = 2 * MAX_MESSAGE_BYTES + 1024;

/** Why a block was refused; `message` is one sentence a person can act on. */
export type SignedMessageProblem =
  'not-signed-message' | 'damaged' | 'signature-mismatch' | 'wrong-signer' | 'bad-message';

export type Failure = {
  readonly ok: false;
  readonly code: SignedMessageProblem;
  readonly message: string;
};
const fail = (code: SignedMessageProblem, message: string): Failure => ({
  ok: false,
  code,
  message,
});
const damaged = (detail: string): Failure =>
  fail('damaged', `The signed message is damaged: ${detail}.`);

export interface SignedMessage {
  readonly address: Address;
  readonly publicKey: Uint8Array;
  /** The canonical message: what was signed, and what a person should read. */
  readonly message: string;
  readonly signature: Uint8Array;
}

/**
 * The one form of a text that is signed: line ends "\n" (a pasted CRLF or CR is the same text)
 * and no spaces or tabs at the end of a line or blank lines at the end, which mail and chat
 * programs add or drop. Nothing else changes: no Unicode normalisation, whose tables differ
 * between runtimes, so the same code points are signed everywhere.
 */
export function canonicalMessage(
  text: unknown,
): { readonly ok: true; readonly message: string } | Failure {
  const canonical = canonicalForm(text);
  return typeof canonical === 'string'
    ? { ok: true, message: canonical }
    : fail('bad-message', `The message cannot be signed: ${canonical.problem}.`);
}

/** The canonical form, or what keeps the text from having one (a phrase, for either side). */
function canonicalForm(text: unknown): string | { readonly problem: string } {
  if (typeof text !== 'string') return { problem: 'it is not text' };
  // A lone surrogate has no UTF-8 form: encoding would silently sign U+FFFD instead.
  if (fromUtf8(utf8(text)) !== text) return { problem: 'it holds characters that are not text' };
  const message = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/\n+$/, '');
  if (message.trim() === '') return { problem: 'it is empty' };
  if (utf8(message).length > MAX_MESSAGE_BYTES)
    return { problem: `it is longer than ${MAX_MESSAGE_BYTES} bytes` };
  return message;
}

/** The bytes an identity signs for a canonical message. */
export function signedMessageBytes(canonical: string): Uint8Array {
  return concat(SIGNED_MESSAGE_DOMAIN, sha256(utf8(canonical)));
}

/**
 * The copy-pasteable block. A message line that begins with "-" is written "- -…" (as in
 * OpenPGP's cleartext signatures), so no line of the message can pass for a marker.
 */
export function formatSignedMessage(signed: Omit<SignedMessage, 'publicKey'>): string {
  const body = signed.message
    .split('\n')
    .map((line) => (line.startsWith('-') ? `- ${line}` : line));
  return [
    BEGIN_LINE,
    ...body,
    SIGNATURE_LINE,
    `${ADDRESS_LABEL}${signed.address}`,
    `${SIGNATURE_LABEL}${base64urlnopad.encode(signed.signature)}`,
    END_LINE,
  ].join('\n');
}

/** What signs: the identity's public key, and a function that signs bytes with its key. */
export interface MessageSigner {
  readonly publicKey: Uint8Array;
  sign(bytes: Uint8Array): Uint8Array;
}

/** Signs a text and returns the block; a text that cannot be signed gives its sentence. */
export function signText(
  text: unknown,
  signer: MessageSigner,
): { readonly ok: true; readonly block: string; readonly signed: SignedMessage } | Failure {
  const canonical = canonicalMessage(text);
  if (!canonical.ok) return canonical;
  const signature = signer.sign(signedMessageBytes(canonical.message));
  const signed: SignedMessage = {
    address: encodeAddress(signer.publicKey),
    publicKey: signer.publicKey,
    message: canonical.message,
    signature,
  };
  return { ok: true, block: formatSignedMessage(signed), signed };
}

const blockSchema = v.pipe(
  v.string('a signed message is text'),
  v.maxLength(MAX_BLOCK_LENGTH, 'it is longer than any signed message can be'),
);
// 64 bytes in base64url without padding are 86 characters; scure refuses non-zero pad bits.
const signatureSchema = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_-]{86}$/, 'the signature is not 86 characters of base64url'),
  v.check(decodes, 'the last character of the signature cannot end base64url'),
  v.transform((text) => base64urlnopad.decode(text)),
);

function decodes(text: string): boolean {
  try {
    base64urlnopad.decode(text);
    return true;
  } catch {
    return false;
  }
}

/** Reads one "Label: value" line of the signature part. */
function field(line: string | undefined, label: string): string | null {
  return line?.startsWith(label) ? line.slice(label.length) : null;
}

/** The message lines between the markers, dash-escaping undone. */
function messageOf(lines: readonly string[]): { ok: true; message: string } | Failure {
  const out: string[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.startsWith('- ')) out.push(line.slice(2));
    else if (line.startsWith('-'))
      return damaged(`line ${i + 1} of the message begins with "-" but is not written "- -"`);
    else out.push(line);
  }
  const canonical = canonicalForm(out.join('\n'));
  return typeof canonical === 'string'
    ? { ok: true, message: canonical }
    : damaged(`its message cannot have been signed: ${canonical.problem}`);
}

/** The signature part: exactly the address line, the signature line and the end line. */
function signaturePart(
  lines: readonly string[],
): { ok: true; parsed: Omit<SignedMessage, 'message'> } | Failure {
  const addressText = field(lines[0], ADDRESS_LABEL);
  if (addressText === null) return damaged(`the line after ${SIGNATURE_LINE} must be "Address: …"`);
  const address = parseAddress(addressText);
  if (!address.ok || address.address !== addressText)
    return damaged(
      `the signer's address is not valid (${address.ok ? 'not lowercase' : address.error})`,
    );
  const signatureText = field(lines[1], SIGNATURE_LABEL);
  if (signatureText === null) return damaged('the line after the address must be "Signature: …"');
  const signature = v.safeParse(signatureSchema, signatureText);
  if (!signature.success) return damaged(signature.issues[0].message);
  if (lines[2] !== END_LINE) return damaged(`the last line must be ${END_LINE}`);
  if (lines.length > 3) return damaged(`there is more text after ${END_LINE}`);
  return {
    ok: true,
    parsed: { address: address.address, publicKey: address.publicKey, signature: signature.output },
  };
}

/**
 * Reads a block from untrusted input, without checking the signature. Whitespace around the
 * block and at line ends, and CRLF line ends, are ignored (transports change them; they are
 * not signed); everything else must be exactly as formatSignedMessage writes it.
 */
export function parseSignedMessage(
  input: unknown,
): { readonly ok: true; readonly signed: SignedMessage } | Failure {
  const text = v.safeParse(blockSchema, input);
  if (!text.success)
    return fail(
      'not-signed-message',
      `This is not a GPoW signed message: ${text.issues[0].message}.`,
    );
  const lines = text.output
    .replace(/\r\n?/g, '\n')
    .trim()
    .split('\n')
    // Only what canonicalForm drops: trimEnd would also take a no-break space the text signed.
    .map((line) => line.replace(/[ \t]+$/, ''));
  if (!lines.includes(BEGIN_LINE))
    return fail(
      'not-signed-message',
      `This is not a GPoW signed message: it has no line ${BEGIN_LINE}.`,
    );
  if (lines[0] !== BEGIN_LINE) return damaged(`there is text before ${BEGIN_LINE}`);
  const separator = lines.indexOf(SIGNATURE_LINE);
  if (separator < 0) return damaged(`the line ${SIGNATURE_LINE} is missing`);
  const message = messageOf(lines.slice(1, separator));
  if (!message.ok) return message;
  const part = signaturePart(lines.slice(separator + 1));
  if (!part.ok) return part;
  return { ok: true, signed: { ...part.parsed, message: message.message } };
}

/**
 * Checks a block: parsed strictly, then the signature, then (when given) that the signer is
 * `expected`. Never throws; each failure is one sentence.
 */
export async function verifySignedMessage(
  input: unknown,
  verifier: SignatureVerifier,
  expected?: Address,
): Promise<{ readonly ok: true; readonly signed: SignedMessage } | Failure> {
  const parsed = parseSignedMessage(input);
  if (!parsed.ok) return parsed;
  const { signed } = parsed;
  const bytes = signedMessageBytes(signed.message);
  if (!(await verifier.verify(signed.signature, bytes, signed.publicKey)))
    return fail(
      'signature-mismatch',
      `The signature does not match: the message was changed after it was signed, or ${signed.address} did not sign it.`,
    );
  if (expected !== undefined && expected !== signed.address)
    return fail(
      'wrong-signer',
      `The signature is valid, but it was made by ${signed.address}, not by ${expected}.`,
    );
  return parsed;
}
