// A stock Yjs/y-webrtc client that holds the join secret attacks three honest peers: mass
// deletion, garbage, forged signatures, another network's transactions, oversized values,
// wrong value types and overwrites. Honest state must not move, and deleted entries come back.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { fromHex, toHex } from '../../shared/bytes.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { identity, newLedger, transfer } from '../helpers/network.ts';
import {
  createCluster,
  eventually,
  waitForConvergence,
  type Cluster,
  type PeerProcess,
} from './cluster.ts';

const people = Array.from({ length: 3 }, (_, i) => identity(`hostile-test-${i}`));
/** Runs no peer: signs one transfer that an attacker carries in a message it spoils. */
const outsider = identity('hostile-test-outsider');
let cluster: Cluster;
let honest: PeerProcess[];

class Hostile {
  readonly #child: ChildProcess;
  readonly #waiters = new Map<number, (v: unknown) => void>();
  #next = 1;
  constructor(args: object) {
    this.#child = spawn(
      process.execPath,
      [join(import.meta.dirname, 'fixtures', 'hostileClient.ts'), JSON.stringify(args)],
      {
        stdio: ['pipe', 'pipe', process.env.GPOW_TEST_VERBOSE ? 'inherit' : 'ignore'],
      },
    );
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as { id?: number; result?: unknown };
      if (message.id !== undefined) this.#waiters.get(message.id)?.(message.result);
    });
  }
  call<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    if (this.#child.exitCode !== null)
      return Promise.reject(new Error(`the hostile client exited (${this.#child.exitCode})`));
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the hostile client did not answer "${cmd}"`)),
        30_000,
      );
      this.#waiters.set(id, (value) => {
        clearTimeout(timer);
        resolve(value as T);
      });
      this.#child.stdin!.write(`${JSON.stringify({ id, cmd, args })}\n`);
    });
  }
  async until(cmd: string, predicate: (v: number) => boolean, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await this.call<number>(cmd);
      if (predicate(value)) return value;
      if (Date.now() > deadline) throw new Error(`hostile client: ${cmd} stayed at ${value}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  stop(): void {
    this.#child.kill('SIGKILL');
  }
}

let hostile: Hostile;

beforeAll(async () => {
  cluster = await createCluster({
    founder: people[0]!,
    witnesses: [people[0]!],
    allocations: [...people, outsider].map((p) => [p, 500n] as const),
  });
  const founder = await cluster.spawnPeer('honest-0', people[0]);
  await cluster.spawnPeer('honest-1', people[1], { relays: [founder.started.relayUrl!] });
  await cluster.spawnPeer('honest-2', people[2], { relays: [founder.started.relayUrl!] });
  honest = cluster.peers;
  await waitForConvergence(honest, 30_000, (s) => s.every((x) => x.transactions !== null));
  await honest[1]!.call('transfer', { to: people[2]!.key, amount: '40' });
  await honest[2]!.call('transfer', { to: people[0]!.key, amount: '15' });
  await waitForConvergence(honest, 30_000, (s) => s.every((x) => x.transactions!.pending === 0));
  hostile = new Hostile({
    relay: founder.started.relayUrl,
    networkId: cluster.genesis.id,
    secret: cluster.secret,
  });
}, 90_000);

afterAll(async () => {
  hostile?.stop();
  await cluster?.close();
}, 30_000);

async function snapshot() {
  const statuses = await Promise.all(honest.map((p) => p.status()));
  const sizes = await Promise.all(honest.map((p) => p.call<number>('docSize')));
  return {
    roots: statuses.map((s) => s.stateRoot),
    valid: statuses[0]!.transactions!.valid,
    sizes,
  };
}

/** A new attacker process, connected to the first honest peer and synced to `size` entries. */
async function freshAttacker(size: number): Promise<Hostile> {
  const attacker = new Hostile({
    relay: honest[0]!.started.relayUrl,
    networkId: cluster.genesis.id,
    secret: cluster.secret,
  });
  try {
    await attacker.until('size', (n) => n >= size, 30_000);
  } catch (error) {
    attacker.stop();
    throw error;
  }
  return attacker;
}

const hostileEvents = () =>
  honest.flatMap((p) => p.events.filter((e) => e.type === 'peer-hostile'));

