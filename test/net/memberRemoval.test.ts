// Removing a member (docs/protocol.md §13.7, §13.8), through the real `gpow` command with one
// process per machine over real WebRTC on 127.0.0.1. The founder (the only witness) removes Bob:
// the change takes effect, the join secret is rotated and sealed to everyone but Bob, the others
// move to the new room, and Bob stays outside: he receives nothing new, his wallet refuses to
// sign with a sentence, and his old invitation reaches only him. A fresh invitation works.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliHarness } from './cliHarness.ts';
import { eventually } from './cluster.ts';

const { gpow, json, run, stopAll, logs } = cliHarness();
let dir = '';

afterAll(async () => {
  await stopAll();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 20_000);

type Balance = { available: string; pending: string };
type Status = { peers: number; transactions: { valid: number } | null };
type Report = { epoch: number };

describe('removing a member', () => {
  it('rotates the join secret without them, and leaves them outside', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gpow-removal-'));
    const [founder, alice, bob, late, fresh] = ['founder', 'alice', 'bob', 'late', 'fresh'].map(
      (n) => join(dir, n),
    ) as [string, string, string, string, string];
    const ids = await Promise.all(
      [founder, alice, bob].map((h) =>
        json<{ address: string }>(['--home', h, 'identity', 'create', '--fast-kdf']),
      ),
    );
    const [f, a, b] = ids.map((i) => i.address) as [string, string, string];
    await json([
      '--home',
      founder,
      'network',
      'create',
      '--name',
      'Makerspace',
      '--alloc',
      `${a}=100`,
      '--alloc',
      `${b}=100`,
    ]);
    await run(founder);
    const { invitation: oldInvitation } = await json<{ invitation: string }>([
      '--home',
      founder,
      'invite',
    ]);
    await Promise.all([alice, bob].map((h) => json(['--home', h, 'join', oldInvitation])));
    await run(alice);
    await run(bob);
    await json(['--home', bob, 'send', f, '5']);
    await eventually(
      () => json<Balance>(['--home', founder, 'balance']).catch(() => null),
      (v) => v?.available === '5',
      40_000,
    );

    // The founder, the only witness, removes Bob: in effect once her votes hand it over.
    const removal = await json<{ remove: string[] }>(['--home', founder, 'member', 'remove', b]);
    expect(removal.remove).toEqual([b]);
    await eventually(
      () => json<Report>(['--home', alice, 'witness', 'list']).catch(() => null),
      (r) => r?.epoch === 1,
      40_000,
    );
    // Bob learns of it and is told the room moved on without him.
    await eventually(
      () => Promise.resolve(logs.get(bob) ?? ''),
      (log) => log.includes('changed its join secret'),
      40_000,
    );
    const refused = await gpow(['--home', bob, 'send', f, '1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/you are not a member of this network now/);

    // Alice pays in the new room: final for her and the founder, never seen by Bob.
    await new Promise((r) => setTimeout(r, 5_000));
    const bobBefore = await json<Status>(['--home', bob, 'status']);
    await json(['--home', alice, 'send', f, '7']);
    await eventually(
      () => json<Balance>(['--home', founder, 'balance']).catch(() => null),
      (v) => v?.available === '12',
      40_000,
    );
    const bobAfter = await json<Status>(['--home', bob, 'status']);
    expect(bobAfter.peers).toBe(0);
    const seenByBob = await json<Balance>(['--home', bob, 'balance', f]);
    expect(seenByBob.available).toBe('5');
    expect(bobAfter.transactions?.valid).toBe(bobBefore.transactions?.valid);

    // Bob's old invitation reaches no member; a new one from the founder does.
    await json(['--home', late, 'join', oldInvitation]);
    await run(late, ['--no-identity']);
    const { invitation: fresher } = await json<{ invitation: string }>([
      '--home',
      founder,
      'invite',
    ]);
    expect(fresher).not.toBe(oldInvitation);
    await json(['--home', fresh, 'join', fresher]);
    await run(fresh, ['--no-identity']);
    const synced = await eventually(
      () => json<Status>(['--home', fresh, 'status']).catch(() => null),
      (s) => (s?.transactions?.valid ?? 0) > 0,
      40_000,
    );
    expect(synced?.transactions?.valid).toBeGreaterThan(0);
    // The old invitation reaches only Bob, who is outside too: nothing from after the removal.
    const outside = await json<Status>(['--home', late, 'status']);
    expect(outside.transactions?.valid ?? 0).toBeLessThanOrEqual(bobAfter.transactions?.valid ?? 0);
    const seenOutside = await json<Balance>(['--home', late, 'balance', f]).catch(() => null);
    expect(seenOutside?.available ?? '0').not.toBe('12');
  }, 240_000);
});
