// The network's unit name (issue 18): the genesis rule, its canonical form, and the default
// that networks founded before it keep showing.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { admitTx } from '../../shared/tx/registry.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { DEFAULT_UNIT, genesisBody, unitSchema } from '../../shared/tx/genesis.ts';
import { identity, registry, verifier } from '../helpers/network.ts';

const founder = identity('unit founder');

function signedGenesis(unit?: string): Uint8Array {
  return signTx(founder.secret, {
    net: null,
    seq: 0,
    prev: null,
    deps: [],
    type: 'genesis',
    body: genesisBody({
      name: 'unit test',
      witnesses: [founder.key],
      allocations: [[founder.key, 100n]],
      creditLimit: 0n,
      ...(unit === undefined ? {} : { unit }),
    }),
    time: 0,
  });
}

async function ledgerWith(unit?: string): Promise<Ledger> {
  const admitted = await admitTx(signedGenesis(unit), registry, verifier);
  if (!admitted.ok) throw new Error(admitted.rejection.message);
  const started = Ledger.fromGenesis(admitted.tx, registry);
  if (!started.ok) throw new Error(started.rejection.message);
  return started.ledger;
}

/** The first sentence the rule gives for `text`, or null when it accepts it. */
function refusal(text: unknown): string | null {
  const parsed = v.safeParse(unitSchema, text);
  return parsed.success ? null : (parsed.issues[0]?.message ?? 'no message');
}

describe('the unit rule', () => {
  it('accepts names of letters, digits, inner spaces and dashes, in any script', () => {
    for (const name of [
      'hours',
      'cost units',
      'kWh',
      'CO2-tonnes',
      'Stunden',
      'ساعات',
      '時間',
      'x',
    ])
      expect(refusal(name), name).toBeNull();
    expect(refusal('a'.repeat(16))).toBeNull();
    // A letter outside the basic plane is two UTF-16 units: the limit counts code points.
    expect(refusal('𝐀'.repeat(16))).toBeNull();
    expect(refusal('𝐀'.repeat(17))).toBe('the unit is longer than 16 characters');
  });

  it('refuses an empty name', () => {
    expect(refusal('')).toBe('the unit is empty');
  });

  it('refuses a name longer than 16 characters', () => {
    expect(refusal('a'.repeat(17))).toBe('the unit is longer than 16 characters');
  });

  it('refuses punctuation, symbols and control characters', () => {
    for (const name of ['hours!', 'a/b', 'tabs\there', 'new\nline', '$', 'h_rs', '😀'])
      expect(refusal(name), name).toBe("the unit may hold only letters, digits, spaces and '-'");
  });

  it('refuses a leading or trailing space', () => {
    expect(refusal(' hours')).toBe('the unit cannot start or end with a space');
    expect(refusal('hours ')).toBe('the unit cannot start or end with a space');
  });
});

describe('a genesis with a unit', () => {
  it('writes the unit only when given, so older networks keep their ids', () => {
    expect(genesisBody({ name: 'n', witnesses: [], allocations: [], creditLimit: 0n })).toEqual({
      name: 'n',
      witnesses: [],
      allocations: [],
      params: { creditLimit: 0n },
    });
    const named = genesisBody({
      name: 'n',
      witnesses: [],
      allocations: [],
      creditLimit: 0n,
      unit: 'hours',
    });
    expect(named).toMatchObject({ params: { creditLimit: 0n, unit: 'hours' } });
  });

  it('shows the unit it was founded with', async () => {
    expect((await ledgerWith('hours')).unit).toBe('hours');
  });

  it('shows "units" when the genesis names none', async () => {
    expect(DEFAULT_UNIT).toBe('units');
    expect((await ledgerWith()).unit).toBe('units');
  });

  it('is refused by every peer when the unit breaks the rule', async () => {
    const admitted = await admitTx(signedGenesis('hours!'), registry, verifier);
    expect(admitted.ok).toBe(false);
    if (!admitted.ok)
      expect(admitted.rejection.message).toContain(
        "the unit may hold only letters, digits, spaces and '-'",
      );
  });
});
