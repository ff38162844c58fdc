// The network's unit name from the command line (issue 18): `gpow network create --unit` signs
// it into the genesis, and balance, send and history print every amount with it, in agreement
// with the count ("1 hour"). Offline: each command opens the home's log itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliHarness } from '../net/cliHarness.ts';

const { gpow, json, stopAll } = cliHarness();
let dir = '';
let alice = '';
let aliceAddress = '';
let bobAddress = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpow-unit-'));
  alice = join(dir, 'alice');
  const created = await Promise.all(
    ['alice', 'bob'].map((who) =>
      json<{ address: string }>(['--home', join(dir, who), 'identity', 'create', '--fast-kdf']),
    ),
  );
  [aliceAddress, bobAddress] = created.map((c) => c.address) as [string, string];
}, 60_000);

afterAll(async () => {
  await stopAll();
  await rm(dir, { recursive: true, force: true });
});

describe('gpow network create --unit', () => {
  it('refuses a unit the genesis rule refuses, with the rule’s sentence', async () => {
    const bad = await gpow([
      '--home',
      alice,
      'network',
      'create',
      '--name',
      'n',
      '--unit',
      'hours!',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("the unit may hold only letters, digits, spaces and '-'");
    const long = await gpow([
      '--home',
      alice,
      'network',
      'create',
      '--name',
      'n',
      '--unit',
      'x'.repeat(17),
    ]);
    expect(long.stderr).toContain('the unit is longer than 16 characters');
  });

  it('names the money, and balance, send and history print it', async () => {
    const created = await gpow([
      '--home',
      alice,
      'network',
      'create',
      '--name',
      'Time bank',
      '--unit',
      'hours',
      '--alloc',
      `${aliceAddress}=100`,
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Amounts are in hours.');

    const balance = await gpow(['--home', alice, 'balance']);
    expect(balance.stdout).toContain('Available: 100 hours\n');
    const asJson = await json<{ available: string; unit: string }>(['--home', alice, 'balance']);
    expect(asJson).toMatchObject({ available: '100', unit: 'hours' });

    const sent = await gpow(['--home', alice, 'send', bobAddress, '1']);
    expect(sent.stdout).toContain(`Sent 1 hour to ${bobAddress}.`);
    const after = await gpow(['--home', alice, 'balance']);
    expect(after.stdout).toContain('Available: 99 hours\n');

    const history = await gpow(['--home', alice, 'history']);
    expect(history.stdout).toContain(`-1 hour  to ${bobAddress}`);
    const rows = await json<Array<{ amount: string; unit: string }>>(['--home', alice, 'history']);
    expect(rows[0]).toMatchObject({ amount: '1', unit: 'hours' });
  }, 120_000);
});
