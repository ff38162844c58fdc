// Screens every message a peer receives over a data channel BEFORE y-webrtc applies it.
//
// The Y.Doc is untrusted transport: anyone holding the join secret can write anything into it,
// including with a stock Yjs client. Because we sit on each peer connection, we can check each
// message's Yjs update entry by entry and, at the first bad entry, drop the message and
// disconnect that peer. Garbage therefore never enters an honest peer's document, so honest
// peers never relay it, and blame always lands on the connection that sent it.
//
// An entry is acceptable when it is binary content in the ledger map whose bytes are a
// correctly signed transaction of this network, keyed by its id. Deletions cannot be blamed
// reliably (Yjs conflict resolution deletes too), so they pass here and honest peers put back
// any valid transaction that disappears (see ledgerDoc.ts).
import { sha256 } from '../crypto/sha256.ts';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { toHex } from '../bytes.ts';
import type { NetworkId, TxId } from '../ids.ts';
import { MAX_TX_BYTES } from '../tx/envelope.ts';
import type { VerifiedTx } from '../tx/registry.ts';
import type { Rejection } from '../tx/rejection.ts';

/** y-webrtc's message types. */
const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_QUERY_AWARENESS = 3;
const SYNC_STEP1 = 0;
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;

export const LEDGER_MAP = 'txs';
export const MAX_AWARENESS_BYTES = 64 * 1024;

export type MessageKind =
  'sync-step1' | 'sync-step2' | 'sync-update' | 'awareness' | 'query-awareness';

export type ScreenVerdict =
  | { readonly ok: true; readonly kind: MessageKind; readonly entries: readonly VerifiedTx[] }
  | { readonly ok: false; readonly reason: string };

export interface ScreenContext {
  readonly networkId: NetworkId;
  /** A transaction already known to be authentic (valid in the ledger, or verified before). */
  known(id: TxId): boolean;
  /** Full intake check of untrusted bytes: canonical decoding, schema and signature. */
  admit(bytes: Uint8Array): Promise<AdmitResult>;
  /**
   * The same check for many entries at once, one result per entry in order: a peer can spread
   * the signature checks of a large sync over several threads. Without it, entries are
   * admitted one by one. `ids` are the entries' ids, already computed by the screen.
   */
  admitMany?(values: readonly Uint8Array[], ids: readonly TxId[]): Promise<AdmitResult[]>;
}

export type AdmitResult = { ok: true; tx: VerifiedTx } | { ok: false; rejection: Rejection };

const bad = (reason: string): ScreenVerdict => ({ ok: false, reason });

/**
 * Awareness states nested deeper than this are refused (GPoW's own are `{}`). y-protocols
 * compares a client's new state with its last one recursively and y-webrtc re-encodes every
 * state it holds with JSON.stringify, which recurses too: a state nested 20,000 deep fits in
 * 64 KiB and overflowed the stack. Worse, a member could give our own client id such a state
 * (y-protocols lets a remote replace it), and y-protocols' 15-second renewal of our state then
 * threw from a timer, an uncaught exception that ended a Node peer.
 */
export const MAX_AWARENESS_DEPTH = 32;

/** Whether JSON text nests arrays and objects deeper than `max` (one pass, no recursion). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Why an awareness update is unacceptable, or null: it must decode as y-protocols reads it
 * (entries of client id, clock and JSON state) with nothing after, and no state may be nested
 * deeper than MAX_AWARENESS_DEPTH. What passes, y-protocols and y-webrtc take without a throw.
 */
function awarenessProblem(payload: Uint8Array): string | null {
  try {
    const decoder = decoding.createDecoder(payload);
    const count = decoding.readVarUint(decoder);
    for (let i = 0; i < count; i++) {
      decoding.readVarUint(decoder); // client id
      decoding.readVarUint(decoder); // clock
      const state = decoding.readVarString(decoder);
      if (nestsDeeperThan(state, MAX_AWARENESS_DEPTH))
        return 'an awareness state is nested too deeply';
      JSON.parse(state);
    }
    if (decoding.hasContent(decoder)) return 'trailing bytes after the awareness update';
    return null;
  } catch {
    return 'undecodable awareness update';
  }
}

