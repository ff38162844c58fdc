// Checkpoints with real peers (docs/protocol.md §14, issue 17), through the real `gpow` command,
// one process per machine over real WebRTC on 127.0.0.1: three witnesses and a member, each
// peer run with `--checkpoint-every 12`. The member pays until a checkpoint is certified; then
// `gpow status --json` on every peer, witness or member, names the same certified checkpoint
// (number and root), and the payments made before and after it are final everywhere.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { sizeText } from '../../node/cli/checkpoint.ts';
import { cliHarness, stop } from './cliHarness.ts';

const { gpow, json, run, stopAll, logs } = cliHarness();
let dir = '';
const started = Date.now();
const steps: string[] = [];
const mark = (step: string) =>
  steps.push(`${((Date.now() - started) / 1000).toFixed(1)} s ${step}`);

afterAll(async () => {
  await stopAll();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 20_000);

interface Checkpoints {
  latest: { n: number; root: string; size: number; proposer: string } | null;
  pending: number;
  every: number;
}
type Status = {
  address?: string | null;
  checkpoints?: Checkpoints | null;
  base?: number | null;
  epochs?: number[];
  synced?: boolean;
  links?: Array<{ bytesIn: number }>;
};
type Balance = { available: string; pending: string };
type Row = { amount: string; status: string };

/**
 * Polls `read` every half second until `ok` holds, and fails naming `what` and the last value
 * read when it does not within `ms`: a stuck step says where it stuck, not only "timed out".
 */
async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${ms / 1000} s; last seen ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The certified checkpoint a peer names, as "n root", or null. */
const certified = (s: Status | null) =>
  s?.checkpoints?.latest ? `${s.checkpoints.latest.n} ${s.checkpoints.latest.root}` : null;

describe('checkpoints with real peers', () => {
  it('certifies a checkpoint that every peer names alike, and payments stay final', async () => {
    onTestFailed(() => {
      const tails = [...logs].map(([home, log]) => `--- ${home}\n${log.slice(-2000)}`);
      console.error(['steps reached:', ...steps, ...tails].join('\n'));
    });
    dir = await mkdtemp(join(tmpdir(), 'gpow-checkpoints-'));
    const homes = ['w0', 'w1', 'w2', 'member'].map((n) => join(dir, n));
    const [w0, w1, w2, member] = homes as [string, string, string, string];
    const ids = await Promise.all(
      homes.map((h) =>
        json<{ address: string }>(['--home', h, 'identity', 'create', '--fast-kdf']),
      ),
    );
    const [, , , m] = ids as [unknown, unknown, unknown, { address: string }];
    const payee = ids[1]!.address;
    await json([
      '--home',
      w0,
      'network',
      'create',
      '--name',
      'Checkpoint Co-op',
      ...ids.slice(0, 3).flatMap((id) => ['--witness', id.address]),
      '--alloc',
      `${m.address}=1000`,
    ]);
    const every = ['--checkpoint-every', '12'];
    await run(w0, every);
    const { invitation } = await json<{ invitation: string }>(['--home', w0, 'invite']);
    // Each home writes only its own files: the joins run side by side.
    await Promise.all([w1, w2, member].map((h) => json(['--home', h, 'join', invitation])));
    // The member keeps the whole history for those who join without a snapshot (§14.11).
    // w1, the payee, prunes its log at every certified checkpoint (by default only once that
    // drops 10,000 records or more).
    const pruning = [...every, '--prune-after', '1'];
    const w1Run = await run(w1, pruning);
    await run(w2, every);
    await run(member, [...every, '--archive']);
    const status = (h: string) => json<Status>(['--home', h, 'status']).catch(() => null);
    const balance = () => json<Balance>(['--home', member, 'balance']).catch(() => null);
    await until('the member receives the ledger', balance, (b) => b?.available === '1000', 60_000);
    const before = await status(member);
    expect(before?.checkpoints).toEqual({ latest: null, pending: 0, every: 12 });
    mark('four peers running');

    // Each payment brings the witnesses' votes with it: a few make 12 transactions.
    let paid = 0;
    const deadline = Date.now() + 120_000;
    while (certified(await status(w0)) === null) {
      if (Date.now() > deadline || paid >= 40)
        throw new Error(
          `no checkpoint was certified after ${paid} payments: w0 says ${JSON.stringify((await status(w0))?.checkpoints)}`,
        );
      await json(['--home', member, 'send', payee, '1']);
      paid++;
      await new Promise((r) => setTimeout(r, 500));
    }
    mark(`a checkpoint certified after ${paid} payments`);

    // Every peer, witness or member, names the same certified checkpoint, and none is pending.
    const views = await until(
      'every peer names the same certified checkpoint',
      () => Promise.all(homes.map(status)),
      (all) =>
        all.every((s) => certified(s) !== null && s?.checkpoints?.pending === 0) &&
        new Set(all.map(certified)).size === 1,
      60_000,
    );
    const latest = views[0]!.checkpoints!.latest!;
    expect(latest.n).toBeGreaterThanOrEqual(1);
    expect(latest.root).toMatch(/^[0-9a-f]{64}$/);
    expect(latest.size).toBeGreaterThan(0);
    // The proposer is one of the witnesses (status names each peer's key as its address).
    expect(views.slice(0, 3).map((s) => s?.address)).toContain(latest.proposer);
    const line = await gpow(['--home', member, 'status']);
    expect(line.stdout).toContain(
      `Checkpoint ${latest.n} certified (state ${sizeText(latest.size)}, root ${latest.root.slice(0, 8)}…)`,
    );
    // Every witness computed the state and found the root (engine/checkpoints.ts says so when
    // it cannot, or finds it different; a proposal planned again is no such warning).
    const refused =
      /Checkpoint \d+ (cannot be checked|cannot be made|by witness \S+ states a ledger state)/;
    for (const h of [w0, w1, w2]) expect(logs.get(h) ?? '').not.toMatch(refused);
    mark(`checkpoint ${latest.n} on every peer`);

    // Payments keep working after it, and every one, before and after, is final.
    for (let i = 0; i < 3; i++) await json(['--home', member, 'send', payee, '2']);
    const spent = String(1000 - paid - 6);
    await until(
      'the payments after the checkpoint become final',
      balance,
      (b) => b?.available === spent && b.pending === '0',
      60_000,
    );
    const histories = await Promise.all(
      [member, w1].map((h) => json<Row[]>(['--home', h, 'history'])),
    );
    for (const rows of histories) {
      expect(rows).toHaveLength(paid + 3);
      expect(rows.filter((r) => r.status !== 'final')).toEqual([]);
    }
    // No peer went back: each still names that checkpoint or a later certified one.
    for (const s of await Promise.all(homes.map(status)))
      expect(s?.checkpoints?.latest?.n).toBeGreaterThanOrEqual(latest.n);
    mark('payments final after the checkpoint');

    // Every peer moved its replication to the room of the latest certified checkpoint, keeping
    // the one before it open for a minute for peers a little behind (§14.11); the archive (the
    // member) keeps the first room, the whole history, too.
    const moved = await until(
      'every peer replicates in the epoch of the latest certified checkpoint',
      () => Promise.all(homes.map(status)),
      (all) => all.every((s) => s?.epochs?.at(-1) === s?.checkpoints?.latest?.n),
      30_000,
    );
    for (const s of moved) expect(s?.epochs?.filter((e) => e > 0).length).toBeLessThanOrEqual(2);
    expect(moved[3]?.epochs?.[0]).toBe(0);
    for (const h of homes)
      expect(logs.get(h)).toContain(
        `Checkpoint ${latest.n} is certified: replicating what follows it`,
      );
    const fullJoinBytes = (await status(member))?.links?.reduce((sum, l) => sum + l.bytesIn, 0);

    // A newcomer joins now: it takes the certified state from the snapshot room instead of the
    // history before it (§14.10), says so, and pays and is paid like anyone.
    const late = join(dir, 'late');
    const newcomer = await json<{ address: string }>([
      '--home',
      late,
      'identity',
      'create',
      '--fast-kdf',
    ]);
    await json(['--home', late, 'join', invitation]);
    const lateRun = await run(late, every);
    const based = await until(
      'the newcomer starts from a certified state',
      () => status(late),
      (s) => typeof s?.base === 'number' && s.checkpoints?.latest !== null,
      60_000,
    );
    if (!based) throw new Error('no status');
    expect(based.base).toBeGreaterThanOrEqual(1);
    expect(logs.get(late)).toContain(
      `Started from the certified state of checkpoint ${based.base}: the history before it is not fetched.`,
    );
    expect(logs.get(late)).not.toMatch(/No snapshot offered could be used/);
    // It replicates only in that checkpoint's epoch: the history before it never reaches it.
    expect(based.epochs).toEqual([based.base]);
    mark(`the newcomer started from checkpoint ${based.base}`);
    await json(['--home', member, 'send', newcomer.address, '5']);
    const lateBalance = () => json<Balance>(['--home', late, 'balance']).catch(() => null);
    await until('the newcomer is paid', lateBalance, (b) => b?.available === '5', 60_000);
    await json(['--home', late, 'send', payee, '2']);
    await until(
      "the newcomer's payment becomes final",
      lateBalance,
      (b) => b?.available === '3' && b.pending === '0',
      60_000,
    );
    // The member sees the same balance for it as the newcomer does.
    const seen = await json<{ available: string }>(['--home', member, 'balance', newcomer.address]);
    expect(seen.available).toBe('3');
    // What reached the newcomer over the network's rooms: the tail since the cut, much less
    // than what the member, who joined at the genesis, received of the same history.
    const lateBytes = (await status(late))?.links?.reduce((sum, l) => sum + l.bytesIn, 0);
    mark(`bytes received: newcomer ${lateBytes}, member ${fullJoinBytes}`);
    mark('the newcomer paid and was paid');

    // Restarted, it builds on the base it kept, not on a history it never had.
    await stop(lateRun);
    const lateRestarted = await run(late, every);
    const again = await until(
      'the restarted newcomer is back',
      () => status(late),
      (s) => s?.base === based.base && s?.synced === true,
      60_000,
    );
    expect(again?.base).toBe(based.base);
    expect((await lateBalance())?.available).toBe('3');
    expect(logs.get(late)).not.toMatch(/cannot be (used|read)/);
    mark('the newcomer restarted on its base');

    // Away while the group certifies two more checkpoints, it comes back to rooms nobody is in
    // any more: it takes the newer certified state from the snapshot room and carries on.
    await stop(lateRestarted);
    const away = (await status(w0))?.checkpoints?.latest?.n ?? 0;
    const target = Math.max(away, based.base ?? 0) + 2;
    let more = 0;
    while (((await status(w0))?.checkpoints?.latest?.n ?? 0) < target) {
      if (more++ > 40) throw new Error(`checkpoint ${target} was not certified after 40 payments`);
      await json(['--home', member, 'send', payee, '1']);
      await new Promise((r) => setTimeout(r, 500));
    }
    await until(
      'every running peer replicates in the new epoch',
      () => Promise.all([w0, w1, w2, member].map(status)),
      (all) => all.every((s) => (s?.epochs?.at(-1) ?? 0) >= target),
      30_000,
    );
    mark(`checkpoint ${target} certified while the newcomer was away`);
    await run(late, every);
    const caught = await until(
      'the peer away for two checkpoints takes the newer certified state',
      () => status(late),
      (s) => (s?.base ?? 0) >= target && s?.epochs?.at(-1) === s?.base,
      90_000,
    );
    expect(logs.get(late)).toContain('This peer was more than one checkpoint behind');
    // Everything it had is still there, and it is paid and pays on.
    expect((await lateBalance())?.available).toBe('3');
    await json(['--home', member, 'send', newcomer.address, '4']);
    await until('the caught-up peer is paid', lateBalance, (b) => b?.available === '7', 60_000);
    mark(`the peer away caught up at checkpoint ${caught?.base}`);

    // A member joining without a snapshot gets the whole history from the archive (the member),
    // the only peer still in the network's first room, and then moves on with everyone.
    const whole = join(dir, 'whole');
    const wholeId = await json<{ address: string }>([
      '--home',
      whole,
      'identity',
      'create',
      '--fast-kdf',
    ]);
    await json(['--home', whole, 'join', invitation]);
    await run(whole, [...every, '--no-snapshots']);
    const full = await until(
      'the member without a snapshot holds the whole history',
      () => Promise.all([status(whole), status(member)]),
      ([w, m]) =>
        w?.base === null &&
        (w?.checkpoints?.latest?.n ?? 0) >= target &&
        w?.epochs?.at(-1) === m?.epochs?.at(-1),
      90_000,
    );
    expect(full[1]?.epochs?.[0]).toBe(0);
    const history = await json<Row[]>(['--home', whole, 'history', payee]);
    expect(history.length).toBeGreaterThanOrEqual(paid);
    await json(['--home', member, 'send', wholeId.address, '6']);
    const wholeBalance = () => json<Balance>(['--home', whole, 'balance']).catch(() => null);
    await until(
      'the member without a snapshot is paid',
      wholeBalance,
      (b) => b?.available === '6',
      60_000,
    );
    mark('a member joined with the whole history from the archive');
    // Leaving the room of an earlier epoch after its minute does not make a peer unsynced.
    for (const s of await Promise.all([w0, w1, w2, member].map(status)))
      expect(s?.synced).toBe(true);

    // w1 dropped from its log what the checkpoints cover (§14.12). Restarted, it reads its base
    // and the tail, and its balance and its whole history, before the cut too, are the same.
    expect(logs.get(w1)).toMatch(/Pruned the log at checkpoint \d+: \d+ records it covers dropped/);
    const rowsBefore = await json<Row[]>(['--home', w1, 'history']);
    const balanceBefore = await json<Balance>(['--home', w1, 'balance']);
    expect(rowsBefore.length).toBeGreaterThanOrEqual(paid + 3);
    await stop(w1Run);
    await run(w1, pruning);
    const back = await until(
      'the pruned witness is back on its base',
      () => status(w1),
      (s) => typeof s?.base === 'number' && s.synced === true,
      60_000,
    );
    expect(back?.base).toBeGreaterThanOrEqual(target);
    expect(await json<Row[]>(['--home', w1, 'history'])).toEqual(rowsBefore);
    expect(await json<Balance>(['--home', w1, 'balance'])).toEqual(balanceBefore);
    expect(logs.get(w1)).not.toMatch(/cannot be (used|read|checked)/);
    mark(`w1 restarted on its pruned log at checkpoint ${back?.base}`);
  }, 600_000);
});
