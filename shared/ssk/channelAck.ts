// The private channel's acknowledgement (label "ack"): the receiver says which of the sender's
// texts it has and which of its files arrived whole and matched their checksum, so the sender
// can show "delivered". It travels sealed like any entry (channel.ts), so only the partner can
// write one. One ack covers what arrived in one batch: a resync after a restart brings a whole
// history at once, and answering each entry on its own would double the doc.
import * as v from 'valibot';
import { toHex } from '../bytes.ts';
import { decodeCanonical, encodeCanonical } from '../codec/cbor.ts';
import { bytesOf, uint } from '../tx/schema.ts';
import { epochSchema } from './box.ts';

/** Items per ack: a bound for the receiver's parser; a bigger batch goes in several acks. */
export const MAX_ACK_ITEMS = 256;
/** 256 texts of ~15 bytes and 256 file ids of 17: far below this. */
const MAX_ACK_BYTES = 16 * 1024;

export interface AckedText {
  readonly epoch: number;
  readonly counter: number;
}

export interface Ack {
  readonly texts: readonly AckedText[];
  /** File ids, in hex. */
  readonly files: readonly string[];
}

const ackSchema = v.strictObject({
  m: v.pipe(v.array(v.tuple([epochSchema, uint])), v.maxLength(MAX_ACK_ITEMS)),
  f: v.pipe(v.array(bytesOf(16)), v.maxLength(MAX_ACK_ITEMS)),
});

/** The plaintexts of the acks that cover `texts` and `files` (file ids as bytes). */
export function encodeAcks(
  texts: readonly AckedText[],
  files: readonly Uint8Array[],
): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < Math.max(texts.length, files.length); at += MAX_ACK_ITEMS) {
    const m = texts.slice(at, at + MAX_ACK_ITEMS).map((t) => [t.epoch, t.counter]);
    out.push(encodeCanonical({ m, f: files.slice(at, at + MAX_ACK_ITEMS) }));
  }
  return out;
}

/** An ack's plaintext, parsed strictly; null for anything else. */
export function parseAck(plaintext: Uint8Array): Ack | null {
  const decoded = decodeCanonical(plaintext, MAX_ACK_BYTES);
  if (!decoded.ok) return null;
  const parsed = v.safeParse(ackSchema, decoded.value);
  if (!parsed.success) return null;
  return {
    texts: parsed.output.m.map(([epoch, counter]) => ({ epoch, counter })),
    files: parsed.output.f.map((id) => toHex(id)),
  };
}
