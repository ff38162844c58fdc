// The sync policy our y-webrtc patch follows (shared/replication/syncPolicy.ts): one ask at a
// time, so a joiner with several holders takes one copy (and none while a newcomer holds its
// asks); and forwarding to a link only what
// it lacks, which must never withhold anything it lacks (a seeded property with gaps, edits
// on both sides and updates arriving out of order).
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import {
  SyncPolicy,
  LIVE_UPDATE_BYTES,
  SYNC_STALL_MS,
  UNASKED_MS,
} from '../../shared/replication/syncPolicy.ts';
import { mulberry32 } from '../helpers/mulberry32.ts';

/** Timers that run when the test says: those due within `ms` (all by default). */
function manualTimers() {
  let due: Array<{ ms: number; callback: () => void }> = [];
  return {
    after: (ms: number, callback: () => void) => {
      const timer = { ms, callback };
      due.push(timer);
      return () => (due = due.filter((t) => t !== timer));
    },
    pending: () => due.length,
    fire(within = Infinity) {
      const now = due.filter((t) => t.ms <= within);
      due = due.filter((t) => t.ms > within);
      for (const t of now) t.callback();
    },
  };
}

/** A sync message as y-webrtc hands it to the policy: what follows the message type. */
function message(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}
const step1 = (doc: Y.Doc) => message((e) => syncProtocol.writeSyncStep1(e, doc));
const step2 = (update: Uint8Array) =>
  message((e) => {
    encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep2);
    encoding.writeVarUint8Array(e, update);
  });
const updateMessage = (update: Uint8Array) => message((e) => syncProtocol.writeUpdate(e, update));

/** A doc's state vector: client, clock. */
const vector = (doc: Y.Doc) => [...Y.decodeStateVector(Y.encodeStateVector(doc))];

function fill(doc: Y.Doc, from: number, count: number): void {
  const map = doc.getMap('txs');
  doc.transact(() => {
    for (let i = from; i < from + count; i++) map.set(`tx-${i}`, new Uint8Array(100).fill(i % 250));
  });
}

