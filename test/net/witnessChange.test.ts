// A group whose witnesses come and go (docs/protocol.md §13), through the real `gpow` command
// with one process per machine over real WebRTC on 127.0.0.1. Four witnesses; one laptop is
// lost. The other three replace it with a newcomer, the set hands over, and when a second
// witness goes away the remaining two plus the replacement still make payments final. The lost
// witness, back online, cannot propose. Then the newcomer leaves too: two of four are gone, a
// payment stays pending and status names the witnesses not seen; no change can be agreed, so
// the two left re-found the network (§13.6), every member follows, the balances are there and
// payments are final again.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { cliHarness, freePort, stop } from './cliHarness.ts';
import { eventually } from './cluster.ts';

const { gpow, json, run, stopAll, logs } = cliHarness();
let dir = '';
// When the test fails, the steps it reached and when, and the end of each peer's log: a slow
// or stuck step is then named in CI's output rather than only "timed out".
const started = Date.now();
const steps: string[] = [];
const mark = (step: string) =>
  steps.push(`${((Date.now() - started) / 1000).toFixed(1)} s ${step}`);

afterAll(async () => {
  await stopAll();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 20_000);

type Balance = { available: string; pending: string; balance: string };
type Status = { networkId: string; problems?: string[] };
type Report = {
  epoch: number;
  witnesses: Array<{ key: string }>;
  changes: Array<{ id: string; state: string; backers: string[] }>;
};

describe('a group whose witnesses come and go', () => {
  it('replaces a lost witness, then re-founds when too many are gone', async () => {
    onTestFailed(() => {
      const tails = [...logs].map(([home, log]) => `--- ${home}\n${log.slice(-2000)}`);
      console.error(['steps reached:', ...steps, ...tails].join('\n'));
    });
    dir = await mkdtemp(join(tmpdir(), 'gpow-witnesses-'));
    const homes = ['w0', 'w1', 'w2', 'w3', 'w4', 'member'].map((n) => join(dir, n));
    const [w0, w1, w2, w3, w4, member] = homes as [string, string, string, string, string, string];
    const ids = await Promise.all(
      homes.map((h) =>
        json<{ address: string; key: string }>(['--home', h, 'identity', 'create', '--fast-kdf']),
      ),
    );
    const addr = (i: number) => (ids[i] as { address: string }).address;
    const created = await json<{ networkId: string }>([
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
    mark('network created');
    // A fixed relay port: after the re-founding, w0's relay is where the invitation said.
    const relayPort = await freePort();
    const peers = new Map<string, ChildProcess>();
    peers.set(w0, await run(w0, ['--relay-port', relayPort]));
    const { invitation } = await json<{ invitation: string }>(['--home', w0, 'invite']);
    // Each home writes only its own files: the joins run side by side.
    await Promise.all([w1, w2, w3, w4, member].map((h) => json(['--home', h, 'join', invitation])));
    for (const h of [w1, w2, w3, member]) peers.set(h, await run(h));

    const paid = (amount: string) =>
      eventually(
        () => json<Balance>(['--home', member, 'balance', addr(0)]).catch(() => null),
        (v) => v?.available === amount && v.pending === '0',
        60_000,
      );
    await json(['--home', member, 'send', addr(0), '10']);
    expect(await paid('10')).toMatchObject({ available: '10' });

    mark('first payment final; witness3 stops');
    // witness3's laptop is lost. Payments still become final: 3 of 4 is the quorum.
    await stop(peers.get(w3) as ChildProcess);
    await json(['--home', member, 'send', addr(0), '10']);
    expect(await paid('20')).toMatchObject({ available: '20' });

    mark('second payment final; proposing');
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
    mark('proposed; approving');
    // Each witness approves on its own machine, once the proposal has reached it.
    await Promise.all(
      [w1, w2].map((h) =>
        eventually(
          () => gpow(['--home', h, 'witness', 'approve', proposed.id.slice(0, 12), '--json']),
          (r) => r.code === 0,
          40_000,
        ),
      ),
    );
    mark('approved; waiting for the hand-over');
    const handedOver = await eventually(
      () => json<Report>(['--home', member, 'witness', 'list']).catch(() => null),
      (r) => r?.epoch === 1,
      60_000,
    );
    expect(handedOver?.witnesses.map((w) => w.key)).not.toContain(ids[3]?.key);
    expect(handedOver?.changes[0]?.state).toBe('in effect');

    mark('handed over; w4 starts, w2 stops');
    // The replacement starts; a second witness goes away; the other two and the newcomer suffice.
    peers.set(w4, await run(w4));
    await stop(peers.get(w2) as ChildProcess);
    await json(['--home', member, 'send', addr(0), '10']);
    expect(await paid('30')).toMatchObject({ available: '30' });

    mark('third payment final; w3 back');
    // The lost laptop comes back: it is no longer a witness and cannot propose.
    peers.set(w3, await run(w3));
    const refused = await gpow(['--home', w3, 'witness', 'add', addr(2)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/only a witness can propose/);

    mark('w4 stops; waiting for stuck finality');
    // Now the newcomer leaves too: two of the four are gone. The next payment cannot become
    // final, and status names the witnesses not seen.
    await stop(peers.get(w4) as ChildProcess);
    await json(['--home', member, 'send', addr(0), '5']);
    const stuck = await eventually(
      () => json<Status>(['--home', member, 'status']).catch(() => null),
      (s) => (s?.problems ?? []).some((p) => p.startsWith('Finality is stuck')),
      90_000,
    );
    const sentence = (stuck?.problems ?? []).find((p) => p.startsWith('Finality is stuck')) ?? '';
    expect(sentence).toContain(addr(2));
    expect(sentence).toContain(addr(4));
    expect(sentence).toMatch(/only 2 of the 3 witnesses needed/);

    mark('stuck reported; re-founding');
    // No change can be agreed without a quorum: the two left re-found with witness3 back in.
    const refounded = await json<{ networkId: string }>([
      '--home',
      w0,
      'network',
      'refound',
      ...[0, 1, 3].flatMap((i) => ['--witness', addr(i)]),
    ]);
    expect(refounded.networkId).not.toBe(created.networkId);
    await eventually(
      () => json<Status>(['--home', member, 'status']).catch(() => null),
      (s) => (s?.problems ?? []).some((p) => p.includes('re-founded this network')),
      40_000,
    );
    const running = await gpow(['--home', member, 'network', 'follow']);
    expect(running.stderr).toMatch(/stop "gpow run" first/);
    mark('members told; stopping to follow');
    const movers = [w0, w1, w3, member];
    // Each on its own machine: they stop and follow side by side, as people would.
    await Promise.all(movers.map((h) => stop(peers.get(h) as ChildProcess)));
    const follows = await Promise.all(
      movers.map((h) =>
        json<{ networkId: string; archive: string }>(['--home', h, 'network', 'follow']),
      ),
    );
    for (const moved of follows) {
      expect(moved.networkId).toBe(refounded.networkId);
      expect((await stat(moved.archive)).isDirectory()).toBe(true);
    }
    peers.set(w0, await run(w0, ['--relay-port', relayPort]));
    for (const h of [w1, w3, member]) peers.set(h, await run(h));
    mark('followed and restarted; waiting for balances');
    // The balance carried over (the 5 still pending counts as sent), and payments are final.
    const carried = await eventually(
      () => json<Balance>(['--home', member, 'balance']).catch(() => null),
      (v) => v?.balance === '965',
      60_000,
    );
    expect(carried).toMatchObject({ available: '965' });
    await json(['--home', member, 'send', addr(0), '15']);
    expect(await paid('50')).toMatchObject({ available: '50' });
  }, 420_000);
});
