import * as encoding from 'lib0/encoding';
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { fromHex } from '../../shared/bytes.ts';
import type { TxId } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { LedgerDoc, VerifiedCache } from '../../shared/replication/ledgerDoc.ts';
import {
  LEDGER_MAP,
  screenChannelMessage,
  screenMessage,
  type ScreenContext,
} from '../../shared/replication/screen.ts';
import { admitTx, type VerifiedTx } from '../../shared/tx/registry.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { identity, newLedger, registry, transfer, verifier } from '../helpers/network.ts';

const alice = identity('alice');
const bob = identity('bob');
const w1 = identity('w1');

const admit = (bytes: Uint8Array) => admitTx(bytes, registry, verifier);

async function world() {
  const ledger = await newLedger({ witnesses: [w1], allocations: [[alice, 100n]] });
  const txs: VerifiedTx[] = [ledger.genesis];
  for (let i = 0; i < 3; i++) txs.push((await transfer(ledger, alice, bob, 1n)).tx);
  return { ledger, txs };
}

/** Bob, who has nothing, pays alice 999: correctly signed, but against the ledger's rules. */
async function overspendOf(ledger: Ledger): Promise<{ ok: true; tx: VerifiedTx }> {
  return (await admit(
    signTx(bob.secret, {
      net: ledger.networkId,
      seq: 0,
      prev: null,
      deps: [],
      type: 'transfer',
      body: { to: fromHex(alice.key), amount: 999n },
      time: 1,
    }),
  )) as { ok: true; tx: VerifiedTx };
}

function screenCtx(ledger: Ledger): ScreenContext {
  return { networkId: ledger.networkId, known: (id) => ledger.has(id), admit };
}

/** The y-webrtc sync-update message carrying a Yjs update. */
function updateMessage(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, 2);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

function updateOf(write: (map: Y.Map<unknown>, doc: Y.Doc) => void, base?: Y.Doc): Uint8Array {
  const doc = new Y.Doc();
  if (base) Y.applyUpdate(doc, Y.encodeStateAsUpdate(base));
  const before = Y.encodeStateVector(doc);
  write(doc.getMap(LEDGER_MAP), doc);
  return Y.encodeStateAsUpdate(doc, before);
}

describe('screen', () => {
  it('passes honest entries, including restores that carry no key', async () => {
    const { ledger, txs } = await world();
    const fresh = await newLedger({ witnesses: [w1], allocations: [[alice, 100n]] });
    const first = updateOf((map) => txs.forEach((tx) => map.set(tx.id, tx.bytes)));
    const verdict = await screenMessage(updateMessage(first), screenCtx(fresh));
    expect(verdict).toMatchObject({ ok: true, kind: 'sync-update' });
    // The genesis is already known to the fresh ledger, so only the others need checking.
    if (verdict.ok)
      expect(verdict.entries.map((t) => t.id).sort()).toEqual(
        txs
          .slice(1)
          .map((t) => t.id)
          .sort(),
      );
    // A restore after a delete names only its origin: no parent in the decoded update.
    const base = new Y.Doc();
    Y.applyUpdate(base, first);
    base.getMap(LEDGER_MAP).delete(txs[1]!.id);
    const restore = updateOf((map) => map.set(txs[1]!.id, txs[1]!.bytes), base);
    expect(await screenMessage(updateMessage(restore), screenCtx(ledger))).toMatchObject({
      ok: true,
    });
  });

  it.each<[string, (map: Y.Map<unknown>, doc: Y.Doc, txs: VerifiedTx[]) => void, RegExp]>([
    ['a string value', (map) => map.set('ab'.repeat(32), 'garbage'), /not binary/],
    ['garbage bytes', (map) => map.set('ab'.repeat(32), new Uint8Array([1, 2, 3])), /keyed|valid/],
    [
      'a wrong key',
      (map, _d, txs) => map.set('00'.repeat(32), txs[1]!.bytes),
      /keyed by its transaction id/,
    ],
    [
      'another root type',
      (_m, doc) => doc.getArray('other').push([new Uint8Array([1])]),
      /outside the ledger map/,
    ],
    ['a nested type', (map) => map.set('x', new Y.Map()), /not binary/],
    [
      'a forged signature',
      (map, _d, txs) => {
        const forged = Uint8Array.from(txs[1]!.bytes);
        forged[forged.length - 1]! ^= 1;
        map.set(Buffer.from(new Uint8Array(32)).toString('hex'), forged);
      },
      /keyed|valid/,
    ],
  ])('refuses %s', async (_name, write, reason) => {
    const { ledger, txs } = await world();
    const message = updateMessage(updateOf((m, d) => write(m, d, txs)));
    const verdict = await screenMessage(message, screenCtx(ledger));
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toMatch(reason);
    // The batch path (signatures checked together, as a peer does on its threads) agrees.
    const batch = await screenMessage(message, {
      ...screenCtx(ledger),
      admitMany: (values) => Promise.all(values.map((value) => admit(value))),
    });
    expect(batch).toEqual(verdict);
  });

  it('refuses a genesis of another network, even keyed by this network id (issue 13, 4c)', async () => {
    const { ledger } = await world();
    const other = await newLedger({ witnesses: [w1], allocations: [[alice, 5n]], name: 'other' });
    for (const key of [other.genesis.id, ledger.networkId]) {
      const verdict = await screenMessage(
        updateMessage(updateOf((m) => m.set(key, other.genesis.bytes))),
        screenCtx(ledger),
      );
      expect(verdict).toMatchObject({ ok: false });
    }
  });

  it('refuses a transaction of another network and an unknown message type', async () => {
    const { ledger } = await world();
    const other = await newLedger({ witnesses: [w1], allocations: [[alice, 5n]], name: 'other' });
    const foreign = (await transfer(other, alice, bob, 1n)).tx;
    const verdict = await screenMessage(
      updateMessage(updateOf((m) => m.set(foreign.id, foreign.bytes))),
      screenCtx(ledger),
    );
    expect(verdict).toMatchObject({ ok: false });
    expect(await screenMessage(Uint8Array.from([4, 1, 0]), screenCtx(ledger))).toMatchObject({
      ok: false,
    });
    expect(await screenMessage(Uint8Array.from([9]), screenCtx(ledger))).toMatchObject({
      ok: false,
    });
    expect(await screenMessage(Uint8Array.from([0, 1, 5, 1, 2]), screenCtx(ledger))).toMatchObject({
      ok: false,
    });
  });
});

