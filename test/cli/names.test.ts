// Names where the CLI prints addresses (docs/profiles.md): `gpow history` and `gpow witness list`
// put the name a member signed before their address, with the directory's suffix when two
// names look alike, and print a member without a profile by the address alone. The rows are
// built and printed by the same functions the commands use, over a ledger built here.
import { describe, expect, it } from 'vitest';
import { encodeAddress } from '../../shared/identity/address.ts';
import { fromHex } from '../../shared/bytes.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { composeProfile } from '../../shared/wallet/profile.ts';
import { historyLine, historyOf } from '../../node/cli/wallet.ts';
import { witnessLines, witnessListOf } from '../../node/cli/witness.ts';
import { identity, newLedger, sign, transfer, type TestIdentity } from '../helpers/network.ts';
import { proposeTx } from '../helpers/witnessSets.ts';

const alice = identity('cli names alice');
const bob = identity('cli names bob');
const carol = identity('cli names carol');
const dave = identity('cli names dave');
const addressOf = (who: TestIdentity) => encodeAddress(fromHex(who.key));

async function profile(ledger: Ledger, who: TestIdentity, name: string): Promise<void> {
  const composed = composeProfile(ledger, who.key, { name }, 2);
  if (!composed.ok) throw new Error(composed.rejection.message);
  expect(ledger.insert(await sign(who, composed.tx)).status).toBe('accepted');
}

async function network(): Promise<Ledger> {
  return newLedger({
    witnesses: [alice],
    allocations: [
      [alice, 100n],
      [bob, 10n],
      [carol, 10n],
      [dave, 10n],
    ],
  });
}

describe('names in the CLI', () => {
  it('gpow history names the counterparty by the name they signed, then the address', async () => {
    const ledger = await network();
    await profile(ledger, bob, 'Bob');
    await transfer(ledger, alice, bob, 5n);
    await transfer(ledger, carol, alice, 2n);
    const rows = historyOf(ledger, alice.key, 10);
    const toBob = rows.find((r) => r.direction === 'out');
    const fromCarol = rows.find((r) => r.direction === 'in');
    expect(toBob).toMatchObject({ counterparty: addressOf(bob), counterpartyName: 'Bob' });
    expect(fromCarol?.counterpartyName).toBeUndefined();
    expect(historyLine(toBob!)).toContain(`-5 units  to Bob ${addressOf(bob)}  `);
    expect(historyLine(fromCarol!)).toContain(`+2 units  from ${addressOf(carol)}  `);

    // Dave signs the same name: each shows with the directory's suffix, never as plain "Bob".
    await profile(ledger, dave, 'Bob');
    await transfer(ledger, alice, dave, 1n);
    const named = historyOf(ledger, alice.key, 10).filter((r) => r.direction === 'out');
    expect(named.map((r) => r.counterpartyName)).toEqual([
      expect.stringMatching(/^Bob · [0-9a-f]+$/),
      expect.stringMatching(/^Bob · [0-9a-f]+$/),
    ]);
    expect(new Set(named.map((r) => r.counterpartyName)).size).toBe(2);
  });

  it('gpow witness list names witnesses and the members a change admits', async () => {
    const ledger = await network();
    await profile(ledger, alice, 'Alice');
    await profile(ledger, bob, 'Bob');
    expect(
      ledger.insert(
        await proposeTx(ledger, alice, identity('cli names change'), {
          kind: 'add',
          key: bob.key,
        }),
      ).status,
    ).toBe('accepted');
    const report = witnessListOf(ledger);
    expect(report.names).toEqual({ [alice.key]: 'Alice', [bob.key]: 'Bob' });
    const lines = witnessLines(report);
    expect(lines[1]).toMatch(new RegExp(`^  Alice ${addressOf(alice)}  `));
    expect(lines.at(-1)).toContain(`adds Bob ${addressOf(bob)}`);
    // Without a profile, the address alone, as before.
    const plain = witnessLines({ ...report, names: {} });
    expect(plain[1]).toMatch(new RegExp(`^  ${addressOf(alice)}  `));
  });
});
