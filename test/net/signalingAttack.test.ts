// Issue 13: no remote input may kill a peer. Four honest peers (two of them witnesses) run a
// network over real WebRTC on 127.0.0.1 while three others join its room: a GPoW peer whose
// invitation has one wrong character in its join secret, a client publishing garbage and
// malformed signaling through the relay, and stock clients that vanish mid-handshake. Every
// honest peer must stay up and keep finalizing; the wrong-secret peer must be told why it
// reaches nobody. (Unpatched, the first undecryptable message ended every honest peer.)
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TxId } from '../../shared/ids.ts';
import { INVITATION_MISMATCH } from '../../shared/replication/signalingHealth.ts';
import { identity } from '../helpers/network.ts';
import {
  createCluster,
  eventually,
  PeerProcess,
  waitForConvergence,
  type Cluster,
} from './cluster.ts';

const people = Array.from({ length: 4 }, (_, i) => identity(`signaling-attack-${i}`));
const typo = identity('signaling-attack-typo');
let cluster: Cluster;
let honest: PeerProcess[];

/** The secret with one character changed, as a mistyped copy would have it. */
const mistyped = (secret: string): string =>
  `${secret.slice(0, 5)}${secret[5] === 'x' ? 'y' : 'x'}${secret.slice(6)}`;

function runFixture(script: string, args: object): Promise<{ code: number | null; out: string }> {
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, 'fixtures', script), JSON.stringify(args)],
    {
      stdio: ['ignore', 'pipe', process.env.GPOW_TEST_VERBOSE ? 'inherit' : 'ignore'],
    },
  );
  let out = '';
  createInterface({ input: child.stdout }).on('line', (line) => (out += `${line}\n`));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

/** A stock y-webrtc client with the right secret, SIGKILLed while its handshakes are under way. */
async function vanishMidHandshake(relay: string, afterMs: number): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      join(import.meta.dirname, 'fixtures', 'hostileClient.ts'),
      JSON.stringify({ relay, networkId: cluster.genesis.id, secret: cluster.secret }),
    ],
    { stdio: ['pipe', 'ignore', 'ignore'] },
  );
  await new Promise((resolve) => setTimeout(resolve, afterMs));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  cluster = await createCluster({
    founder: people[0]!,
    witnesses: people.slice(0, 2),
    allocations: [...people.map((p) => [p, 1000n] as const), [typo, 100n] as const],
  });
  const founder = await cluster.spawnPeer('honest-0', people[0]);
  for (let i = 1; i < people.length; i++) {
    await cluster.spawnPeer(`honest-${i}`, people[i], { relays: [founder.started.relayUrl!] });
  }
  honest = [...cluster.peers];
  await waitForConvergence(honest, 30_000, (s) => s.every((x) => x.transactions !== null));
}, 60_000);

afterAll(async () => cluster?.close(), 30_000);

const allFinal = (s: Array<{ transactions: { pending: number } | null }>) =>
  s.every((x) => x.transactions !== null && x.transactions.pending === 0);

describe('hostile signaling in a live network', () => {
  it('a wrong secret, garbage signaling and vanishing peers leave all four honest peers finalizing', async () => {
    const relay = honest[0]!.started.relayUrl!;
    const wrong = await PeerProcess.spawn('typo', {
      dataDir: join(cluster.dir, 'typo'),
      networkId: cluster.genesis.id,
      secret: mistyped(cluster.secret),
      relays: [relay],
      identity: typo,
    });
    const attack = runFixture('signalingAttacker.ts', {
      relay,
      networkId: cluster.genesis.id,
      secret: cluster.secret,
      durationMs: 4_000,
    });
    for (const afterMs of [300, 700, 1200]) await vanishMidHandshake(relay, afterMs);
    const attacked = await attack;
    expect(attacked.code).toBe(0);
    // The attacker heard the honest peers announce, so its addressed garbage reached them.
    const report = JSON.parse(attacked.out.trim()) as { done: boolean; heard: number };
    expect(report.done).toBe(true);
    expect(report.heard).toBeGreaterThan(0);

    // The peer with the typo is told, on its own side, why nobody answers; it reached nobody.
    const typoStatus = await eventually(
      () => wrong.call<{ problems: string[]; peers: number }>('status'),
      (s) => s.problems.includes(INVITATION_MISMATCH),
      20_000,
    );
    expect(typoStatus.problems).toContain(INVITATION_MISMATCH);
    expect(typoStatus.peers).toBe(0);

    // Every honest peer is still up, and a new payment becomes final on all four.
    const paid = await honest[3]!.call<TxId>('transfer', { to: people[1]!.key, amount: '7' });
    await waitForConvergence(honest, 60_000, allFinal);
    for (const peer of honest) {
      expect((await peer.call<{ state: string }>('statusOf', { id: paid })).state).toBe('final');
    }
    // Honest peers heard the undecryptable messages and said so, blaming the relay.
    const warned = honest.some((peer) =>
      peer.events.some(
        (e) =>
          e.type === 'warning' &&
          /signaling messages? that could not be read/.test(String(e.message)),
      ),
    );
    expect(warned).toBe(true);
    await wrong.stop();
  }, 120_000);
});