describe('LedgerDoc', () => {
  it('ingests entries, restores deleted valid ones and cleans out invalid ones', async () => {
    const { ledger: source, txs } = await world();
    const ledger = await newLedger({ witnesses: [w1], allocations: [[alice, 100n]] });
    const doc = new Y.Doc();
    const restored: TxId[] = [];
    const cleaned: string[] = [];
    const accepted: string[] = [];
    ledger.onAccepted((tx) => accepted.push(tx.id));
    const ld = new LedgerDoc(doc, ledger, admit, new VerifiedCache(), {
      onRestored: (id) => restored.push(id),
      onCleaned: (key) => cleaned.push(key),
    });
    // Arrive in reverse order: later transactions wait, then settle.
    ld.publishAll([...txs].reverse());
    await ld.idle();
    expect(ledger.stateRoot()).toBe(source.stateRoot());
    expect(accepted.length).toBe(3);

    const map = doc.getMap(LEDGER_MAP);
    map.delete(txs[2]!.id);
    map.set('cd'.repeat(32), new Uint8Array([1, 2, 3]));
    map.set('ef'.repeat(32), 'text');
    await ld.idle();
    expect(restored).toEqual([txs[2]!.id]);
    expect(map.get(txs[2]!.id)).toEqual(txs[2]!.bytes);
    expect(cleaned.sort()).toEqual(['cd'.repeat(32), 'ef'.repeat(32)]);
    expect(map.has('cd'.repeat(32))).toBe(false);

    // A rule-breaking but correctly signed transaction is cleaned out too.
    const overspend = await overspendOf(ledger);
    map.set(overspend.tx.id, overspend.tx.bytes);
    await ld.idle();
    expect(map.has(overspend.tx.id)).toBe(false);
    expect(ledger.status(overspend.tx.id)).toMatchObject({
      state: 'rejected',
      rejection: { code: 'insufficient-funds' },
    });
  });

  it('publishes into the ledger first, and never publishes what the ledger rejects', async () => {
    const { txs } = await world();
    const ledger = await newLedger({ witnesses: [w1], allocations: [[alice, 100n]] });
    const doc = new Y.Doc();
    const ld = new LedgerDoc(doc, ledger, admit, new VerifiedCache());
    const map = doc.getMap(LEDGER_MAP);
    ld.publish(txs[1]!);
    expect(ledger.status(txs[1]!.id).state).not.toBe('unknown');
    expect(map.get(txs[1]!.id)).toEqual(txs[1]!.bytes);
    const overspend = await overspendOf(ledger);
    ld.publish(overspend.tx);
    ld.publishAll([overspend.tx]);
    await ld.idle();
    expect(ledger.status(overspend.tx.id).state).toBe('rejected');
    expect(map.has(overspend.tx.id)).toBe(false);
  });

  it('uses a screened transaction only for its own bytes', async () => {
    const { txs } = await world();
    const ledger = await newLedger({ witnesses: [w1], allocations: [[alice, 100n]] });
    const cache = new VerifiedCache();
    const doc = new Y.Doc();
    const cleaned: string[] = [];
    const ld = new LedgerDoc(doc, ledger, admit, cache, { onCleaned: (key) => cleaned.push(key) });
    const map = doc.getMap(LEDGER_MAP);
    // Screened: txs[1] is in the cache. Someone writes txs[2]'s bytes under txs[1]'s id.
    cache.put(txs[1]!);
    map.set(txs[1]!.id, txs[2]!.bytes);
    await ld.idle();
    expect(cleaned).toEqual([txs[1]!.id]);
    expect(ledger.has(txs[2]!.id)).toBe(false);
    // The honest entry, from the cache, goes in without a second check of its signature.
    cache.put(txs[1]!);
    const unchecked = vi.fn(admit);
    const ld2 = new LedgerDoc(new Y.Doc(), ledger, unchecked, cache);
    ld2.map.set(txs[1]!.id, txs[1]!.bytes);
    await ld2.idle();
    expect(unchecked).not.toHaveBeenCalled();
    expect(ledger.status(txs[1]!.id).state).not.toBe('unknown');
  });

  it('converges two docs that exchange updates', async () => {
    const { txs } = await world();
    const docs = [new Y.Doc(), new Y.Doc()];
    const ledgers = [
      await newLedger({ witnesses: [w1], allocations: [[alice, 100n]] }),
      await newLedger({ witnesses: [w1], allocations: [[alice, 100n]] }),
    ];
    const lds = docs.map((d, i) => new LedgerDoc(d, ledgers[i]!, admit, new VerifiedCache()));
    lds[0]!.publishAll(txs.slice(0, 2));
    lds[1]!.publishAll(txs.slice(1));
    Y.applyUpdate(docs[1]!, Y.encodeStateAsUpdate(docs[0]!));
    Y.applyUpdate(docs[0]!, Y.encodeStateAsUpdate(docs[1]!));
    await Promise.all(lds.map((l) => l.idle()));
    expect(ledgers[0]!.stateRoot()).toBe(ledgers[1]!.stateRoot());
    expect(ledgers[0]!.counts().valid).toBe(4);
  });
});

