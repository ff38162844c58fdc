// The README's walkthrough, run through the real `gpow` command: two homes, two identities, a
// network, a running peer, an invitation, a join, a payment, and the balance on the other side.
// Then what must fail does, at once and with a sentence (issue 13): damaged invitations, a
// peer that never gets its genesis, an identity that does not unlock, an oversized memo and a
// modified keystore. These reuse the walkthrough's running peers.
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { callControl } from '../../node/cli/control.ts';
import { cliHarness, stop } from './cliHarness.ts';
import { eventually } from './cluster.ts';

const { gpow, json, run, stopAll } = cliHarness();
let dir = '';
/** Left by the walkthrough for the tests after it. */
const walked: { alice?: string; bob?: string; bobAddress?: string; invitation?: string } = {};

/** Runs a command and how long it took, in milliseconds. */
async function timed(args: string[], env?: Record<string, string>) {
  const started = Date.now();
  const result = await gpow(args, env);
  return { ...result, ms: Date.now() - started };
}

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
    expect(invitation).toMatch(
      /^gpow:join\?v=2&net=[0-9a-f]{64}&secret=.+&relay=ws.+&c=[A-Za-z0-9_-]{16}$/,
    );
    await json(['--home', bob, 'join', invitation]);
    const bobPeer = await run(bob);

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
    // Until Bob's peer has the genesis, balance says so (an error) instead of waiting.
    const balance = await eventually(
      () =>
        json<{ available: string; pending: string }>(['--home', bob, 'balance']).catch(() => null),
      (v) => v?.available === '250',
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
    // The chat lasts (issue 18): Alice's side learns it was delivered, and Bob's peer, restarted,
    // reads it back from its encrypted history.
    await eventually(
      () => json<Array<{ state: string }>>(['--home', alice, 'msg', 'read', b.address]),
      (rows) => rows[0]?.state === 'delivered',
      30_000,
    );
    await stop(bobPeer);
    await run(bob);
    expect(await json(['--home', bob, 'msg', 'read', a.address])).toMatchObject([
      { text: 'see you at noon', state: 'received' },
    ]);
    // Overspending is refused with a clear reason.
    const over = await gpow(['--home', bob, 'send', a.address, '999']);
    expect(over.code).toBe(1);
    expect(over.stderr).toMatch(/you can spend 250/);
    Object.assign(walked, { alice, bob, bobAddress: b.address, invitation });
  }, 120_000);

  it('refuses a damaged invitation at once, and writes nothing', async () => {
    const { invitation } = walked;
    if (!invitation) throw new Error('needs the walkthrough above');
    const home = join(dir, 'typo');
    const net = /net=([0-9a-f]{64})/.exec(invitation)![1]!;
    const flipped = `${net.slice(0, 20)}${net[20] === '0' ? '1' : '0'}${net.slice(21)}`;
    const typo = await gpow(['--home', home, 'join', invitation.replace(net, flipped)]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain(
      'this invitation is damaged or incomplete (its checksum does not match): copy it again or ask for a new one',
    );
    // Cut inside the relay's port, as a link broken across lines would be.
    const port = invitation.indexOf('127.0.0.1%3A') + '127.0.0.1%3A'.length;
    const cut = invitation.slice(0, port + 1);
    expect(cut).toMatch(/relay=ws%3A%2F%2F127\.0\.0\.1%3A\d$/);
    const truncated = await gpow(['--home', home, 'join', cut]);
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toContain('this invitation is damaged or incomplete');
    expect(existsSync(join(home, 'network.json'))).toBe(false);
  });

  it('a peer without a genesis says so at once; a locked identity stops `run`', async () => {
    const { invitation } = walked;
    if (!invitation) throw new Error('needs the walkthrough above');
    const carol = join(dir, 'carol');
    await json(['--home', carol, 'identity', 'create', '--fast-kdf']);
    // A version 1 link (older apps wrote these, with no checksum) with a wrong network id: the
    // peer joins a room nobody is in, and never receives a genesis.
    const net = /net=([0-9a-f]{64})/.exec(invitation)![1]!;
    const legacy = invitation
      .replace('v=2', 'v=1')
      .replace(/&c=[^&]*$/, '')
      .replace(net, `${net.slice(0, -1)}${net.endsWith('0') ? '1' : '0'}`);
    await json(['--home', carol, 'join', legacy]);

    // A wrong passphrase (or none) stops the peer with the reason, instead of running on.
    const wrong = await gpow(['--home', carol, 'run'], { GPOW_PASSPHRASE: 'not the passphrase' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(
      'cannot start the peer, because its identity did not unlock: wrong passphrase',
    );
    expect(wrong.stderr).toContain('gpow run --no-identity');
    const none = await gpow(['--home', carol, 'run'], { GPOW_PASSPHRASE: undefined });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/a passphrase is needed: set GPOW_PASSPHRASE/);

    // --no-identity runs, and never asks for the identity (the passphrase here is wrong).
    await run(carol, ['--no-identity'], { GPOW_PASSPHRASE: 'not the passphrase' });
    const status = await timed(['--home', carol, 'status']);
    expect(status.code).toBe(0);
    // Well under the 30 s the control socket's caller used to wait (startup included).
    expect(status.ms).toBeLessThan(10_000);
    expect(status.stdout).toMatch(
      /Ledger: {3}No genesis yet: this peer has not reached any member of network "Test Co-op" since \d{4}-\d\d-\d\dT[\d:]+Z\. If this lasts, check the invitation \(ask for a new one\)\./,
    );
    // Read commands that need the ledger wait only briefly after start, then say the same.
    for (const command of [
      ['balance', walked.bobAddress!],
      ['history', walked.bobAddress!],
    ]) {
      const answer = await timed(['--home', carol, ...command]);
      expect(answer.code, command[0]).toBe(1);
      expect(answer.stderr).toMatch(/No genesis yet: this peer has not reached any member/);
      expect(answer.ms).toBeLessThan(10_000);
    }
  });

  it('refuses an oversized memo through the running peer at once, with the size', async () => {
    const { alice, bobAddress } = walked;
    if (!alice || !bobAddress) throw new Error('needs the walkthrough above');
    const memo = 'x'.repeat(70_000);
    const sent = await timed(['--home', alice, 'send', bobAddress, '5', '--memo', memo]);
    expect(sent.code).toBe(1);
    expect(sent.stderr).toContain('the memo is 70000 bytes long; a memo can be at most 1024 bytes');
    expect(sent.ms).toBeLessThan(10_000);
    // The running peer itself answers such a request with an error, not silence.
    const started = Date.now();
    await expect(
      callControl(join(alice, 'control.sock'), 'send', { to: bobAddress, amount: '5', memo }),
    ).rejects.toThrow('the request is larger than 64 KiB');
    await expect(
      callControl(join(alice, 'control.sock'), 'send', {
        to: bobAddress,
        amount: '5',
        memo: 'é'.repeat(600),
      }),
    ).rejects.toThrow('the memo is 1200 bytes long; a memo can be at most 1024 bytes');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('says a modified keystore was modified, not that the passphrase is wrong', async () => {
    const { bob } = walked;
    if (!bob) throw new Error('needs the walkthrough above');
    const file = join(bob, 'identity.json');
    await copyFile(file, `${file}.bak`);
    try {
      const keystore = JSON.parse(await readFile(file, 'utf8')) as { kdf: { salt: string } };
      const salt = keystore.kdf.salt;
      keystore.kdf.salt = `${salt.slice(0, -1)}${salt.endsWith('0') ? '1' : '0'}`;
      await writeFile(file, JSON.stringify(keystore));
      const shown = await gpow(['--home', bob, 'identity', 'show']);
      expect(shown.code).toBe(1);
      expect(shown.stderr).toContain(
        'the keystore file has been modified or damaged (its integrity check fails); restore it from a backup or from your backup words',
      );
      expect(shown.stderr).not.toMatch(/wrong passphrase/);
    } finally {
      await copyFile(`${file}.bak`, file);
    }
  });
});
