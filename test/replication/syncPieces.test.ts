// The answer to a sync ask in pieces (shared/replication/syncPieces.ts): no piece is much over
// its size, and the pieces, applied in order (or merged in any order), give the asker exactly
// what one whole answer (Y.encodeStateAsUpdate against its vector) gives: a seeded property over docs written by
// several clients, with overwrites, deletions, and askers that hold part of the doc.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { answerPieces } from '../../shared/replication/syncPieces.ts';
import { mulberry32 } from '../helpers/mulberry32.ts';

const vectorOf = (doc: Y.Doc) => Y.decodeStateVector(Y.encodeStateVector(doc));
const contentOf = (doc: Y.Doc) =>
  JSON.stringify([
    [...doc.getMap('txs').entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    doc.getArray('log').toJSON(),
  ]);

/** Several writers, each a doc of its own, merged into `into` from time to time. */
function writeHistory(random: () => number, into: Y.Doc, writers: number, steps: number): void {
  // Client ids from the seed too, so that a failing run replays exactly.
  const docs = Array.from({ length: writers }, () => {
    const doc = new Y.Doc();
    doc.clientID = Math.floor(random() * 2 ** 32);
    return doc;
  });
  for (let step = 0; step < steps; step++) {
    const doc = docs[Math.floor(random() * writers)] as Y.Doc;
    const map = doc.getMap<Uint8Array>('txs');
    const roll = random();
    // A run of values in one insert is one struct of that length: a vector may end inside it.
    if (roll > 0.8) doc.getArray('log').push(Array.from({ length: 2 + (step % 7) }, (_, i) => i));
    doc.transact(() => {
      const n = 1 + Math.floor(random() * 20);
      for (let i = 0; i < n; i++) {
        const key = `k${Math.floor(random() * steps * 4)}`;
        if (roll < 0.1 && map.has(key)) map.delete(key);
        else map.set(key, new Uint8Array(1 + Math.floor(random() * 300)).fill(step & 0xff));
      }
    });
    // Writers see each other now and then, so later writes name other clients' structs.
    if (random() < 0.2) {
      const other = docs[Math.floor(random() * writers)] as Y.Doc;
      Y.applyUpdate(other, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(other)));
    }
  }
  for (const doc of docs) Y.applyUpdate(into, Y.encodeStateAsUpdate(doc));
}

