// Replacing a lost witness (docs/protocol.md §13), through the real `gpow` command with one
// process per machine over real WebRTC on 127.0.0.1. Four witnesses; one laptop is lost. The
// other three replace it with a newcomer, the set hands over, and when a second witness goes
// away the remaining two plus the replacement still make payments final. The lost witness,
// back online, can no longer vote.
import type { ChildProcess } from 'node:child_process';
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

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

type Balance = { available: string; pending: string };
type Report = {
  epoch: number;
  witnesses: Array<{ key: string }>;
  changes: Array<{ id: string; state: string; backers: string[] }>;
};

describe('a group replaces a lost witness', () => {
  it('three of four replace the fourth, and the new set makes payments final', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gpow-witnesses-'));
    const homes = ['w0', 'w1', 'w2', 'w3', 'w4', 'member'].map((n) => join(dir, n));
    const [w0, w1, w2, w3, w4, member] = homes as [string, string, string, string, string, string];
    const ids = await Promise.all(
      homes.map((h) =>
        json<{ address: string; key: string }>(['--home', h, 'identity', 'create', '--fast-kdf']),
      ),
    );
    const addr = (i: number) => (ids[i] as { address: string }).address;
    await json([
      '--home',
      w0,
      'network',
      'create',
      '--name',
      'Co-op',
      ...[0, 1, 2, 3].flatMap((i) => ['--witness', addr(i)]),
      '--alloc',
      `${addr(5)}=1000`,
    ]);
    const peers = new Map<string, ChildProcess>();
    peers.set(w0, await run(w0));
    const { invitation } = await json<{ invitation: string }>(['--home', w0, 'invite']);
    for (const h of [w1, w2, w3, w4, member]) await json(['--home', h, 'join', invitation]);
    for (const h of [w1, w2, w3, member]) peers.set(h, await run(h));

    const paid = (amount: string) =>
      eventually(
        () => json<Balance>(['--home', member, 'balance', addr(0)]).catch(() => null),
        (v) => v?.available === amount && v.pending === '0',
        60_000,
      );
    await json(['--home', member, 'send', addr(0), '10']);
    expect(await paid('10')).toMatchObject({ available: '10' });

    // witness3's laptop is lost. Payments still become final: 3 of 4 is the quorum.
    await stop(peers.get(w3) as ChildProcess);
    await json(['--home', member, 'send', addr(0), '10']);
    expect(await paid('20')).toMatchObject({ available: '20' });

    // A member who is not a witness cannot propose; a witness proposes the replacement.
    const notWitness = await gpow(['--home', member, 'witness', 'replace', addr(3), addr(4)]);
    expect(notWitness.code).toBe(1);
    expect(notWitness.stderr).toMatch(/only a witness can propose a change of the witnesses/);
    const proposed = await json<{ id: string; needed: number }>([
      '--home',
      w0,
      'witness',
      'replace',
      addr(3),
      addr(4),
    ]);
    expect(proposed.needed).toBe(3);
    const badPrefix = await gpow(['--home', w1, 'witness', 'approve', 'abc']);
    expect(badPrefix.stderr).toMatch(/at least its first 8 hex digits/);
    for (const h of [w1, w2]) {
      // The proposal reaches the other witnesses first.
      await eventually(
        () => gpow(['--home', h, 'witness', 'approve', proposed.id.slice(0, 12), '--json']),
        (r) => r.code === 0,
        40_000,
      );
    }
    const handedOver = await eventually(
      () => json<Report>(['--home', member, 'witness', 'list']).catch(() => null),
      (r) => r?.epoch === 1,
      60_000,
    );
    expect(handedOver?.witnesses.map((w) => w.key)).not.toContain(ids[3]?.key);
    expect(handedOver?.changes[0]?.state).toBe('in effect');

    // The replacement starts; a second witness goes away; the other two and the newcomer suffice.
    peers.set(w4, await run(w4));
    await stop(peers.get(w2) as ChildProcess);
    await json(['--home', member, 'send', addr(0), '10']);
    expect(await paid('30')).toMatchObject({ available: '30' });

    // The lost laptop comes back: its peer syncs but its votes no longer count or pass.
    const back = await run(w3);
    const refused = await gpow(['--home', w3, 'witness', 'add', addr(2)]);
    expect(refused.code).toBe(1);
    await stop(back);
    const list = await json<Report>(['--home', w0, 'witness', 'list']);
    expect(list.epoch).toBe(1);
  }, 300_000);
});
