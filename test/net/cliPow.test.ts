// The README's pow walkthrough through the real `gpow` command: three homes, a network, two
// providers offering pow at different rates, and a consumer whose request goes to the cheaper
// one, is solved, delivered, settled, and paid exactly.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliHarness } from './cliHarness.ts';
import { eventually } from './cluster.ts';

const { gpow, json, run, logs, stopAll } = cliHarness();
let dir = '';

afterAll(async () => {
  await stopAll();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 20_000);

describe('a pow job between three CLI peers', () => {
  it('negotiates, escrows, solves, delivers, settles and pays, as in the README', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gpow-cli-pow-'));
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((n) => join(dir, n)) as [
      string,
      string,
      string,
    ];
    const ids = await Promise.all(
      [alice, bob, carol].map((home) =>
        json<{ address: string }>(['--home', home, 'identity', 'create', '--fast-kdf']),
      ),
    );
    const [a, b, c] = ids.map((i) => i.address) as [string, string, string];
    await json([
      '--home',
      alice,
      'network',
      'create',
      '--name',
      'Pow Co-op',
      '--alloc',
      `${a}=10000`,
    ]);
    await run(alice);
    const { invitation } = await json<{ invitation: string }>(['--home', alice, 'invite']);
    await Promise.all([bob, carol].map((h) => json(['--home', h, 'join', invitation])));
    await run(bob, ['--provide', 'pow']);
    await run(carol, ['--provide', 'pow']);

    await eventually(
      () => gpow(['--home', bob, 'offer', 'pow', '--capacity', '1000000', '--rate', '1']),
      (r) => r.code === 0,
      30_000,
    );
    await eventually(
      () => gpow(['--home', carol, 'offer', 'pow', '--capacity', '1000000', '--rate', '2']),
      (r) => r.code === 0,
      30_000,
    );
    const ranking = await eventually(
      () =>
        json<{ ranked: Array<{ provider: string; total: string }>; recommended: string }>([
          '--home',
          alice,
          'negotiate',
          'pow',
          '--difficulty',
          '12',
        ]),
      (r) => r.ranked.length === 2,
      30_000,
    );
    expect(ranking.recommended).toBe(b);
    expect(ranking.ranked.map((r) => [r.provider, r.total])).toEqual([
      [b, '4096'],
      [c, '8192'],
    ]);
    const human = await gpow(['--home', alice, 'negotiate', 'pow', '--difficulty', '12']);
    expect(human.stdout).toMatch(/← recommended/);

    const request = await json<{ id: string; provider: string; total: string }>([
      '--home',
      alice,
      'request',
      'pow',
      '--difficulty',
      '12',
    ]);
    expect(request).toMatchObject({ provider: b, total: '4096' });
    const jobs = await eventually(
      () => json<Array<{ id: string; state: string; settled: boolean }>>(['--home', alice, 'jobs']),
      (rows) => rows[0]?.settled === true,
      90_000,
    );
    if (jobs[0]?.settled !== true) {
      for (const [home, text] of logs) console.error(`--- ${home}\n${text.slice(-4000)}`);
    }
    expect(jobs[0]).toMatchObject({ id: request.id, state: 'completed', settled: true });
    const paid = await eventually(
      () => json<{ available: string }>(['--home', bob, 'balance']),
      (v) => v.available === '4096',
      30_000,
    );
    expect(paid.available).toBe('4096');
    expect((await json<{ available: string }>(['--home', alice, 'balance'])).available).toBe(
      '5904',
    );
    expect((await json<{ available: string }>(['--home', carol, 'balance'])).available).toBe('0');
    // A service type registered on the ledger, then offered by its id.
    const registered = await json<{ id: string }>([
      '--home',
      carol,
      'service',
      'register',
      '--name',
      'Bike repair',
      '--unit',
      'repairs',
      '--evaluation',
      'review',
      '--field',
      'bike:text:required',
      '--field',
      'address:text:sensitive',
    ]);
    const badField = await gpow([
      '--home',
      carol,
      'service',
      'register',
      '--name',
      'x',
      '--unit',
      'u',
      '--evaluation',
      'review',
      '--field',
      'bike',
    ]);
    expect(badField.stderr).toMatch(/--field takes NAME:text\|number/);
    await json(['--home', carol, 'offer', registered.id, '--capacity', '5', '--rate', '30']);
    const services = await eventually(
      () => json<Array<{ id: string; name: string }>>(['--home', alice, 'service', 'list']),
      (rows) => rows.some((r) => r.id === registered.id),
      30_000,
    );
    expect(services.map((r) => r.name)).toEqual([
      'General Proof of Work',
      'Deterministic computation',
      'Human task',
      'Bike repair',
    ]);
  }, 200_000);
});