/** Parses a y-webrtc message; returns its kind and, for updates, the Yjs update bytes. */
function parseMessage(message: Uint8Array): { kind: MessageKind; update?: Uint8Array } | string {
  try {
    const decoder = decoding.createDecoder(message);
    const type = decoding.readVarUint(decoder);
    let result: { kind: MessageKind; update?: Uint8Array };
    if (type === MESSAGE_SYNC) {
      const step = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      if (step === SYNC_STEP1) {
        // y-protocols answers with the updates this state vector lacks; one it cannot read
        // threw inside y-webrtc (lib0's decoding errors carry no y-webrtc frame in their stack,
        // so a Node peer's handler for y-webrtc's rejections did not recognise them).
        Y.decodeStateVector(payload);
        result = { kind: 'sync-step1' };
      } else if (step === SYNC_STEP2) result = { kind: 'sync-step2', update: payload };
      else if (step === SYNC_UPDATE) result = { kind: 'sync-update', update: payload };
      else return `unknown sync step ${step}`;
    } else if (type === MESSAGE_AWARENESS) {
      const payload = decoding.readVarUint8Array(decoder);
      if (payload.length > MAX_AWARENESS_BYTES) return 'awareness update too large';
      const problem = awarenessProblem(payload);
      if (problem !== null) return problem;
      result = { kind: 'awareness' };
    } else if (type === MESSAGE_QUERY_AWARENESS) {
      result = { kind: 'query-awareness' };
    } else {
      // Includes type 4 (broadcast-channel peer ids), which a remote peer could use to make us
      // ignore other peers' signaling: it is only legitimate between tabs of one browser.
      return `message type ${type} is not allowed from a remote peer`;
    }
    if (decoding.hasContent(decoder)) return 'trailing bytes after the message';
    return result;
  } catch {
    return 'undecodable message';
  }
}

/** The binary entries an update inserts, or the reason it is unacceptable. */
/**
 * No clock of an update may reach past this. Yjs does clock arithmetic in doubles, exact only
 * below 2^53: structs of lengths 2^52 stacked past it left the store broken. Honest clocks
 * count a client's own insertions, nowhere near 2^48.
 */
export const MAX_CLOCK = 2 ** 48;

/**
 * Why an update's structs or deletions would break a Yjs store, or null. No Yjs writes a struct
 * or deletion of length zero: one left the store broken (applying it threw, or worse did not,
 * and then every peer that synced from us failed to apply what we sent, and a lone empty GC
 * spread with the update itself). Nor clocks past MAX_CLOCK.
 */
function shapeProblem(decoded: ReturnType<typeof Y.decodeUpdate>): string | null {
  for (const struct of decoded.structs) {
    if (struct.length < 1) return 'an empty struct';
    if (struct.id.clock + struct.length > MAX_CLOCK) return 'a struct past the largest clock';
  }
  for (const ranges of decoded.ds.clients.values()) {
    for (const range of ranges) {
      if (range.len < 1) return 'an empty deletion';
      if (range.clock + range.len > MAX_CLOCK) return 'a deletion past the largest clock';
    }
  }
  return null;
}

function entriesOf(update: Uint8Array): Array<{ key: string | null; value: Uint8Array }> | string {
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(update);
  } catch {
    return 'undecodable Yjs update';
  }
  const problem = shapeProblem(decoded);
  if (problem !== null) return problem;
  const entries: Array<{ key: string | null; value: Uint8Array }> = [];
  for (const struct of decoded.structs) {
    if (!(struct instanceof Y.Item)) continue; // GC and Skip carry no content
    if (struct.content instanceof Y.ContentDeleted) continue;
    if (!(struct.content instanceof Y.ContentBinary)) return 'an entry is not binary';
    // A fresh key carries its parent and key; an overwrite or restore names only its origin,
    // so its key is checked after it is applied (ledgerDoc.ts) rather than here.
    // In a decoded update, a root parent is its name (a string), not a type object.
    const parent: unknown = struct.parent;
    if (parent !== null && parent !== LEDGER_MAP) return 'an entry is outside the ledger map';
    if (parent === LEDGER_MAP && typeof struct.parentSub !== 'string') return 'an entry has no key';
    entries.push({ key: struct.parentSub, value: struct.content.content });
  }
  return entries;
}

