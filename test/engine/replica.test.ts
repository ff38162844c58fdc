// The replication doc kept across restarts (engine/replica.ts): read back exactly, so that a
// restarted peer and its link exchange only what one of them lacks; damage changes nothing it
// cannot read; a failed save is said, in a sentence.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  dropLeftEpochs,
  forgetLeftEpochs,
  loadReplica,
  REPLICA_PART_BYTES,
  replicaRecords,
  replicaUpdates,
  ReplicaWriter,
} from '../../engine/replica.ts';
import type { Cancel, TimerPort } from '../../engine/ports.ts';
import { bytesEqual } from '../../shared/bytes.ts';
import { MemoryLogStore } from '../../shared/storage/memoryStore.ts';
import type { LogStore } from '../../shared/storage/port.ts';

/** Timers that run only when the test says so. */
function manualTimers(): TimerPort & { fire(): void } {
  let due: Array<() => void> = [];
  return {
    after(_ms: number, callback: () => void): Cancel {
      due.push(callback);
      return () => (due = due.filter((c) => c !== callback));
    },
    every(): Cancel {
      throw new Error('not used');
    },
    fire() {
      const now = due;
      due = [];
      for (const callback of now) callback();
    },
  };
}

/** Entries like the ledger doc's: ids to bytes, `count` of them from `from`. */
function publish(doc: Y.Doc, from: number, count: number): void {
  const map = doc.getMap('txs');
  doc.transact(() => {
    for (let i = from; i < from + count; i++) map.set(`tx-${i}`, new Uint8Array(300).fill(i % 251));
  });
}

/** What `from` would send `to` on connecting: the update for what `to`'s state vector lacks. */
const diff = (from: Y.Doc, to: Y.Doc) => Y.encodeStateAsUpdate(from, Y.encodeStateVector(to));

/** Syncs two docs both ways, as a link does. */
function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, diff(a, b));
  Y.applyUpdate(a, diff(b, a));
}

/** A peer's doc that saves itself to `store`, closed as at shutdown. */
async function runAndSave(store: LogStore, work: (doc: Y.Doc) => void): Promise<Y.Doc> {
  const doc = new Y.Doc();
  await loadReplica(store, doc);
  const writer = new ReplicaWriter(store, doc, manualTimers(), () => undefined);
  work(doc);
  await writer.close();
  return doc;
}

const reopen = (store: MemoryLogStore) => new MemoryLogStore(store.data);

