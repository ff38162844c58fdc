// The records of the kept chat history (engine/chatStore.ts seals them at rest): a text, a file,
// a part of a file's contents, a change of state. Each is canonical CBOR, parsed strictly and
// bounded when it is read back, since what is on disk may have been damaged or altered.
import * as v from 'valibot';
import { fromHex } from '../bytes.ts';
import { decodeCanonical } from '../codec/cbor.ts';
import type { KeyHex } from '../ids.ts';
import { uint } from '../tx/schema.ts';

/** File contents are kept in parts of this size, each a record well below the log's bound. */
export const FILE_PART_BYTES = 512 * 1024;
/** Files up to this size keep their contents; bigger ones keep their name, size and state. */
export const KEEP_FILE_BYTES = 16 * 1024 * 1024;

/** Ours: sent, then delivered (the partner acknowledged it) or failed. Theirs: received; a
 * file of theirs is receiving until it is complete (or failed). */
export const CHAT_STATES = [
  'sent',
  'delivered',
  'failed',
  'received',
  'receiving',
  'complete',
] as const;
export type ChatState = (typeof CHAT_STATES)[number];

/** Bytes of at most `max` (or exactly `exact`), typed as any Uint8Array: records hold views. */
const bytes = (max: number, exact?: number) =>
  v.pipe(
    v.custom<Uint8Array>((x) => x instanceof Uint8Array, 'expected bytes'),
    v.check((b) => b.length <= max && (exact === undefined || b.length === exact), 'wrong length'),
  );
const bytes32 = bytes(32, 32);
const bytes16 = bytes(16, 16);

const text = v.strictObject({
  k: v.literal('text'),
  p: bytes32,
  mine: v.boolean(),
  e: uint,
  c: uint,
  t: v.pipe(v.string(), v.maxLength(16 * 1024)),
  at: uint,
  /** The sealed entry, kept only while the partner may not have it. */
  w: v.optional(bytes(64 * 1024)),
});
const file = v.strictObject({
  k: v.literal('file'),
  p: bytes32,
  id: bytes16,
  mine: v.boolean(),
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
  size: uint,
  at: uint,
});
const part = v.strictObject({
  k: v.literal('part'),
  p: bytes32,
  id: bytes16,
  i: uint,
  d: bytes(FILE_PART_BYTES),
});
const state = v.strictObject({
  k: v.literal('state'),
  p: bytes32,
  id: v.pipe(v.string(), v.maxLength(80)),
  s: v.picklist(CHAT_STATES),
  at: uint,
  why: v.optional(v.pipe(v.string(), v.maxLength(300))),
});
const recordSchema = v.variant('k', [text, file, part, state]);

export type ChatRecord = v.InferOutput<typeof recordSchema>;

/** A text's id: ours or theirs, its key's epoch and its counter (what the replay guard knows). */
export const textId = (mine: boolean, epoch: number, counter: number): string =>
  `t-${mine ? 'o' : 'i'}-${epoch}-${counter}`;
export const fileId = (id: string): string => `f-${id}`;

/** A record of a text's or file's new state. */
export function stateRecord(
  partner: KeyHex,
  id: string,
  s: ChatState,
  at: number,
  why?: string,
): ChatRecord {
  return { k: 'state', p: fromHex(partner), id, s, at, ...(why ? { why: why.slice(0, 300) } : {}) };
}

/** A file's contents in parts, when it is small enough to keep (KEEP_FILE_BYTES). */
export function partsOf(partner: KeyHex, id: string, bytes: Uint8Array): ChatRecord[] {
  if (bytes.length > KEEP_FILE_BYTES) return [];
  const parts: ChatRecord[] = [];
  for (let i = 0; i * FILE_PART_BYTES < Math.max(1, bytes.length); i++) {
    const d = bytes.slice(i * FILE_PART_BYTES, (i + 1) * FILE_PART_BYTES);
    parts.push({ k: 'part', p: fromHex(partner), id: fromHex(id), i, d });
  }
  return parts;
}

/** A record from its plaintext, or null for anything that is not one. */
export function parseChatRecord(plaintext: Uint8Array, maxBytes: number): ChatRecord | null {
  const decoded = decodeCanonical(plaintext, maxBytes);
  if (!decoded.ok) return null;
  const parsed = v.safeParse(recordSchema, decoded.value);
  return parsed.success ? parsed.output : null;
}