function shuffled<T>(random: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('a sync answer in pieces', () => {
  it('cuts a large answer into pieces near the size, and they rebuild the doc', () => {
    const source = new Y.Doc();
    const map = source.getMap<Uint8Array>('txs');
    for (let batch = 0; batch < 20; batch++)
      source.transact(() => {
        for (let i = 0; i < 500; i++) map.set(`t${batch}-${i}`, new Uint8Array(300).fill(i));
      });
    const whole = Y.encodeStateAsUpdate(source);
    const pieces = answerPieces(source, new Map(), 256 * 1024);
    expect(whole.length).toBeGreaterThan(3_000_000);
    expect(pieces.length).toBeGreaterThanOrEqual(Math.floor(whole.length / (256 * 1024)));
    // A piece ends after the struct that reaches the size: one entry (about 330 bytes) over.
    for (const piece of pieces) expect(piece.length).toBeLessThan(256 * 1024 + 1024);
    const total = pieces.reduce((sum, p) => sum + p.length, 0);
    expect(total).toBeLessThan(whole.length * 1.01);

    const joiner = new Y.Doc();
    for (const piece of pieces) Y.applyUpdate(joiner, piece);
    expect(vectorOf(joiner)).toEqual(vectorOf(source));
    expect(contentOf(joiner)).toBe(contentOf(source));
  });

  it('sends nothing but the deletions to an asker that holds everything', () => {
    const source = new Y.Doc();
    source.getMap('txs').set('a', 1);
    source.getMap('txs').delete('a');
    const pieces = answerPieces(source, vectorOf(source));
    expect(pieces).toHaveLength(1);
    const { from } = Y.parseUpdateMeta(pieces[0] as Uint8Array);
    expect(from.size).toBe(0);
    expect(pieces[0]).toEqual(Y.encodeStateAsUpdate(source, Y.encodeStateVector(source)));
  });

  it('ignores clocks beyond ours and clients we do not have', () => {
    const source = new Y.Doc();
    source.getMap('txs').set('a', 1);
    const claims = new Map([
      [source.clientID, 10_000],
      [12345, 7],
    ]);
    const pieces = answerPieces(source, claims);
    expect(pieces).toHaveLength(1);
    expect(Y.parseUpdateMeta(pieces[0] as Uint8Array).from.size).toBe(0);
  });

  it('seeded: the pieces give the asker what one whole answer gives', () => {
    const seed = Number(process.env.GPOW_PIECES_SEED ?? 0x5eed17);
    const random = mulberry32(seed);
    let cut = 0;
    for (let run = 0; run < 30; run++) {
      const context = `seed ${seed}, run ${run}`;
      const source = new Y.Doc();
      const writers = 1 + Math.floor(random() * 4);
      writeHistory(random, source, writers, 10 + Math.floor(random() * 40));
      // The asker holds what the source held at some earlier point, or nothing, plus writes
      // of its own that the source lacks.
      const asker = new Y.Doc();
      if (random() < 0.7) Y.applyUpdate(asker, Y.encodeStateAsUpdate(source));
      writeHistory(random, asker, 1, 5);
      writeHistory(random, source, writers, 10 + Math.floor(random() * 40));

      const expected = new Y.Doc();
      const expectedBase = new Y.Doc();
      Y.applyUpdate(expectedBase, Y.encodeStateAsUpdate(asker));
      Y.applyUpdate(expected, Y.encodeStateAsUpdate(asker));
      Y.applyUpdate(expected, Y.encodeStateAsUpdate(source, Y.encodeStateVector(asker)));
      const maxBytes = 200 + Math.floor(random() * 4000);
      const pieces = answerPieces(source, vectorOf(asker), maxBytes);
      if (pieces.length > 1) cut++;
      // In the order sent: a data channel delivers them so. (Out of order, Yjs holds back a
      // struct until what it follows arrives, but its retry can miss one: seed 6, run 1 left
      // structs pending that a second look applies. So the pieces' order is kept.)
      for (const piece of pieces) Y.applyUpdate(asker, piece);
      // Merged into one update, in any order, they are the whole answer.
      const merged = new Y.Doc();
      Y.applyUpdate(merged, Y.encodeStateAsUpdate(expectedBase));
      Y.applyUpdate(merged, Y.mergeUpdates(shuffled(random, pieces)));
      expect(vectorOf(merged), context).toEqual(vectorOf(expected));
      expect(contentOf(merged), context).toBe(contentOf(expected));
      expect(vectorOf(asker), context).toEqual(vectorOf(expected));
      expect(contentOf(asker), context).toBe(contentOf(expected));
      expect(asker.store.pendingStructs, context).toBeNull();

      // Any vector, also one that ends inside a struct (a link states what it likes): the
      // pieces hold exactly the structs of the whole answer, cut at the same clocks.
      const vector = new Map([...vectorOf(source)].map(([c, k]) => [c, Math.floor(k * random())]));
      const whole = Y.encodeStateAsUpdate(source, Y.encodeStateVector(vector));
      const inPieces = answerPieces(source, vector, maxBytes);
      expect(inPieces.flatMap(structsOf).sort(), context).toEqual(structsOf(whole));
    }
    // Not vacuous: most answers really were cut.
    expect(cut).toBeGreaterThan(15);
  });
});

/** An update's structs as (client, clock, length, content), in a stable order. */
function structsOf(update: Uint8Array): string[] {
  return Y.decodeUpdate(update)
    .structs.map((s) => {
      const content = s instanceof Y.Item ? JSON.stringify(s.content.getContent()) : 'gc';
      return `${s.id.client}:${String(s.id.clock).padStart(8, '0')}+${s.length} ${content}`;
    })
    .sort();
}
