// Compact state bytes (shared/ledger/compactCodec.ts): they restore a ledger that answers as
// the one compacted, they are canonical (the same transactions in another arrival order give
// the same bytes and root, and a restored ledger writes them again), and anything that is not
// such bytes is refused with a sentence. The root is checked against a second implementation.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeCanonical } from '../../shared/codec/cbor.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { COMPACT_CHUNK_BYTES, compactRoot } from '../../shared/ledger/compactCodec.ts';
import { decodeCanonical } from '../../shared/codec/cbor.ts';
import { registry } from '../helpers/network.ts';
import { Sim, type SimConfig } from '../helpers/sim.ts';

const config: SimConfig = {
  users: 4,
  witnesses: 4,
  byzantine: 1,
  views: 2,
  allocation: 300n,
  creditLimit: 100n,
};
const MAX = 16 * 1024 * 1024;

/** A settled history with payments, claims, a partition and a forked Byzantine witness. */
async function history(): Promise<Sim> {
  const sim = await Sim.create(config);
  for (let round = 0; round < 6; round++) {
    for (let u = 0; u < config.users; u++)
      await sim.step({
        kind: 'transfer',
        view: round % 2,
        from: u,
        to: (u + round + 1) % config.users,
        amount: BigInt(1 + round),
        raw: false,
      });
    for (let w = 0; w < config.witnesses; w++)
      await sim.step({ kind: 'vote', view: w === 0 ? 1 : sim.homeView(w), witness: w });
    sim.healAll();
    for (let w = 0; w < config.witnesses; w++)
      await sim.step({ kind: 'vote', view: sim.homeView(w), witness: w });
    sim.healAll();
  }
  return sim;
}

function bytesOf(ledger: Ledger): { bytes: Uint8Array; root: string } {
  const result = ledger.compactBytes();
  if (!result.ok) throw new Error(result.error);
  return { bytes: result.bytes, root: result.root };
}

function read(sim: Sim, bytes: unknown): Ledger | string {
  const result = Ledger.fromCompactBytes(sim.genesis, registry, bytes, MAX);
  return result.ok ? result.ledger : result.error;
}

/** A second root, written apart from the product's, over the same chunks. */
function rootByNode(bytes: Uint8Array): string {
  const h = (...parts: Uint8Array[]) => {
    const hash = createHash('sha256');
    for (const p of parts) hash.update(p);
    return new Uint8Array(hash.digest());
  };
  let level: Uint8Array[] = [];
  for (let at = 0; at === 0 || at < bytes.length; at += COMPACT_CHUNK_BYTES)
    level.push(h(new Uint8Array([0]), bytes.slice(at, at + COMPACT_CHUNK_BYTES)));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2)
      next.push(level[i + 1] ? h(new Uint8Array([1]), level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return Buffer.from(level[0]!).toString('hex');
}

describe('compact state bytes', () => {
  it('restore a ledger that answers as the one compacted, and write the same bytes again', async () => {
    const sim = await history();
    const ledger = sim.replay(sim.signed);
    const { bytes, root } = bytesOf(ledger);
    const restored = read(sim, bytes);
    if (typeof restored === 'string') throw new Error(restored);
    for (const key of ledger.accounts()) expect(restored.account(key)).toEqual(ledger.account(key));
    expect(restored.accounts()).toEqual(ledger.accounts());
    expect(restored.audit()).toEqual({ ok: true });
    for (const w of sim.witnesses)
      expect(restored.votableHeads(w.key)).toEqual(ledger.votableHeads(w.key));
    const again = bytesOf(restored);
    expect(again.root).toBe(root);
    expect(again.bytes).toEqual(bytes);
    expect(restored.validIds().length).toBeLessThan(ledger.validIds().length);
  });

  it('are the same for the same transactions in any arrival order', async () => {
    const sim = await history();
    const reference = bytesOf(sim.replay(sim.signed));
    const reversed = bytesOf(sim.replay([...sim.signed].reverse()));
    const interleaved = bytesOf(
      sim.replay(
        sim.signed.filter((_, i) => i % 2 === 1).concat(sim.signed.filter((_, i) => i % 2 === 0)),
      ),
    );
    expect(reversed).toEqual(reference);
    expect(interleaved).toEqual(reference);
  });

  it('have a root over 1 MiB chunks that a second implementation agrees with', () => {
    const big = new Uint8Array(3 * COMPACT_CHUNK_BYTES + 5).map((_, i) => i % 251);
    for (const bytes of [new Uint8Array(0), new Uint8Array([1, 2, 3]), big])
      expect(compactRoot(bytes)).toBe(rootByNode(bytes));
    const changed = big.slice();
    changed[2 * COMPACT_CHUNK_BYTES + 1] = 255 - (big[2 * COMPACT_CHUNK_BYTES + 1] ?? 0);
    expect(compactRoot(changed)).not.toBe(compactRoot(big));
  });

  it('are refused with a sentence when they are not a compact state of this network', async () => {
    const sim = await history();
    const { bytes } = bytesOf(sim.replay(sim.signed));
    const value = (decodeCanonical(bytes, MAX) as { ok: true; value: Record<string, unknown> })
      .value;
    const other = await Sim.create({ ...config, allocation: 301n });
    const entries = value.entries as unknown[];
    const notGenesis = (row: unknown) =>
      createHash('sha256')
        .update((row as Uint8Array[])[0]!)
        .digest('hex') !== sim.genesis.id;
    const cases: Array<[unknown, string]> = [
      ['not bytes', 'not canonical CBOR'],
      [new Uint8Array([0xff, 0x00]), 'not canonical CBOR'],
      [bytes.slice(0, bytes.length - 3), 'not canonical CBOR'],
      [encodeCanonical({ ...value, v: 2 }), 'version this peer reads'],
      [encodeCanonical({ ...value, extra: 1 }), "compact state's shape"],
      [encodeCanonical({ ...value, entries: [...entries].reverse() } as never), 'sorted by id'],
      [encodeCanonical({ ...value, entries: entries.filter(notGenesis) } as never), 'genesis'],
      [
        encodeCanonical({ ...value, stubs: [[value.net, value.net, 0]] } as never),
        'both kept and dropped',
      ],
    ];
    for (const [input, why] of cases) {
      const result = read(sim, input);
      expect(typeof result, why).toBe('string');
      expect(result as string, why).toContain('The saved ledger state cannot be read');
      expect(result as string, why).toContain(why);
    }
    expect(read(other, bytes)).toContain('another network');
    expect(Ledger.fromCompactBytes(sim.genesis, registry, bytes, 100)).toMatchObject({
      ok: false,
    });
  });
});
