// The market commands print money in the network's unit (issue 18), as balance, send and history
// do: `gpow offer` its rate, `gpow bond` the bond, `gpow negotiate` each provider's total, agreeing
// with the count ("1 hour"); their JSON answers gain a unit field and keep every other key.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliHarness } from '../net/cliHarness.ts';
import { eventually } from '../net/cluster.ts';

const { gpow, json, run, stopAll } = cliHarness();
let dir = '';
let alice = '';
let aliceAddress = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpow-market-unit-'));
  alice = join(dir, 'alice');
  ({ address: aliceAddress } = await json<{ address: string }>([
    '--home',
    alice,
    'identity',
    'create',
    '--fast-kdf',
  ]));
  await json([
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
  await run(alice, ['--provide', 'pow']);
}, 120_000);

afterAll(async () => {
  await stopAll();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('the market commands in the network’s unit', () => {
  it('offer prints the rate with the unit, and its JSON names it', async () => {
    const offered = await eventually(
      () => gpow(['--home', alice, 'offer', 'pow', '--capacity', '100000', '--rate', '1']),
      (r) => r.code === 0,
      30_000,
    );
    expect(offered.stdout).toContain('Offered pow: capacity 100000, rate 1 hour.\n');
    const again = await json<{ id: string; unit: string }>([
      '--home',
      alice,
      'offer',
      'pow',
      '--capacity',
      '100000',
      '--rate',
      '2',
    ]);
    expect(Object.keys(again).sort()).toEqual(['id', 'unit']);
    expect(again.unit).toBe('hours');
  }, 60_000);

  it('bond prints the bond with the unit, and its JSON names it', async () => {
    const bonded = await gpow(['--home', alice, 'bond', '3']);
    expect(bonded.code, bonded.stderr).toBe(0);
    expect(bonded.stdout).toContain('Bonded 3 hours: you can now be drawn as a validator.\n');
    const more = await json<{ id: string; unit: string }>(['--home', alice, 'bond', '1']);
    expect(more).toMatchObject({ unit: 'hours' });
    expect(more.id).toMatch(/^[0-9a-f]{64}$/);
  }, 60_000);

  it('negotiate names the unit in its JSON, beside the keys it always had', async () => {
    // Alone on the network, Alice is no provider for herself: the ranking is empty, and the
    // table's text is checked with ranked rows in marketText.test.ts.
    const ranking = await json<Record<string, unknown>>([
      '--home',
      alice,
      'negotiate',
      'pow',
      '--difficulty',
      '4',
    ]);
    expect(Object.keys(ranking).sort()).toEqual(['excluded', 'ranked', 'recommended', 'unit']);
    expect(ranking.unit).toBe('hours');
  }, 60_000);
});
