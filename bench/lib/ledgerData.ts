// The pre-generated data every scenario shares: one large ledger (test/helpers/largeLedger.ts:
// 200 authors, each with a chain of transfers to one sink, signed with Node's native Ed25519).
// It is deterministic (fixed identities and times), so every run measures the same bytes.
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { writeCheckpoint } from '../../engine/logReplay.ts';
import { openFileLogStore } from '../../node/storage/fileLogStore.ts';
import { protocolRegistry } from '../../shared/protocol.ts';
import { decodeTx, type VerifiedTx } from '../../shared/tx/registry.ts';
import { OwnHead } from '../../shared/ledger/ownHead.ts';
import type { Tx } from '../../shared/tx/envelope.ts';
import { LEDGER_MAP } from '../../shared/replication/screen.ts';
import { buildLargeLedger, type LargeLedger } from '../../test/helpers/largeLedger.ts';

let built: { count: number; ledger: Promise<LargeLedger> } | null = null;

/** The ledger of `count` transfers; a smaller request reuses a prefix of a larger one. */
export async function largeLedger(count: number): Promise<LargeLedger> {
  if (!built || built.count < count) built = { count, ledger: buildLargeLedger(count) };
  const large = await built.ledger;
  return large.txs.length === count ? large : { ...large, txs: large.txs.slice(0, count) };
}

export const benchRegistry = protocolRegistry();

/** Decodes (without verifying) every transaction; for anchors that need the raw parts. */
export function decodeAll(txs: readonly Uint8Array[]): Tx[] {
  return txs.map((bytes) => {
    const decoded = decodeTx(bytes, benchRegistry);
    if (!decoded.ok) throw new Error(`bench data does not decode: ${decoded.rejection.message}`);
    return decoded.tx;
  });
}

/** Writes a peer's data directory: the log (genesis first) and a checkpoint covering it all. */
export async function seedDataDir(dir: string, large: LargeLedger): Promise<void> {
  const store = await openFileLogStore(dir);
  await store.append([large.genesis.bytes]);
  for (let i = 0; i < large.txs.length; i += 10_000)
    await store.append(large.txs.slice(i, i + 10_000));
  await writeCheckpoint(store, 1 + large.txs.length);
  await store.close();
}

/**
 * The seal of `key`'s chain a running peer leaves beside its log (shared/ledger/ownHead.ts):
 * without it a seeded log would make that peer wait for a sync from another member before it
 * signs (a founder's checkpoint, say).
 */
export async function sealChain(
  dir: string,
  key: string,
  txs: readonly VerifiedTx[],
): Promise<void> {
  const store = await openFileLogStore(dir);
  try {
    const { instance } = await store.load();
    const head = txs.findLast((tx) => tx.author === key);
    if (!head) throw new Error(`${key.slice(0, 12)} signed nothing in the seeded history`);
    await OwnHead.fresh(store, head.author, instance).record(head);
  } finally {
    await store.close();
  }
}

/**
 * The y-webrtc message a peer holding the ledger sends a new peer (sync step 2 of the whole
 * doc), built the way the peer builds its doc: one map entry per transaction, keyed by id.
 */
export function syncStep2Message(large: LargeLedger, ids: readonly string[]): Uint8Array {
  const doc = new Y.Doc();
  const map = doc.getMap(LEDGER_MAP);
  doc.transact(() => {
    map.set(large.genesis.id, large.genesis.bytes);
    large.txs.forEach((bytes, i) => map.set(ids[i] as string, bytes));
  });
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0); // y-webrtc messageSync
  syncProtocol.writeSyncStep2(encoder, doc);
  doc.destroy();
  return encoding.toUint8Array(encoder);
}
