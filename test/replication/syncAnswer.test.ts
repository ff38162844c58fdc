// The sync policy answers an ask in pieces (syncPieces.ts through SyncPolicy.answer, which our
// y-webrtc patch calls): updates of about the piece size, the last one the answer (step 2),
// so no message grows with the history; and an ask that is being answered in pieces does not
// count as stalled while its pieces keep coming.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { SyncPolicy, SYNC_STALL_MS } from '../../shared/replication/syncPolicy.ts';

/** Timers on a clock the test moves. */
function clockedTimers() {
  let now = 0;
  let timers: Array<{ at: number; callback: () => void }> = [];
  return {
    after: (ms: number, callback: () => void) => {
      const timer = { at: now + ms, callback };
      timers.push(timer);
      return () => (timers = timers.filter((t) => t !== timer));
    },
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.callback();
    },
  };
}

function message(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}
const step1 = (doc: Y.Doc) => message((e) => syncProtocol.writeSyncStep1(e, doc));
const updateMessage = (update: Uint8Array) => message((e) => syncProtocol.writeUpdate(e, update));

function read(piece: Uint8Array): { kind: number; update: Uint8Array } {
  const decoder = decoding.createDecoder(piece);
  return { kind: decoding.readVarUint(decoder), update: decoding.readVarUint8Array(decoder) };
}

function holderOf(entries: number): Y.Doc {
  const doc = new Y.Doc();
  const map = doc.getMap<Uint8Array>('txs');
  for (let batch = 0; batch < entries / 100; batch++)
    doc.transact(() => {
      for (let i = 0; i < 100; i++) map.set(`t${batch}-${i}`, new Uint8Array(200).fill(i));
    });
  return doc;
}

describe('the sync policy answers an ask in pieces', () => {
  it('sends updates of about the piece size, the last one the answer, and nothing twice', () => {
    const timers = clockedTimers();
    const policy = new SyncPolicy({ after: timers.after, pieceBytes: 64 * 1024 });
    const holder = holderOf(3000);
    const joiner = new Y.Doc();
    const link = {};
    policy.connected(link, () => undefined);
    const ask = step1(joiner);
    policy.received(link, ask);
    const pieces = policy.answer(link, holder, ask) ?? [];
    expect(pieces.length).toBeGreaterThan(5);
    const kinds = pieces.map((p) => read(p).kind);
    expect(kinds.at(-1)).toBe(syncProtocol.messageYjsSyncStep2);
    expect(kinds.slice(0, -1).every((k) => k === syncProtocol.messageYjsUpdate)).toBe(true);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThan(64 * 1024 + 1024);
      Y.applyUpdate(joiner, read(piece).update);
    }
    expect(joiner.getMap('txs').size).toBe(3000);
    // The link holds what the pieces carried: a large update of the same content is not sent.
    expect(policy.outgoing(link, Y.encodeStateAsUpdate(holder))).toBeNull();
  });

  it('leaves every other message to y-protocols', () => {
    const policy = new SyncPolicy({ after: clockedTimers().after });
    const doc = holderOf(100);
    const link = {};
    expect(policy.answer(link, doc, updateMessage(Y.encodeStateAsUpdate(doc)))).toBeNull();
    expect(policy.answer(link, doc, new Uint8Array([0, 200, 200]))).toBeNull();
    expect(policy.answer(link, doc, new Uint8Array([]))).toBeNull();
  });

  it('does not ask the next link while the pieces of an answer keep coming', () => {
    const timers = clockedTimers();
    const policy = new SyncPolicy({ after: timers.after });
    const asked: string[] = [];
    const [a, b] = [{}, {}];
    policy.connected(a, () => asked.push('a'));
    policy.connected(b, () => asked.push('b'));
    const piece = updateMessage(Y.encodeStateAsUpdate(holderOf(100)));
    for (let i = 0; i < 5; i++) {
      timers.advance(SYNC_STALL_MS - 1000);
      policy.received(a, piece);
    }
    expect(asked).toEqual(['a']);
    // Silence for the stall time: the next link is asked.
    timers.advance(SYNC_STALL_MS);
    expect(asked).toEqual(['a', 'b']);
  });

  it('tells how far the whole sync has come, from what the answering link said it holds', () => {
    const policy = new SyncPolicy({ after: clockedTimers().after, pieceBytes: 32 * 1024 });
    const holder = holderOf(1000);
    const joiner = new Y.Doc();
    const own = () => Y.decodeStateVector(Y.encodeStateVector(joiner));
    const [asked, other] = [{}, {}];
    policy.connected(asked, () => undefined);
    policy.connected(other, () => undefined);
    expect(policy.progress(own)).toBeNull(); // it has not said what it holds
    policy.received(other, step1(holder)); // not the link we asked
    expect(policy.progress(own)).toBeNull();
    policy.received(asked, step1(holder));
    expect(policy.progress(own)).toEqual({ done: 0, total: 1000 });
    // Its answer in pieces (as it would send them: the policy on its side cuts them).
    const pieces = new SyncPolicy({ after: clockedTimers().after, pieceBytes: 32 * 1024 }).answer(
      {},
      holder,
      step1(joiner),
    );
    const updates = (pieces ?? []).map((p) => read(p).update);
    expect(updates.length).toBeGreaterThan(4);
    const half = Math.floor(updates.length / 2);
    for (const update of updates.slice(0, half)) Y.applyUpdate(joiner, update);
    const midway = policy.progress(own);
    expect(midway?.total).toBe(1000);
    expect(midway?.done).toBeGreaterThan(300);
    expect(midway?.done).toBeLessThan(700);
    for (const update of updates.slice(half)) Y.applyUpdate(joiner, update);
    expect(policy.progress(own)).toBeNull();
  });
});