describe('a hostile room member running stock Yjs and y-webrtc', () => {
  it('syncs like anyone, then mass-deletes: every deleted entry comes back', async () => {
    const before = await snapshot();
    await hostile.until('size', (n) => n === before.valid, 30_000);
    expect(await hostile.call<number>('delete-all')).toBe(0);
    // Honest peers put every valid transaction back, and the hostile client receives them too.
    await hostile.until('size', (n) => n === before.valid, 30_000);
    const after = await snapshot();
    expect(after.roots).toEqual(before.roots);
    expect(after.sizes).toEqual(before.sizes);
    expect(honest.some((p) => p.events.some((e) => e.type === 'restored'))).toBe(true);
    // Stock clients do not screen each other: this one leaves before the next attacks, so
    // every attacker below meets only honest peers.
    hostile.stop();
  }, 60_000);

  it('cannot get garbage, forgeries, foreign or oversized entries into any honest peer', async () => {
    const before = await snapshot();
    const elsewhere = await newLedger({
      witnesses: [people[0]!],
      allocations: [[people[0]!, 9n]],
      name: 'elsewhere',
    });
    const foreign = (await transfer(elsewhere, people[0]!, people[1]!, 1n)).tx;
    // A real, correctly signed transaction (the genesis) for the forgery to start from.
    const real = await honest[0]!.call<string>('networkTx');
    const attacks: Array<[string, Record<string, unknown>]> = [
      ['garbage', {}],
      ['forged', { hex: real }],
      ['replay', { hex: toHex(foreign.bytes) }],
      ['oversized', {}],
      ['wrong-type', {}],
      ['overwrite', {}],
    ];
    for (const [cmd, args] of attacks) {
      // Each attack comes from a fresh attacker process, as a determined attacker who has been
      // disconnected simply comes back as a new peer.
      const attacker = await freshAttacker(before.sizes[0]!);
      try {
        const seen = hostileEvents().length;
        await attacker.call(cmd, args);
        // The connection that carried the attack is closed by the honest peer that received it.
        const deadline = Date.now() + 20_000;
        while (hostileEvents().length === seen && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(hostileEvents().length, `no honest peer reacted to "${cmd}"`).toBeGreaterThan(seen);
        const now = await snapshot();
        expect(now.roots).toEqual(before.roots);
        expect(now.sizes).toEqual(before.sizes);
      } finally {
        attacker.stop();
      }
    }
    const reasons = hostileEvents().map((e) => String(e.reason));
    expect(reasons.some((r) => /valid transaction|keyed/.test(r))).toBe(true);
    expect(reasons.some((r) => /another network/.test(r))).toBe(true);
    expect(reasons.some((r) => /oversized/.test(r))).toBe(true);
    expect(reasons.some((r) => /not binary/.test(r))).toBe(true);
    // Memory stays bounded: garbage never entered an honest doc.
    for (const peer of honest) {
      expect(await peer.call<number>('memory')).toBeLessThan(400 * 1024 * 1024);
    }
  }, 240_000);

  it('keeps a valid transaction that came in a message it refused', async () => {
    // An honest peer takes in an incoming message's valid entries as their signatures check
    // out, before the rest of the message is judged. If the message is then refused, those
    // transactions are still valid: they must end up everywhere, not only in one ledger.
    const before = await snapshot();
    const valid = signTx(outsider.secret, {
      net: cluster.genesis.id,
      seq: 0,
      prev: null,
      deps: [],
      type: 'transfer',
      body: { to: fromHex(people[1]!.key), amount: 7n },
      time: 1,
    });
    const id = createHash('sha256').update(valid).digest('hex');
    const attacker = await freshAttacker(before.sizes[0]!);
    try {
      const seen = hostileEvents().length;
      await attacker.call('smuggle', { hex: toHex(valid) });
      // Every honest peer comes to hold it (the witness's votes on it add more transactions,
      // so counts are compared among peers, not with a number fixed beforehand).
      const states = await eventually(
        () => Promise.all(honest.map((p) => p.call<{ state: string }>('statusOf', { id }))),
        (all) => all.every((s) => s.state !== 'unknown'),
      );
      expect(states.map((s) => s.state)).not.toContain('unknown');
      await waitForConvergence(honest, 30_000, (all) =>
        all.every((x) => x.transactions!.pending === 0),
      );
      expect(hostileEvents().length).toBeGreaterThan(seen);
      const after = await snapshot();
      expect(new Set(after.roots).size).toBe(1);
      expect(after.valid).toBeGreaterThan(before.valid);
      // Every doc holds exactly the valid transactions: the smuggled one is in, the junk is not.
      expect(after.sizes).toEqual(honest.map(() => after.valid));
    } finally {
      attacker.stop();
    }
  }, 90_000);

  it('leaves the honest network working', async () => {
    await honest[1]!.call('transfer', { to: people[0]!.key, amount: '5' });
    await waitForConvergence(honest, 30_000, (s) => s.every((x) => x.transactions!.pending === 0));
  }, 60_000);
});
