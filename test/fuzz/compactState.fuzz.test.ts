// Fuzz target: compact ledger state bytes (shared/ledger/compactCodec.ts), which a peer reads
// from its own storage today and, once snapshots are certified, from other peers. Whatever the
// bytes, reading never throws and ends with a ledger or a sentence; a ledger read from them
// answers every query without throwing or looping, even when the bytes name a chain position
// far beyond anything real (a compact state's entries skip what was dropped).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCanonical, encodeCanonical, type CborValue } from '../../shared/codec/cbor.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { registry } from '../helpers/network.ts';
import { Sim, type SimConfig } from '../helpers/sim.ts';
import { fuzz, Watchdog } from './harness.ts';

const watchdog = new Watchdog();
beforeAll(() => watchdog.install());
afterAll(() => watchdog.uninstall());

const config: SimConfig = {
  users: 3,
  witnesses: 4,
  byzantine: 1,
  views: 2,
  allocation: 100n,
  creditLimit: 20n,
};
const MAX = 4 * 1024 * 1024;

async function world(budgeted = false): Promise<{ sim: Sim; bytes: Uint8Array }> {
  // With budgets (docs/protocol.md §15), each row carries one more element: the author's mark.
  const sim = await Sim.create(
    budgeted ? { ...config, budget: { every: 500, burst: 120 } } : config,
  );
  for (let round = 0; round < 4; round++) {
    for (let u = 0; u < config.users; u++)
      await sim.step({
        kind: 'transfer',
        view: round % 2,
        from: u,
        to: (u + 1) % 3,
        amount: 2n,
        raw: false,
      });
    for (let w = 0; w < config.witnesses; w++)
      await sim.step({ kind: 'vote', view: w === 0 ? 1 : sim.homeView(w), witness: w });
    sim.healAll();
  }
  const result = sim.replay(sim.signed).compactBytes();
  if (!result.ok) throw new Error(result.error);
  return { sim, bytes: result.bytes };
}

/** Every query a peer makes of its ledger, for every key the state names. */
function useAll(ledger: Ledger, sim: Sim): void {
  for (const key of ledger.accounts()) ledger.account(key);
  ledger.audit();
  ledger.stateRoot();
  ledger.counts();
  ledger.equivocations();
  for (const who of [...sim.users, ...sim.witnesses]) {
    ledger.claimableCredits(who.key);
    ledger.votableHeads(who.key);
    ledger.head(who.key);
  }
  ledger.compactBytes();
}

/** A value with one leaf replaced: numbers by extremes, bytes by other bytes, and so on. */
function mutate(value: CborValue, path: readonly number[], replacement: CborValue): CborValue {
  if (path.length === 0) return replacement;
  if (Array.isArray(value)) {
    const items = value as readonly CborValue[];
    if (items.length === 0) return items;
    const at = (path[0] as number) % items.length;
    return items.map((item, i) => (i === at ? mutate(item, path.slice(1), replacement) : item));
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const keys = Object.keys(value).sort();
    const key = keys[(path[0] as number) % keys.length] as string;
    return {
      ...value,
      [key]: mutate(
        (value as Record<string, CborValue>)[key] as CborValue,
        path.slice(1),
        replacement,
      ),
    };
  }
  return replacement;
}

const leafArb: fc.Arbitrary<CborValue> = fc.oneof(
  // Mostly numbers: where the state has a seq or a time, a far one is still well-formed.
  {
    weight: 6,
    arbitrary: fc.constantFrom(0, -1, 1, 2 ** 40, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 31),
  },
  fc.bigInt({ min: -(1n << 64n), max: (1n << 64n) - 1n }),
  fc.uint8Array({ minLength: 0, maxLength: 40 }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 12 }),
  fc.constant([] as CborValue[]),
);

describe('fuzz: compact state bytes', () => {
  it.each([
    ['', false, 0x6770_c0fe],
    [', with writing budgets', true, 0x6770_c0ff],
  ])(
    'never throws, and what it reads answers every query%s',
    async (_, budgeted, seed) => {
      const { sim, bytes } = await world(budgeted);
      let accepted = 0;
      const value = (decodeCanonical(bytes, MAX) as { ok: true; value: CborValue }).value;
      const inputArb = fc.oneof(
        // Structured: one leaf anywhere replaced.
        fc
          .tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), leafArb)
          .map(([path, leaf]) => encodeCanonical(mutate(value, path, leaf))),
        // Raw: bytes flipped, cut or spliced.
        fc
          .tuple(fc.nat(bytes.length - 1), fc.nat(255), fc.nat(bytes.length))
          .map(([at, byte, cut]) => {
            const out = bytes.slice(0, Math.max(cut, at + 1));
            out[at] = byte;
            return out;
          }),
        fc.uint8Array({ maxLength: 256 }),
      );
      await fuzz(
        'compactState',
        fc.asyncProperty(inputArb, (input) =>
          watchdog.run('compact state bytes', () => {
            const result = Ledger.fromCompactBytes(sim.genesis, registry, input, MAX);
            if (!result.ok) {
              expect(result.error).toMatch(/^The saved ledger state cannot be read: .+\.$/s);
              return;
            }
            accepted++;
            useAll(result.ledger, sim);
          }),
        ),
        seed,
        1500,
      );
      // Not vacuous: many mutated states were read, and used.
      expect(accepted).toBeGreaterThan(50);
    },
    300_000,
  );

  it('regression: a stub at a far seq is read and used at once (queries walked every seq)', async () => {
    const { sim, bytes } = await world();
    const value = (decodeCanonical(bytes, MAX) as { ok: true; value: Record<string, CborValue> })
      .value;
    const user = Uint8Array.from(Buffer.from(sim.users[0]!.key, 'hex'));
    const far = [new Uint8Array(32).fill(0xff), user, 2 ** 53 - 1];
    const input = encodeCanonical({ ...value, stubs: [...(value.stubs as CborValue[]), far] });
    const started = performance.now();
    const result = Ledger.fromCompactBytes(sim.genesis, registry, input, MAX);
    if (!result.ok) throw new Error(result.error);
    useAll(result.ledger, sim);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
