// The README's walkthrough, run through the real `gpow` command: two homes, two identities, a
// network, a running peer, an invitation, a join, a payment, and the balance on the other side.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliHarness } from './cliHarness.ts';
import { eventually } from './cluster.ts';

const { gpow, json, run, stopAll } = cliHarness();
let dir = '';

afterAll(async () => {
  await stopAll();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 20_000);

describe('the gpow command', () => {
  it('prints usage, and fails clearly on mistakes', async () => {
    expect((await gpow(['--help'])).stdout).toContain('Usage: gpow');
    const unknown = await gpow(['frobnicate']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('unknown command');
    const noNetwork = await gpow(['--home', join(tmpdir(), 'gpow-nonexistent-home'), 'status']);
    expect(noNetwork.code).toBe(1);
    expect(noNetwork.stderr).toMatch(/no network here yet/);
    const badJoin = await gpow([
      '--home',
      join(tmpdir(), 'gpow-nonexistent-home'),
      'join',
      'https://example.invalid/x',
    ]);
    expect(badJoin.code).toBe(1);
    expect(badJoin.stderr).toMatch(/not a GPoW invitation/);
  });

  it('walks two peers through a payment, as in the README', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gpow-cli-'));
    const alice = join(dir, 'alice');
    const bob = join(dir, 'bob');
    const a = await json<{ address: string; mnemonic: string }>([
      '--home',
      alice,
      'identity',
      'create',
      '--fast-kdf',
    ]);
    const b = await json<{ address: string }>(['--home', bob, 'identity', 'create', '--fast-kdf']);
    expect(a.mnemonic.split(' ')).toHaveLength(24);
    expect(a.address).toMatch(/^gpow1/);
    // A second identity in the same home is refused, and the first is left alone.
    const again = await gpow(['--home', alice, 'identity', 'create', '--fast-kdf']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);

    await json([
      '--home',
      alice,
      'network',
      'create',
      '--name',
      'Test Co-op',
      '--alloc',
      `${a.address}=1000`,
    ]);
    await run(alice);
    const { invitation } = await json<{ invitation: string }>(['--home', alice, 'invite']);
    expect(invitation).toMatch(/^gpow:join\?v=1&net=[0-9a-f]{64}&secret=.+&relay=ws/);
    await json(['--home', bob, 'join', invitation]);
    await run(bob);

    const sent = await json<{ id: string }>([
      '--home',
      alice,
      'send',
      b.address,
      '250',
      '--memo',
      'thanks',
    ]);
    expect(sent.id).toMatch(/^[0-9a-f]{64}$/);
    const balance = await eventually(
      () => json<{ available: string; pending: string }>(['--home', bob, 'balance']),
      (v) => v.available === '250',
      30_000,
    );
    expect(balance).toMatchObject({ available: '250', pending: '0' });
    const history = await json<Array<{ direction: string; amount: string; status: string }>>([
      '--home',
      bob,
      'history',
    ]);
    expect(history[0]).toMatchObject({ direction: 'in', amount: '250', status: 'final' });
    const [sa, sb] = await Promise.all([
      json<{ stateRoot: string }>(['--home', alice, 'status']),
      json<{ stateRoot: string }>(['--home', bob, 'status']),
    ]);
    expect(sb.stateRoot).toBe(sa.stateRoot);
    // Private traffic: share a key on the ledger, then talk over the private channel.
    const shared = await json<{ epoch: number }>(['--home', alice, 'ssk', 'share', b.address]);
    expect(shared.epoch).toBe(1);
    await eventually(
      () => json<Array<{ epoch: number | null }>>(['--home', bob, 'ssk', 'list']),
      (rows) => rows[0]?.epoch === 1,
      30_000,
    );
    await json(['--home', alice, 'msg', 'send', b.address, 'see', 'you', 'at', 'noon']);
    const messages = await eventually(
      () => json<Array<{ text: string }>>(['--home', bob, 'msg', 'read', a.address]),
      (rows) => rows.length > 0,
      30_000,
    );
    expect(messages.map((m) => m.text)).toEqual(['see you at noon']);
    // Overspending is refused with a clear reason.
    const over = await gpow(['--home', bob, 'send', a.address, '999']);
    expect(over.code).toBe(1);
    expect(over.stderr).toMatch(/you can spend 250/);
  }, 120_000);
});
