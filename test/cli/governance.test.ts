// `gpow network create --closed`, `gpow member admit` and `gpow witness add|remove` run as real
// commands against one running peer (docs/protocol.md §13). The founder is the only witness, so
// its own witness duty is the quorum and a change takes effect without a second process; the
// last change needs a witness that is not running, and stays proposed, as the command says.
// Replication of changes between peers is the net tests' part (witnessChange, memberRemoval).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAddress } from '../../shared/identity/address.ts';
import { keyHexOf, type KeyHex } from '../../shared/ids.ts';
import type { WitnessReport } from '../../shared/wallet/witnessReport.ts';
import { cliHarness } from '../net/cliHarness.ts';

const { gpow, json, run, stopAll } = cliHarness();
let dir = '';
let alice = '';
let aliceAddress = '';
let bobAddress = '';

interface Change {
  readonly id: string;
  readonly needed: number;
  readonly admit: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** The hex key `gpow witness list --json` reports an address as. */
function keyOf(address: string): KeyHex {
  const parsed = parseAddress(address);
  if (!parsed.ok) throw new Error(parsed.error);
  return keyHexOf(parsed.publicKey);
}

/** Asks `gpow witness list` until `done` holds: each change takes a vote or two of the peer. */
async function waitFor(done: (r: WitnessReport) => boolean): Promise<WitnessReport> {
  let report = await json<WitnessReport>(['--home', alice, 'witness', 'list']);
  for (let i = 0; i < 40 && !done(report); i++) {
    await new Promise((r) => setTimeout(r, 250));
    report = await json<WitnessReport>(['--home', alice, 'witness', 'list']);
  }
  expect(done(report), JSON.stringify(report)).toBe(true);
  return report;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpow-governance-'));
  alice = join(dir, 'alice');
  const created = await Promise.all(
    ['alice', 'bob'].map((who) =>
      json<{ address: string }>(['--home', join(dir, who), 'identity', 'create', '--fast-kdf']),
    ),
  );
  [aliceAddress, bobAddress] = created.map((c) => c.address) as [string, string];
  await json([
    '--home',
    alice,
    'network',
    'create',
    '--closed',
    '--name',
    'Closed co-op',
    '--alloc',
    `${aliceAddress}=100`,
  ]);
  await run(alice);
}, 60_000);

afterAll(async () => {
  await stopAll();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 20_000);

describe('governance through the real commands', () => {
  it('admits a member to a closed network, adds a witness, proposes removing it, and names them', async () => {
    // Closed: the founder is a member already, and bob is not until the witnesses admit him.
    const already = await gpow(['--home', alice, 'member', 'admit', aliceAddress]);
    expect(already.code).toBe(1);
    expect(already.stderr).toMatch(/already a member/);
    const admitted = await json<Change>(['--home', alice, 'member', 'admit', bobAddress]);
    expect(admitted).toMatchObject({ admit: [bobAddress], needed: 1 });
    await waitFor((r) => r.changes.some((c) => c.id === admitted.id && c.state === 'in effect'));

    const added = await json<Change>(['--home', alice, 'witness', 'add', bobAddress]);
    expect(added).toMatchObject({ added: [bobAddress], needed: 1 });
    const two = await waitFor((r) => r.witnesses.length === 2);
    expect(two.quorum).toBe(2);

    // Removing bob needs both witnesses now; bob's peer is not running, so it waits for him.
    const human = await gpow(['--home', alice, 'witness', 'remove', bobAddress]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/removes .*once 2 of the current witnesses back it/s);
    expect(human.stdout).toMatch(/gpow witness approve [0-9a-f]{12}/);
    const proposed = await waitFor((r) =>
      r.changes.some((c) => c.state === 'proposed' && c.removed.includes(keyOf(bobAddress))),
    );
    expect(proposed.witnesses).toHaveLength(2);

    // Once Alice signs a name, the list names her before her address (docs/profiles.md).
    await json(['--home', alice, 'profile', 'set', '--name', 'Alice']);
    const listed = await gpow(['--home', alice, 'witness', 'list']);
    expect(listed.stdout).toContain(`  Alice ${aliceAddress}  `);
  });
});