describe('the replication doc kept across restarts', () => {
  it('cuts a large update into parts under the record bound and reads it back exactly', () => {
    const update = new Uint8Array(REPLICA_PART_BYTES * 2 + 1234).map((_, i) => i % 256);
    const records = replicaRecords(update);
    expect(records).toHaveLength(3);
    for (const record of records) expect(record.length).toBeLessThan(REPLICA_PART_BYTES + 64);
    const read = replicaUpdates([...records, ...replicaRecords(new Uint8Array([7]))]);
    expect(read.dropped).toBe(0);
    expect(read.updates).toHaveLength(2);
    // (bytesEqual: toEqual walks a megabyte element by element, for seconds.)
    expect(bytesEqual(read.updates[0]!, update)).toBe(true);
    expect(read.updates[1]).toEqual(new Uint8Array([7]));
  });

  it('leaves out an update that lost a part, and garbage, and keeps the rest', () => {
    const big = replicaRecords(new Uint8Array(REPLICA_PART_BYTES * 2 + 1));
    const small = replicaRecords(new Uint8Array([1, 2, 3]));
    const read = replicaUpdates([
      new Uint8Array([0xff, 0x00]),
      big[0]!,
      big[2]!,
      ...small,
      big[1]!,
    ]);
    expect(read.updates).toEqual([new Uint8Array([1, 2, 3])]);
    expect(read.dropped).toBe(4);
  });

  it("reads back one epoch's records, interleaved with another's, and old untagged ones as epoch 0", () => {
    const zero = replicaRecords(new Uint8Array(REPLICA_PART_BYTES + 1).fill(1));
    const two = replicaRecords(new Uint8Array(REPLICA_PART_BYTES + 1).fill(2), 2);
    const mixed = [zero[0]!, two[0]!, zero[1]!, two[1]!, ...replicaRecords(Uint8Array.of(3), 2)];
    const ofTwo = replicaUpdates(mixed, 2);
    expect(ofTwo.dropped).toBe(0);
    expect(ofTwo.updates.map((u) => u[0])).toEqual([2, 3]);
    const ofZero = replicaUpdates(mixed, 0);
    expect(ofZero.dropped).toBe(0);
    expect(ofZero.updates.map((u) => [u[0], u.length])).toEqual([[1, REPLICA_PART_BYTES + 1]]);
    expect(replicaUpdates(mixed, 1)).toEqual({ updates: [], dropped: 0 });
  });

  it('forgets the records of epochs a start does not open, and garbage, keeping the rest whole', async () => {
    const zero = replicaRecords(new Uint8Array(REPLICA_PART_BYTES + 1).fill(1));
    const two = replicaRecords(new Uint8Array(REPLICA_PART_BYTES + 1).fill(2), 2);
    const three = replicaRecords(Uint8Array.of(3), 3);
    const store = new MemoryLogStore();
    await store.append([zero[0]!, two[0]!, Uint8Array.of(0xff), zero[1]!, two[1]!, ...three]);
    const result = await dropLeftEpochs(store, new Set([2, 3]));
    expect(result.dropped).toBe(3);
    const { records } = await store.load();
    expect(result.kept).toEqual(records);
    expect(replicaUpdates(records, 2).updates.map((u) => [u[0], u.length])).toEqual([
      [2, REPLICA_PART_BYTES + 1],
    ]);
    expect(replicaUpdates(records, 3).updates).toEqual([Uint8Array.of(3)]);
    expect(replicaUpdates(records, 0).updates).toEqual([]);
    // Nothing to forget: the store is not rewritten.
    let rewrites = 0;
    const rewrite = store.rewrite.bind(store);
    store.rewrite = (r) => (rewrites++, rewrite(r));
    expect((await dropLeftEpochs(store, new Set([2, 3]))).dropped).toBe(0);
    expect(rewrites).toBe(0);
    // A store that cannot rewrite is said once, in a sentence, and nothing else changes.
    store.rewrite = () => Promise.reject(new Error('disk full'));
    const said: string[] = [];
    await forgetLeftEpochs(store, new Set([3]), (m) => said.push(m));
    expect(said).toEqual([
      'The saved replication records of epochs left behind could not be removed (disk full); they take room, and are never read.',
    ]);
    expect((await store.load()).records).toHaveLength(records.length);
  });

  it('resumes the same entries, so a restart and its link exchange only what is new', async () => {
    const store = new MemoryLogStore();
    const link = new Y.Doc();
    publish(link, 0, 2_000);
    const first = await runAndSave(store, (doc) => {
      sync(doc, link);
      publish(doc, 2_000, 10); // what this peer signed itself
      sync(doc, link);
    });
    const restarted = new Y.Doc();
    const loaded = await loadReplica(reopen(store), restarted);
    expect(loaded.warning).toBeUndefined();
    expect(restarted.clientID).not.toBe(first.clientID);
    expect(restarted.getMap('txs').toJSON()).toEqual(first.getMap('txs').toJSON());
    expect(Y.encodeStateVector(restarted)).toEqual(Y.encodeStateVector(first));
    // Each side's answer to the other's state vector carries nothing (an empty update is 2 bytes).
    expect(diff(link, restarted).length).toBeLessThan(8);
    expect(diff(restarted, link).length).toBeLessThan(8);
    // Without the saved doc, a restart that writes its log again sends and receives everything.
    const fresh = new Y.Doc();
    publish(fresh, 0, 2_010);
    expect(diff(link, fresh).length).toBeGreaterThan(600_000);
    expect(diff(fresh, link).length).toBeGreaterThan(600_000);
  });

  it('saves what arrives while running, merged on the timer, and after several restarts', async () => {
    const store = new MemoryLogStore();
    const timers = manualTimers();
    const doc = new Y.Doc();
    const writer = new ReplicaWriter(store, doc, timers, () => undefined);
    publish(doc, 0, 5);
    publish(doc, 5, 5);
    timers.fire();
    await new Promise((r) => setTimeout(r, 0));
    expect((await reopen(store).load()).records).toHaveLength(1);
    await writer.close();
    let last = doc;
    for (let start = 1; start <= 3; start++) {
      last = await runAndSave(reopen(store), (d) => publish(d, 10 * start, 10));
    }
    const again = new Y.Doc();
    await loadReplica(reopen(store), again);
    expect(again.getMap('txs').size).toBe(40);
    expect(Y.encodeStateVector(again)).toEqual(Y.encodeStateVector(last));
  });

  it('changes nothing when the saved doc cannot be read, and says so', async () => {
    const store = new MemoryLogStore();
    // Whole records (their framing is fine) whose update Yjs cannot read: one client with two
    // structs, and then the bytes end.
    await store.append(replicaRecords(new Uint8Array([1, 2, 3])));
    const doc = new Y.Doc();
    publish(doc, 0, 3);
    const before = Y.encodeStateAsUpdate(doc);
    const loaded = await loadReplica(store, doc);
    expect(loaded.updates).toBe(0);
    expect(loaded.warning).toMatch(/could not be read .*sends and receives the whole history once/);
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
  });

  it('says which records it left out, and still loads the others', async () => {
    const store = new MemoryLogStore();
    const source = new Y.Doc();
    publish(source, 0, 3);
    await store.append([
      new Uint8Array([1, 2, 3]),
      ...replicaRecords(Y.encodeStateAsUpdate(source)),
    ]);
    const doc = new Y.Doc();
    const loaded = await loadReplica(store, doc);
    expect(loaded.updates).toBe(1);
    expect(loaded.warning).toBe('1 damaged record(s) of the saved replication doc were left out.');
    expect(doc.getMap('txs').size).toBe(3);
  });

  it('reports a failed save in a sentence, and a later save still goes', async () => {
    const store = new MemoryLogStore();
    let failNext = true;
    const flaky: LogStore = {
      ...store,
      load: (p) => store.load(p),
      putMeta: (k, v) => store.putMeta(k, v),
      getMeta: (k) => store.getMeta(k),
      close: () => store.close(),
      rewrite: (records) => store.rewrite(records),
      append: (records) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('disk full'));
        }
        return store.append(records);
      },
    };
    const problems: string[] = [];
    const timers = manualTimers();
    const doc = new Y.Doc();
    const writer = new ReplicaWriter(flaky, doc, timers, (m) => problems.push(m));
    publish(doc, 0, 2);
    timers.fire();
    publish(doc, 2, 2);
    await writer.close();
    expect(problems).toEqual([
      'Saving the replication doc failed (disk full); the next start exchanges more with its links, and nothing of the ledger is lost.',
    ]);
    const again = new Y.Doc();
    await loadReplica(new MemoryLogStore(store.data), again);
    // The second save holds only the later entries: Yjs keeps them pending until a link sends
    // the first two, so none shows yet, and nothing breaks.
    expect(again.getMap('txs').size).toBe(0);
  });
});
