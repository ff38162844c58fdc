// The answer to a sync ask, in pieces. Unpatched, y-protocols answers an ask (sync step 1) with
// one update holding everything the asker lacks: for a whole ledger that was one message of
// 354 bytes per transaction, and past 256 MiB (frames.ts, about 760,000 transactions) no peer
// could join at all. Here the same content is cut into updates of about PIECE_BYTES each, the
// last of them carrying the doc's deletions and sent as the sync answer (step 2), so that the
// asker sees the answer end where it did before.
//
// Why the pieces add up to the whole answer: each piece is a run of one client's structs,
// written as Yjs writes them (the first from the asker's clock on, the rest whole), and the runs
// of one client follow each other without gap or overlap, from the clock the asker stated to
// the doc's own. They are sent, and a data channel delivers them, in order. A struct whose
// origin is another client's, in a later piece, Yjs holds back until that piece comes (its
// pending structs). Out of order its retry can miss a struct it could apply (seen in the
// seeded test), so the order matters. Our ledger doc is one Y.Map, whose entries almost never
// name another client's struct as origin, so in practice every piece applies as it comes.
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/** The size an answer's pieces aim at; a piece ends after the struct that reaches it. */
export const PIECE_BYTES = 2 * 1024 * 1024;

/** One client's run of structs, written but not yet framed as an update. */
interface Run {
  readonly client: number;
  readonly clock: number;
  readonly count: number;
  readonly bytes: Uint8Array;
}

/**
 * What a holder of `vector` lacks of `doc`, as Yjs updates of about `maxBytes` each (at least
 * one); the last one also carries the doc's deletions. Applying them all, in any order, gives
 * what Y.encodeStateAsUpdate(doc, vector) gives. Clocks the asker states beyond ours, and
 * clients we do not have, are ignored, as Yjs ignores them.
 */
export function answerPieces(
  doc: Y.Doc,
  vector: ReadonlyMap<number, number>,
  maxBytes = PIECE_BYTES,
): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let runs: Run[] = [];
  let size = 0;
  const flush = () => {
    if (runs.length > 0) pieces.push(updateOf(runs));
    runs = [];
    size = 0;
  };
  // Higher client ids first, as Yjs writes them.
  const clients = [...doc.store.clients.keys()].sort((a, b) => b - a);
  for (const client of clients) {
    const structs = doc.store.clients.get(client) ?? [];
    const from = vector.get(client) ?? 0;
    if (structs.length === 0 || Y.getState(doc.store, client) <= from) continue;
    for (const run of runsOf(structs, client, from, () => maxBytes - size)) {
      runs.push(run);
      size += run.bytes.length;
      if (size >= maxBytes) flush();
    }
  }
  flush();
  // The deletions: an update with no structs (we give the whole state vector) and every
  // deletion, merged into the last piece.
  const deletions = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(doc));
  const last = pieces.pop();
  pieces.push(last === undefined ? deletions : Y.mergeUpdates([last, deletions]));
  return pieces;
}

/** `client`'s structs from clock `from` on, cut into runs that fit what `room()` leaves. */
function* runsOf(
  structs: ReadonlyArray<Y.Item | Y.GC>,
  client: number,
  from: number,
  room: () => number,
): Generator<Run> {
  const first = structs[0] as Y.Item | Y.GC;
  let clock = Math.max(from, first.id.clock);
  let index = Y.findIndexSS(structs as Array<Y.Item | Y.GC>, clock);
  while (index < structs.length) {
    const encoder = new Y.UpdateEncoderV1();
    const start = clock;
    let count = 0;
    const limit = room();
    while (index < structs.length) {
      const struct = structs[index] as Y.Item | Y.GC;
      struct.write(encoder, clock - struct.id.clock);
      clock = struct.id.clock + struct.length;
      index++;
      count++;
      if (encoding.length(encoder.restEncoder) >= limit) break;
    }
    yield { client, clock: start, count, bytes: encoder.toUint8Array() };
  }
}

/** Frames runs as one Yjs update (format v1) with no deletions. */
function updateOf(runs: readonly Run[]): Uint8Array {
  const encoder = new Y.UpdateEncoderV1();
  encoding.writeVarUint(encoder.restEncoder, runs.length);
  for (const run of runs) {
    encoding.writeVarUint(encoder.restEncoder, run.count);
    encoder.writeClient(run.client);
    encoding.writeVarUint(encoder.restEncoder, run.clock);
    encoding.writeUint8Array(encoder.restEncoder, run.bytes);
  }
  // An empty delete set.
  encoding.writeVarUint(encoder.restEncoder, 0);
  return encoder.toUint8Array();
}