describe('the sync policy', () => {
  it('asks one link at a time: the next once the first answered, closed, or stalled', () => {
    const timers = manualTimers();
    const policy = new SyncPolicy({ after: timers.after });
    const asked: string[] = [];
    const [a, b, c, d] = [{}, {}, {}, {}];
    policy.connected(a, () => asked.push('a'));
    policy.connected(b, () => asked.push('b'));
    policy.connected(c, () => asked.push('c'));
    policy.connected(d, () => asked.push('d'));
    expect(asked).toEqual(['a']);
    // Another link's answer, or an update from the one asked, does not count as its answer.
    policy.received(b, step2(new Uint8Array([0, 0])));
    policy.received(a, updateMessage(new Uint8Array([0, 0])));
    expect(asked).toEqual(['a']);
    policy.received(a, step2(new Uint8Array([0, 0])));
    expect(asked).toEqual(['a']); // the answer is applied first
    timers.fire(0);
    expect(asked).toEqual(['a', 'b']);
    policy.closed(c); // waiting: never asked
    policy.closed(b); // being asked: the next goes
    expect(asked).toEqual(['a', 'b', 'd']);
    timers.fire(); // d does not answer in time: nobody is left to ask, nothing breaks
    policy.connected(a, () => asked.push('a again'));
    expect(asked).toEqual(['a', 'b', 'd', 'a again']);
    // Garbage teaches it nothing and does not throw.
    expect(() => policy.received(a, new Uint8Array([7, 200, 200]))).not.toThrow();
  });

  it('asks the next link with what the first answer brought', () => {
    const timers = manualTimers();
    const policy = new SyncPolicy({ after: timers.after });
    const mine = new Y.Doc();
    const holder = new Y.Doc();
    fill(holder, 0, 50);
    const asks: Uint8Array[] = [];
    const [first, second] = [{}, {}];
    policy.connected(first, () => asks.push(Y.encodeStateVector(mine)));
    policy.connected(second, () => asks.push(Y.encodeStateVector(mine)));
    // As y-webrtc reads an answer: the policy sees it, then y-protocols applies it.
    const answer = Y.encodeStateAsUpdate(holder);
    policy.received(first, step2(answer));
    Y.applyUpdate(mine, answer);
    timers.fire(0);
    expect(asks).toHaveLength(2);
    expect(asks[1]).toEqual(Y.encodeStateVector(holder));
  });

  it('forwards nothing to a link before it asks: the answer to its ask carries it', () => {
    const timers = manualTimers();
    const policy = new SyncPolicy({ after: timers.after });
    const link = {};
    policy.connected(link, () => undefined);
    const mine = new Y.Doc();
    fill(mine, 0, 1_000); // a sync's worth: over LIVE_UPDATE_BYTES
    expect(Y.encodeStateAsUpdate(mine).length).toBeGreaterThan(LIVE_UPDATE_BYTES);
    expect(policy.outgoing(link, Y.encodeStateAsUpdate(mine))).toBeNull();
    // A live update (one transaction) goes at once, as it is.
    const live = new Y.Doc();
    fill(live, 5_000, 1);
    expect(policy.outgoing(link, Y.encodeStateAsUpdate(live))).not.toBeNull();
    policy.received(link, step1(new Y.Doc()));
    fill(mine, 10, 1);
    const next = policy.outgoing(link, Y.encodeStateAsUpdate(mine));
    expect(next).not.toBeNull();
    // An ask that arrives before the link's 'connect' (simple-peer can hand on data first)
    // still counts: the link is sent what it lacks from then on.
    const early = {};
    policy.received(early, step1(new Y.Doc()));
    policy.connected(early, () => undefined);
    expect(policy.outgoing(early, Y.encodeStateAsUpdate(mine))).not.toBeNull();
    // A link that never asks is sent everything once UNASKED_MS passed.
    const silent = {};
    policy.connected(silent, () => undefined);
    const update = Y.encodeStateAsUpdate(mine);
    expect(policy.outgoing(silent, update)).toBeNull();
    timers.fire(UNASKED_MS);
    expect(policy.outgoing(silent, update)).toBe(update);
    // A link that closes leaves no timer behind.
    const before = timers.pending();
    const gone = {};
    policy.connected(gone, () => undefined);
    policy.closed(gone);
    expect(timers.pending()).toBe(before);
  });

  it('asks a link that asked before it opened inside its answer, so it knows the total first', () => {
    const timers = manualTimers();
    const policy = new SyncPolicy({ after: timers.after });
    const mine = new Y.Doc();
    fill(mine, 0, 100);
    const joiner = {};
    // The joiner's ask comes before its 'connect' (simple-peer can hand on data first).
    policy.received(joiner, step1(new Y.Doc()));
    const answer = policy.answer(joiner, mine, step1(new Y.Doc()))!;
    // Our ask goes first, with our state vector: what the joiner will count its progress by.
    const first = decoding.createDecoder(answer[0]!);
    expect(decoding.readVarUint(first)).toBe(syncProtocol.messageYjsSyncStep1);
    expect([...Y.decodeStateVector(decoding.readVarUint8Array(first))]).toEqual(vector(mine));
    expect(decoding.readVarUint(decoding.createDecoder(answer.at(-1)!))).toBe(
      syncProtocol.messageYjsSyncStep2,
    );
    // Its 'connect' then asks nothing more, and the next link waits for the joiner's answer.
    const asked: string[] = [];
    policy.connected(joiner, () => asked.push('joiner'));
    policy.connected({}, () => asked.push('other'));
    expect(asked).toEqual([]);
    policy.received(joiner, step2(Y.encodeStateAsUpdate(new Y.Doc())));
    timers.fire(0);
    expect(asked).toEqual(['other']);
    // While that ask is out, another early asker is answered without an ask (one at a time),
    // and asked in turn once it opens.
    const late = {};
    policy.received(late, step1(new Y.Doc()));
    const plain = policy.answer(late, mine, step1(new Y.Doc()))!;
    expect(decoding.readVarUint(decoding.createDecoder(plain[0]!))).not.toBe(
      syncProtocol.messageYjsSyncStep1,
    );
    policy.connected(late, () => asked.push('late'));
    timers.fire(SYNC_STALL_MS);
    expect(asked).toEqual(['other', 'late']);
  });

  it('holds its asks until released, inside answers too, and answers asks all the while', () => {
    const timers = manualTimers();
    const policy = new SyncPolicy({ after: timers.after });
    const mine = new Y.Doc();
    fill(mine, 0, 10);
    policy.hold();
    const asked: string[] = [];
    policy.connected({}, () => asked.push('a'));
    policy.connected({}, () => asked.push('b'));
    // A holder whose ask comes before it opened is answered, with no ask of ours first.
    const early = {};
    policy.received(early, step1(new Y.Doc()));
    const answer = policy.answer(early, mine, step1(new Y.Doc()))!;
    expect(decoding.readVarUint(decoding.createDecoder(answer[0]!))).not.toBe(
      syncProtocol.messageYjsSyncStep1,
    );
    policy.connected(early, () => asked.push('early'));
    timers.fire();
    expect(asked).toEqual([]);
    policy.release();
    expect(asked).toEqual(['a']);
    timers.fire(SYNC_STALL_MS);
    timers.fire(SYNC_STALL_MS);
    expect(asked).toEqual(['a', 'b', 'early']);
  });

  it('sends a link none of what it holds, and only the rest of what it partly holds', () => {
    const policy = new SyncPolicy({ after: manualTimers().after });
    const holder = new Y.Doc();
    fill(holder, 0, 500);
    const firstHalf = Y.encodeStateAsUpdate(holder);
    fill(holder, 500, 500);
    const other = new Y.Doc(); // a second holder, with everything
    Y.applyUpdate(other, Y.encodeStateAsUpdate(holder));
    const partialDoc = new Y.Doc(); // a link with the first half only
    Y.applyUpdate(partialDoc, firstHalf);
    const [full, partial] = [{}, {}];
    policy.connected(full, () => undefined);
    policy.connected(partial, () => undefined);
    policy.received(full, step1(other));
    policy.received(partial, step1(partialDoc));
    // What a joiner applies from the first holder: the whole doc.
    const whole = Y.encodeStateAsUpdate(holder);
    expect(policy.outgoing(full, whole)).toBeNull();
    const sent = policy.outgoing(partial, whole);
    expect(sent).not.toBeNull();
    expect(sent!.length).toBeLessThan(whole.length * 0.6);
    Y.applyUpdate(partialDoc, sent!);
    expect(partialDoc.getMap('txs').size).toBe(1_000);
    // Once sent, the same is not sent again.
    expect(policy.outgoing(partial, whole)).toBeNull();
    expect(policy.saved.updates).toBe(3);
  });

  it('never withholds what a link lacks (seeded: edits on both sides, gaps, reordering)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = mulberry32(seed);
      const me = new Y.Doc();
      const link = new Y.Doc();
      const third = new Y.Doc();
      // Every update cut, however small, so that the property covers the cutting.
      const policy = new SyncPolicy({ after: manualTimers().after, liveBytes: 0 });
      const handle = {};
      // The link holds something already when it asks.
      fill(link, 10_000 * seed, Math.floor(random() * 5));
      policy.connected(handle, () => undefined);
      policy.received(handle, step1(link));
      // Updates we apply, in the order they reach us (the third peer's may come out of order),
      // are forwarded through the policy, as the patched provider does.
      me.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin === handle) return;
        const part = policy.outgoing(handle, update);
        if (part) Y.applyUpdate(link, part, 'from-me');
      });
      link.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin === 'from-me') return;
        policy.received(handle, updateMessage(update));
        Y.applyUpdate(me, update, handle);
      });
      const fromThird: Uint8Array[] = [];
      third.on('update', (update: Uint8Array) => fromThird.push(update));
      for (let step = 0; step < 60; step++) {
        const roll = random();
        const key = seed * 1_000 + step;
        if (roll < 0.3) fill(me, key, 1 + Math.floor(random() * 3));
        else if (roll < 0.5) fill(link, key, 1);
        else if (roll < 0.8) fill(third, key, 1);
        else if (fromThird.length > 0) {
          // Deliver one of the third peer's updates, not necessarily the oldest: a gap.
          const at = Math.floor(random() * fromThird.length);
          Y.applyUpdate(me, fromThird.splice(at, 1)[0]!, 'third');
        }
        if (random() < 0.1)
          me.getMap('txs').delete(`tx-${seed * 1_000 + Math.floor(random() * step)}`);
      }
      for (const update of fromThird.splice(0)) Y.applyUpdate(me, update, 'third');
      // Everything we hold, the link holds: nothing is left for it in our doc.
      const missing = Y.encodeStateAsUpdate(me, Y.encodeStateVector(link));
      const probe = new Y.Doc();
      Y.applyUpdate(probe, Y.encodeStateAsUpdate(link));
      Y.applyUpdate(probe, missing);
      expect(probe.getMap('txs').toJSON(), `seed ${seed}`).toEqual(link.getMap('txs').toJSON());
      // And by clocks: for every client, the link holds at least as far as we do. (Not the
      // other way round: what the link held before it asked reaches us through our own ask.)
      const linkHolds = new Map(vector(link));
      for (const [client, clock] of vector(me)) {
        expect(linkHolds.get(client) ?? 0, `seed ${seed}`).toBeGreaterThanOrEqual(clock);
      }
    }
  });
});