describe('screen for private channel docs', () => {
  const message = (update: Uint8Array) => updateMessage(update);
  const arrayUpdate = (write: (doc: Y.Doc) => void) => {
    const doc = new Y.Doc();
    write(doc);
    return Y.encodeStateAsUpdate(doc);
  };

  it('passes binary entries of the channel array and plain sync messages', () => {
    const ok = arrayUpdate((d) =>
      d.getArray('m').push([new Uint8Array([1, 2, 3]), new Uint8Array([4])]),
    );
    expect(screenChannelMessage(message(ok), 'm', 1024)).toMatchObject({
      ok: true,
      kind: 'sync-update',
    });
    expect(screenChannelMessage(Uint8Array.of(3), 'm', 1024)).toMatchObject({
      ok: true,
      kind: 'query-awareness',
    });
  });

  it.each<[string, (d: Y.Doc) => void, RegExp]>([
    ['text entries', (d) => d.getArray('m').push(['hello']), /not binary/],
    ['another root', (d) => d.getArray('other').push([new Uint8Array([1])]), /outside the channel/],
    ['oversized entries', (d) => d.getArray('m').push([new Uint8Array(2000)]), /oversized/],
  ])('refuses %s', (_name, write, reason) => {
    const verdict = screenChannelMessage(message(arrayUpdate(write)), 'm', 1024);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toMatch(reason);
  });

  it('refuses undecodable updates and forbidden message types', () => {
    expect(screenChannelMessage(Uint8Array.of(0, 2, 3, 9, 9, 9), 'm', 1024).ok).toBe(false);
    expect(screenChannelMessage(Uint8Array.of(4, 1, 0), 'm', 1024).ok).toBe(false);
  });
});