/** One by one, stopping at the first entry that fails (the whole message is refused then). */
async function admitInOrder(ctx: ScreenContext, values: readonly Uint8Array[]) {
  const results: AdmitResult[] = [];
  for (const value of values) {
    const result = await ctx.admit(value);
    results.push(result);
    if (!result.ok) break;
  }
  return results;
}

/** Entries hashed between hand-offs to admitMany: signature checks start while we hash on. */
const SCREEN_CHUNK = 8192;

export async function screenMessage(
  message: Uint8Array,
  ctx: ScreenContext,
): Promise<ScreenVerdict> {
  const parsed = parseMessage(message);
  if (typeof parsed === 'string') return bad(parsed);
  if (!parsed.update) return { ok: true, kind: parsed.kind, entries: [] };
  const entries = entriesOf(parsed.update);
  if (typeof entries === 'string') return bad(entries);
  // Key checks and the known-filter go chunk by chunk; with admitMany each chunk's fresh
  // entries go off to be checked at once, so the threads verify while this one hashes on.
  const batches: Array<Promise<AdmitResult[]>> = [];
  const fresh: Uint8Array[] = [];
  for (let start = 0; start < entries.length; start += SCREEN_CHUNK) {
    const values: Uint8Array[] = [];
    const ids: TxId[] = [];
    for (const { key, value } of entries.slice(start, start + SCREEN_CHUNK)) {
      if (value.length > MAX_TX_BYTES) return bad('an entry is oversized');
      const id = toHex(sha256(value)) as TxId;
      if (key !== null && key !== id) return bad('an entry is not keyed by its transaction id');
      if (ctx.known(id)) continue;
      values.push(value);
      ids.push(id);
    }
    if (ctx.admitMany) {
      const batch = ctx.admitMany(values, ids);
      // A later chunk may refuse the message before this one is awaited: never unhandled.
      batch.catch(() => undefined);
      batches.push(batch);
    } else fresh.push(...values);
  }
  const results = ctx.admitMany
    ? (await Promise.all(batches)).flat()
    : await admitInOrder(ctx, fresh);
  const admitted: VerifiedTx[] = [];
  for (const result of results) {
    if (!result.ok) return bad(`an entry is not a valid transaction (${result.rejection.code})`);
    if (result.tx.net !== ctx.networkId && result.tx.id !== ctx.networkId) {
      return bad('an entry belongs to another network');
    }
    admitted.push(result.tx);
  }
  return { ok: true, kind: parsed.kind, entries: admitted };
}

/**
 * Screens a message of a private SSK channel's doc: only sync and awareness messages, and
 * only binary entries of one array. Whether an entry opens under the pair's key is checked by
 * the channel itself (shared/ssk/channel.ts).
 */
export function screenChannelMessage(
  message: Uint8Array,
  arrayName: string,
  maxEntryBytes: number,
): ScreenVerdict {
  const parsed = parseMessage(message);
  if (typeof parsed === 'string') return bad(parsed);
  if (!parsed.update) return { ok: true, kind: parsed.kind, entries: [] };
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(parsed.update);
  } catch {
    return bad('undecodable Yjs update');
  }
  const problem = shapeProblem(decoded);
  if (problem !== null) return bad(problem);
  for (const struct of decoded.structs) {
    if (!(struct instanceof Y.Item) || struct.content instanceof Y.ContentDeleted) continue;
    if (!(struct.content instanceof Y.ContentBinary)) return bad('an entry is not binary');
    const parent: unknown = struct.parent;
    if (parent !== null && parent !== arrayName) return bad('an entry is outside the channel');
    if (struct.content.content.length > maxEntryBytes) return bad('an entry is oversized');
  }
  return { ok: true, kind: parsed.kind, entries: [] };
}
