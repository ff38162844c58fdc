import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { concat, fromHex, toHex } from '../../shared/bytes.ts';
import { encodeCanonical, type CborValue } from '../../shared/codec/cbor.ts';
import { signMessage } from '../../shared/crypto/ed25519.ts';
import {
  decodeEnvelope,
  MAX_TX_BYTES,
  signatureOf,
  signTx,
  signedMessageOf,
  TX_SIGNING_DOMAIN,
} from '../../shared/tx/envelope.ts';
import { protocolRegistry } from '../../shared/protocol.ts';
import { decodeTx, TypeRegistry } from '../../shared/tx/registry.ts';
import { transferType } from '../../shared/tx/transfer.ts';
import type { TxTypeDef } from '../../shared/tx/types.ts';
import type { NetworkId, TxId } from '../../shared/ids.ts';
import { admit, identity, registry } from '../helpers/network.ts';
import pinned from '../fixtures/tx-v1.json' with { type: 'json' };

const alice = identity('alice');
const bob = identity('bob');
const NET = 'ab'.repeat(32) as NetworkId;

const unsigned = {
  net: NET,
  seq: 0,
  prev: null,
  deps: [],
  type: 'transfer',
  body: { to: fromHex(bob.key), amount: 42n },
  time: 1_700_000_000_000,
};

/** Re-signs an arbitrary envelope map, to test what the decoder does with it. */
function signMap(map: Record<string, CborValue>): Uint8Array {
  const bytes = encodeCanonical(map);
  return encodeCanonical([map, signMessage(alice.secret, concat(TX_SIGNING_DOMAIN, bytes))]);
}

const baseMap = (): Record<string, CborValue> => ({
  v: 1,
  net: fromHex(NET),
  author: fromHex(alice.key),
  seq: 0,
  prev: null,
  deps: [],
  type: 'transfer',
  body: { to: fromHex(bob.key), amount: 42 },
  time: 5,
});

