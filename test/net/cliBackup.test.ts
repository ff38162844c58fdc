// Issue 18, "a restore that brings back everything", through the real `gpow` command: Alice
// saves a workspace backup, loses her home, and restores a new one from her 24 words and the
// file. With no invitation, the new home has her network (it syncs her balance from Bob), her
// contact, and her chat with Bob. Other words, or a damaged file, are refused with their
// sentence and leave the home empty.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliHarness, freePort, stop } from './cliHarness.ts';
import { eventually } from './cluster.ts';

const { gpow, json, run, stopAll } = cliHarness();
let dir = '';

afterAll(async () => {
  await stopAll();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 20_000);

describe('a home restored from the words and a workspace backup', () => {
  it('finds its network, contacts and chats with no invitation', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gpow-backup-'));
    const [alice, bob, restored, wrong] = ['alice', 'bob', 'restored', 'wrong'].map((n) =>
      join(dir, n),
    ) as [string, string, string, string];
    const file = join(dir, 'alice.gpowbackup');
    const create = (home: string) =>
      json<{ address: string; mnemonic: string }>([
        '--home',
        home,
        'identity',
        'create',
        '--fast-kdf',
      ]);
    const a = await create(alice);
    const b = await create(bob);
    const net = await json<{ networkId: string }>([
      '--home',
      alice,
      'network',
      'create',
      '--name',
      'Backup Co-op',
      '--alloc',
      `${a.address}=1000`,
    ]);
    // Alice's machine serves the relay her invitation names; her new machine takes its place.
    const relayPort = await freePort();
    const alicePeer = await run(alice, ['--relay-port', relayPort]);
    const { invitation } = await json<{ invitation: string }>(['--home', alice, 'invite']);
    await json(['--home', bob, 'join', invitation]);
    await run(bob);
    await json(['--home', alice, 'contact', 'add', b.address, 'Bob', 'the', 'baker']);
    await json(['--home', alice, 'ssk', 'share', b.address]);
    await eventually(
      () => json<Array<{ epoch: number | null }>>(['--home', bob, 'ssk', 'list']),
      (rows) => rows[0]?.epoch === 1,
      30_000,
    );
    await json(['--home', alice, 'msg', 'send', b.address, 'bread', 'at', 'eight']);
    await eventually(
      () => json<Array<{ state: string }>>(['--home', alice, 'msg', 'read', b.address]),
      (rows) => rows[0]?.state === 'delivered',
      30_000,
    );
    await stop(alicePeer);

    const saved = await json<{ networks: number; contacts: number; chatRecords: number }>([
      '--home',
      alice,
      'backup',
      '--out',
      file,
    ]);
    expect(saved).toMatchObject({ networks: 1, contacts: 1 });
    expect(saved.chatRecords).toBeGreaterThan(0);
    const bytes = await readFile(file);
    expect(bytes.toString('latin1')).not.toContain('bread at eight');
    expect(bytes.toString('latin1')).not.toContain('Bob the baker');

    // Other words, or a damaged file: a sentence, and nothing written.
    const other = await gpow([
      '--home',
      wrong,
      'identity',
      'import',
      '--words',
      b.mnemonic,
      '--backup',
      file,
    ]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(
      `These words do not open this backup: it belongs to ${a.address}`,
    );
    const damaged = join(dir, 'damaged.gpowbackup');
    const changed = Uint8Array.from(bytes);
    changed[changed.length - 3]! ^= 1;
    await writeFile(damaged, changed);
    const broken = await gpow([
      '--home',
      wrong,
      'identity',
      'import',
      '--words',
      a.mnemonic,
      '--backup',
      damaged,
    ]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/The backup file is damaged/);
    expect(existsSync(join(wrong, 'identity.json'))).toBe(false);

    // Alice's laptop is gone: her words and the file make a new home, with no invitation.
    const back = await json<{ address: string; backup: { network: string; contacts: number } }>([
      '--home',
      restored,
      'identity',
      'import',
      '--words',
      a.mnemonic,
      '--backup',
      file,
      '--as-original',
      '--fast-kdf',
    ]);
    expect(back.address).toBe(a.address);
    expect(back.backup).toMatchObject({ network: net.networkId, contacts: 1 });
    expect(await json(['--home', restored, 'contact', 'list'])).toEqual({
      contacts: [{ address: b.address, label: 'Bob the baker' }],
    });
    await run(restored, ['--relay-port', relayPort]);
    // The network is back, with its join secret: the balance syncs from Bob.
    const balance = await eventually(
      () => json<{ available: string }>(['--home', restored, 'balance']).catch(() => null),
      (v) => v?.available === '1000',
      60_000,
    );
    expect(balance).toMatchObject({ available: '1000' });
    // The chat is back too, from the backup (the channel itself starts empty after a restore).
    expect(await json(['--home', restored, 'msg', 'read', b.address])).toMatchObject([
      { text: 'bread at eight' },
    ]);
  }, 180_000);
});
