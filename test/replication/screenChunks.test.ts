// The screen hashes and filters a large update chunk by chunk, handing each chunk to
// admitMany as soon as it is ready. Across chunks it must decide exactly as on one batch:
// every fresh entry admitted, in order, known ones skipped, and one bad key anywhere refuses
// the whole message (with the chunks already handed off left to finish unobserved).
import { createHash } from 'node:crypto';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  LEDGER_MAP,
  screenMessage,
  type AdmitResult,
  type ScreenContext,
} from '../../shared/replication/screen.ts';
import { decodeTx, trustStoredTx } from '../../shared/tx/registry.ts';
import { buildLargeLedger } from '../helpers/largeLedger.ts';
import { registry } from '../helpers/network.ts';

const large = await buildLargeLedger(9000, 20);

function message(write: (map: Y.Map<unknown>) => void): Uint8Array {
  const doc = new Y.Doc();
  doc.transact(() => write(doc.getMap(LEDGER_MAP)));
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, 1); // sync step 2
  encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc));
  return encoding.toUint8Array(e);
}

/** Decodes without verifying (the signatures are good): this test is about chunking. */
function ctx(known: ReadonlySet<string>, calls: number[]): ScreenContext {
  const admitOne = (bytes: Uint8Array): AdmitResult => {
    const d = decodeTx(bytes, registry);
    return d.ok ? { ok: true, tx: trustStoredTx(d.tx) } : d;
  };
  return {
    networkId: large.genesis.id,
    known: (id) => known.has(id),
    admit: (bytes) => Promise.resolve(admitOne(bytes)),
    admitMany: (values, ids) => {
      calls.push(values.length);
      expect(ids).toHaveLength(values.length);
      return Promise.resolve(values.map(admitOne));
    },
  };
}

const idOf = (bytes: Uint8Array) => {
  const d = decodeTx(bytes, registry);
  if (!d.ok) throw new Error(d.rejection.message);
  return d.tx.id;
};

describe('screening a large update in chunks', () => {
  const ids = large.txs.map(idOf);

  it('admits every fresh entry across chunks and skips known ones', async () => {
    const known = new Set<string>([large.genesis.id, ids[0]!, ids[8500]!]);
    const calls: number[] = [];
    const verdict = await screenMessage(
      message((map) => {
        map.set(large.genesis.id, large.genesis.bytes);
        large.txs.forEach((bytes, i) => map.set(ids[i]!, bytes));
      }),
      ctx(known, calls),
    );
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(9000 - 2);
    expect(new Set(verdict.entries.map((t) => t.id))).toEqual(
      new Set(ids.filter((id) => !known.has(id))),
    );
  });

  it('refuses the whole message for one bad key in a later chunk', async () => {
    const verdict = await screenMessage(
      message((map) => {
        large.txs.forEach((bytes, i) => map.set(ids[i]!, bytes));
        map.set('00'.repeat(32), large.txs[0]!);
      }),
      ctx(new Set(), []),
    );
    expect(verdict).toEqual({ ok: false, reason: 'an entry is not keyed by its transaction id' });
  });

  it('refuses the whole message for one invalid entry in a later chunk', async () => {
    const broken = large.txs[8800]!.slice(0, 100);
    const verdict = await screenMessage(
      message((map) => {
        large.txs.forEach((bytes, i) => map.set(ids[i]!, bytes));
        map.set(createHash('sha256').update(broken).digest('hex'), broken);
      }),
      ctx(new Set(), []),
    );
    expect(verdict.ok).toBe(false);
  });
});