describe('transaction envelope', () => {
  it('signs, decodes and verifies; the id is the hash of the wire bytes', async () => {
    const bytes = signTx(alice.secret, unsigned);
    const tx = await admit(bytes);
    expect(tx.author).toBe(alice.key);
    expect(tx.net).toBe(NET);
    expect(tx.body).toEqual({ to: fromHex(bob.key), amount: 42n });
    expect(tx.id).toMatch(/^[0-9a-f]{64}$/);
    // Deterministic: the same transaction signs to the same bytes and id.
    expect(toHex(signTx(alice.secret, unsigned))).toBe(toHex(bytes));
  });

  it('derives the signed message and the signature from the wire bytes', () => {
    const bytes = signTx(alice.secret, unsigned);
    const decoded = decodeEnvelope(bytes);
    if (!decoded.ok) throw new Error('decode');
    const message = signedMessageOf(decoded.tx);
    expect(toHex(message.subarray(0, TX_SIGNING_DOMAIN.length))).toBe(toHex(TX_SIGNING_DOMAIN));
    expect(toHex(signatureOf(decoded.tx))).toBe(toHex(signMessage(alice.secret, message)));
    expect(signatureOf(decoded.tx)).toHaveLength(64);
  });

  it('copies its input unless the caller hands it over', () => {
    const bytes = signTx(alice.secret, unsigned);
    const copied = decodeEnvelope(bytes);
    const kept = decodeEnvelope(bytes, { owned: true });
    if (!copied.ok || !kept.ok) throw new Error('decode');
    expect(kept.tx.bytes).toBe(bytes);
    expect(copied.tx.bytes).not.toBe(bytes);
    expect(copied.tx.bytes).toEqual(bytes);
    // The copy is independent: a caller reusing its buffer changes nothing decoded.
    bytes.fill(0);
    expect(copied.tx.bytes).toEqual(signTx(alice.secret, unsigned));
    // Handing over changes no check: a broken input is refused either way.
    expect(decodeEnvelope(bytes, { owned: true }).ok).toBe(false);
  });

  it('gives each transaction its own network and author, past the interning bound', () => {
    // Decoding interns the network id and author keys (a bounded table, cleared when full):
    // across more authors than the table holds, and two networks taking turns, every decoded
    // transaction must still carry exactly what its bytes say.
    const nets = [NET, 'cd'.repeat(32) as NetworkId];
    for (let i = 0; i < 5000; i++) {
      const author = new Uint8Array(32);
      new DataView(author.buffer).setUint32(0, i);
      const net = nets[i % 2]!;
      const bytes = encodeCanonical([
        { ...baseMap(), net: fromHex(net), author },
        new Uint8Array(64),
      ]);
      const decoded = decodeEnvelope(bytes);
      if (!decoded.ok) throw new Error(decoded.rejection.message);
      expect(decoded.tx.net).toBe(net);
      expect(decoded.tx.author).toBe(toHex(author));
      expect(decoded.tx.authorKey).toEqual(author);
    }
  });

  it('keeps a pinned encoding, so the wire format cannot drift unnoticed', async () => {
    // test/fixtures/tx-v1.json was produced once by this code and is checked in: any change to
    // the encoding, the signing domain or the id hash breaks this test.
    const bytes = signTx(alice.secret, unsigned);
    expect({ hex: toHex(bytes), id: (await admit(bytes)).id }).toEqual(pinned);
    const decoded = decodeEnvelope(fromHex(pinned.hex));
    expect(
      decoded.ok && toHex(signedMessageOf(decoded.tx).subarray(0, TX_SIGNING_DOMAIN.length)),
    ).toBe(toHex(TX_SIGNING_DOMAIN));
  });

  it('sorts and deduplicates deps when signing', async () => {
    const a = '11'.repeat(32) as TxId;
    const b = '22'.repeat(32) as TxId;
    const tx = await admit(signTx(alice.secret, { ...unsigned, deps: [b, a, b] }));
    expect(tx.deps).toEqual([a, b]);
  });

  it('rejects a bad signature', async () => {
    const bytes = signTx(alice.secret, unsigned);
    const tampered = Uint8Array.from(bytes);
    tampered.set([(tampered.at(-1) ?? 0) ^ 1], tampered.length - 1);
    await expect(admit(tampered)).rejects.toThrow(/bad-signature/);
  });

  it.each<[string, (m: Record<string, CborValue>) => void, string]>([
    ['an unknown field', (m) => void (m.extra = 1), 'malformed'],
    ['a missing field', (m) => void delete m.time, 'malformed'],
    ['a wrong version', (m) => void (m.v = 2), 'malformed'],
    ['a short author', (m) => void (m.author = new Uint8Array(31)), 'malformed'],
    ['a negative seq', (m) => void (m.seq = -1), 'malformed'],
    ['seq 0 with a prev', (m) => void (m.prev = new Uint8Array(32)), 'bad-sequence'],
    ['seq 1 without a prev', (m) => void (m.seq = 1), 'bad-sequence'],
    [
      'unsorted deps',
      (m) => void (m.deps = [new Uint8Array(32).fill(2), new Uint8Array(32).fill(1)]),
      'malformed',
    ],
    [
      'duplicate deps',
      (m) => void (m.deps = [new Uint8Array(32), new Uint8Array(32)]),
      'malformed',
    ],
    [
      'too many deps',
      (m) => void (m.deps = Array.from({ length: 65 }, (_, i) => new Uint8Array(32).fill(i))),
      'malformed',
    ],
    ['an unknown type', (m) => void (m.type = 'mystery'), 'unknown-type'],
    ['an invalid type name', (m) => void (m.type = 'Transfer!'), 'malformed'],
    ['a zero network on a transfer', (m) => void (m.net = new Uint8Array(32)), 'wrong-network'],
    ['a zero amount', (m) => void (m.body = { to: fromHex(bob.key), amount: 0 }), 'malformed'],
    [
      'an amount above 2^63',
      (m) => void (m.body = { to: fromHex(bob.key), amount: 2n ** 63n }),
      'malformed',
    ],
    ['a string amount', (m) => void (m.body = { to: fromHex(bob.key), amount: '5' }), 'malformed'],
    [
      'an oversized memo',
      (m) => void (m.body = { to: fromHex(bob.key), amount: 1, memo: new Uint8Array(1025) }),
      'malformed',
    ],
    [
      'an unknown body field',
      (m) => void (m.body = { to: fromHex(bob.key), amount: 1, fee: 1 }),
      'malformed',
    ],
  ])('rejects %s with a typed reason', (_name, mutate, code) => {
    const map = baseMap();
    mutate(map);
    const result = decodeTx(signMap(map), registry);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.rejection.code).toBe(code);
      expect(result.rejection.message.length).toBeGreaterThan(3);
    }
  });

  it('rejects a prev repeated in deps', () => {
    const map = {
      ...baseMap(),
      seq: 1,
      prev: new Uint8Array(32).fill(7),
      deps: [new Uint8Array(32).fill(7)],
    };
    expect(decodeTx(signMap(map), registry)).toMatchObject({
      ok: false,
      rejection: { code: 'malformed' },
    });
  });

  it('rejects a wire form that is not [transaction, signature]', () => {
    expect(decodeTx(encodeCanonical([baseMap()]), registry)).toMatchObject({
      ok: false,
      rejection: { code: 'malformed' },
    });
    expect(decodeTx(encodeCanonical([baseMap(), new Uint8Array(63)]), registry)).toMatchObject({
      ok: false,
    });
    expect(decodeTx(new Uint8Array(MAX_TX_BYTES + 1), registry)).toMatchObject({
      ok: false,
      rejection: { code: 'oversized' },
    });
    expect(decodeTx('not bytes', registry)).toMatchObject({
      ok: false,
      rejection: { code: 'malformed' },
    });
    expect(decodeTx(null, registry)).toMatchObject({ ok: false, rejection: { code: 'malformed' } });
  });

  it('names no type of its own beyond genesis and vote: the protocol composes them', () => {
    const bare = new TypeRegistry([]);
    expect(bare.schemaOf('genesis')).toBeDefined();
    expect(bare.schemaOf('vote')).toBeDefined();
    expect(bare.get('transfer')).toBeUndefined();
    expect(protocolRegistry().get('transfer')).toBeDefined();
    expect(protocolRegistry().get('ssk')).toBeDefined();
  });

  it('lets later types plug in through the registry, and refuses to shadow one', () => {
    const custom = protocolRegistry();
    const note: TxTypeDef<{ text: string }> = {
      name: 'note',
      schema: v.strictObject({ text: v.string() }),
      effects: () => ({ debit: 0n, credits: [] }),
    };
    custom.register(note);
    expect(custom.get('note')).toBeDefined();
    expect(() => custom.register(transferType as TxTypeDef)).toThrow(/already registered/);
    expect(() => custom.register({ ...note, name: 'vote' })).toThrow(/already registered/);
    const map = { ...baseMap(), type: 'note', body: { text: 'hello' } };
    expect(decodeTx(signMap(map), custom).ok).toBe(true);
    expect(decodeTx(signMap(map), registry)).toMatchObject({
      ok: false,
      rejection: { code: 'unknown-type' },
    });
  });
});
