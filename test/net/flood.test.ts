// Writing budgets over real WebRTC (issue 19, docs/protocol.md §15): a member who knows the join
// secret writes a batch of 400 transfers it signed offline with no budget check straight into
// the room's doc, through a stock Yjs client (fixtures/hostileClient.ts), so that nothing of its
// own holds it back. The honest peers, separate processes on 127.0.0.1 in a network founded with
// the default budget, must take exactly what the rule allows and refuse the rest, while an
// honest member's payments made during the flood still become final quickly and their pending
// and waiting counts stay small.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../shared/bytes.ts';
import { BUDGET_SKEW_MS, DEFAULT_BUDGET } from '../../shared/ledger/budget.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { identity, registry } from '../helpers/network.ts';
import { presignTransfers, type Presigned } from '../helpers/presign.ts';
import {
  createCluster,
  eventually,
  waitForConvergence,
  type Cluster,
  type ClusterSpec,
  type PeerProcess,
  type PeerStatusView,
} from './cluster.ts';

const founder = identity('flood-test-founder');
const payer = identity('flood-test-payer');
const observer = identity('flood-test-observer');
/** Runs no peer of its own: it writes into the room through a stock Yjs client. */
const flooder = identity('flood-test-flooder');
const { every, burst } = DEFAULT_BUDGET;
const BATCH = 400;
/** Honest payments made while the flood arrives, one a second. */
const PAYMENTS = 6;
/** Each honest payment is final at the payer within this, flood or not. */
const FINAL_WITHIN_MS = 10_000;
/**
 * What the honest peers may hold unfinished at any moment: the flood's share is what the budget
 * lets through (at most burst + the skew's worth, 240, for a batch dated from the genesis on),
 * not the 400 written; plus the honest payments and a few votes' worth of slack.
 */
const PENDING_CAP = burst + BUDGET_SKEW_MS / every + PAYMENTS + 14;
/** Transactions held for a missing parent: the flood arrives in chain order, so almost none. */
const WAITING_CAP = 20;

let cluster: Cluster;
let honest: PeerProcess[];
let genesisTime: number;

/** Drives fixtures/hostileClient.ts: a stock Yjs room member that writes whatever it is given. */
class RoomWriter {
  readonly #child: ChildProcess;
  readonly #waiters = new Map<number, (value: unknown) => void>();
  #next = 1;
  constructor(args: { relay: string; networkId: string; secret: string }) {
    this.#child = spawn(
      process.execPath,
      [join(import.meta.dirname, 'fixtures', 'hostileClient.ts'), JSON.stringify(args)],
      { stdio: ['pipe', 'pipe', process.env.GPOW_TEST_VERBOSE ? 'inherit' : 'ignore'] },
    );
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as { id?: number; result?: unknown };
      if (message.id !== undefined) this.#waiters.get(message.id)?.(message.result);
    });
  }
  call<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the room writer did not answer "${cmd}"`)),
        20_000,
      );
      this.#waiters.set(id, (value) => {
        clearTimeout(timer);
        resolve(value as T);
      });
      this.#child.stdin!.write(`${JSON.stringify({ id, cmd, args })}\n`);
    });
  }
  stop(): void {
    this.#child.kill('SIGKILL');
  }
}
let writer: RoomWriter | undefined;

beforeAll(async () => {
  genesisTime = Date.now();
  // createCluster hands its spec to genesisOf, which reads the budget and the date.
  const spec: ClusterSpec & { budget: typeof DEFAULT_BUDGET; time: number } = {
    founder,
    witnesses: [founder],
    allocations: [payer, flooder].map((p) => [p, 10_000n] as const),
    budget: DEFAULT_BUDGET,
    time: genesisTime,
  };
  cluster = await createCluster(spec);
  const first = await cluster.spawnPeer('founder', founder);
  const relays = [first.started.relayUrl!];
  await cluster.spawnPeer('payer', payer, { relays });
  await cluster.spawnPeer('observer', observer, { relays });
  honest = cluster.peers;
  await waitForConvergence(honest, 30_000, (s) => s.every((x) => x.transactions !== null));
}, 60_000);

afterAll(async () => {
  writer?.stop();
  await cluster?.close();
}, 30_000);

/** The flood: 400 transfers from the flooder's empty chain, dated `every` apart from the genesis's date. */
function floodBatch(): Presigned[] {
  const result = Ledger.fromGenesis(cluster.genesis, registry);
  if (!result.ok) throw new Error(result.rejection.message);
  return presignTransfers(result.ledger, flooder.secret, flooder.key, observer.key, {
    count: BATCH,
    start: genesisTime,
    step: every,
  });
}

/** One honest payment: ms from asking the payer's peer to pay until it sees it final. */
async function pay(): Promise<number> {
  const payerPeer = cluster.peers[1]!;
  const at = Date.now();
  const id = await payerPeer.call<string>('transfer', { to: observer.key, amount: '1' });
  const final = await eventually(
    () => payerPeer.call<boolean>('isFinal', { id }),
    (yes) => yes,
    FINAL_WITHIN_MS + 5_000,
  );
  return final ? Date.now() - at : Infinity;
}

/** Pays once a second, `count` times. */
async function payEachSecond(count: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = Date.now();
    latencies.push(await pay());
    await new Promise((r) => setTimeout(r, Math.max(0, 1_000 - (Date.now() - at))));
  }
  return latencies;
}

/** Samples every honest peer's counts until `done` resolves. */
async function sampleCounts(done: Promise<unknown>): Promise<PeerStatusView['transactions'][]> {
  const seen: PeerStatusView['transactions'][] = [];
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    for (const status of await Promise.all(honest.map((p) => p.call<PeerStatusView>('status'))))
      seen.push(status.transactions);
    await new Promise((r) => setTimeout(r, 200));
  }
  return seen;
}

describe('a member flooding past its writing budget', () => {
  it('gets only its budget taken, and honest payments stay quick', async () => {
    const batch = floodBatch();
    // The same payments before the flood, for the figures printed below.
    const before = await payEachSecond(3);
    const valid = (await honest[0]!.status()).transactions!.valid;
    const room = new RoomWriter({
      relay: honest[0]!.started.relayUrl!,
      networkId: cluster.genesis.id,
      secret: cluster.secret,
    });
    writer = room;
    await eventually(
      () => room.call<number>('size'),
      (n) => n >= valid,
      30_000,
    );
    const flooding = (async () => {
      for (const tx of batch) await room.call('replay', { hex: toHex(tx.bytes) });
    })();
    const paying = payEachSecond(PAYMENTS);
    const both = Promise.all([flooding, paying]);
    const [samples, [, latencies]] = await Promise.all([sampleCounts(both), both]);

    // §15.1 with no witness votes cited: the floor stays at the genesis's date, the clock rises
    // `every` per transaction up to the skew, so exactly burst + skew / every are taken.
    const allowed = burst + BUDGET_SKEW_MS / every;
    for (const peer of honest) {
      const head = await eventually(
        () => peer.call<{ seq: number } | null>('head', { key: flooder.key }),
        (h) => h?.seq === allowed - 1,
        20_000,
      );
      expect(head?.seq, `${peer.name} took the flooder's chain up to`).toBe(allowed - 1);
      // §15.2's bound, with the latest honest date no later than now.
      expect(allowed).toBeLessThanOrEqual(
        burst + (Date.now() + BUDGET_SKEW_MS - genesisTime) / every,
      );
      const over = await peer.call<{ state: string; rejection?: { code: string } }>('statusOf', {
        id: batch[allowed]!.id,
      });
      expect(over).toMatchObject({ state: 'rejected', rejection: { code: 'over-budget' } });
      const after = await peer.call<{ state: string; rejection?: { code: string } }>('statusOf', {
        id: batch[BATCH - 1]!.id,
      });
      // The rest of the batch follows a refused transaction, so it is refused too.
      expect(after).toMatchObject({
        state: 'rejected',
        rejection: { code: 'invalid-predecessor' },
      });
    }

    expect(latencies).toHaveLength(PAYMENTS);
    for (const ms of latencies) expect(ms).toBeLessThan(FINAL_WITHIN_MS);

    expect(samples.length).toBeGreaterThan(0);
    const most = (key: 'pending' | 'waiting') => Math.max(...samples.map((t) => t?.[key] ?? 0));
    expect(most('pending')).toBeLessThanOrEqual(PENDING_CAP);
    expect(most('waiting')).toBeLessThanOrEqual(WAITING_CAP);
    // Once the witness has voted, nothing of the flood is left unfinished anywhere.
    await waitForConvergence(honest, 30_000, (s) =>
      s.every((x) => x.transactions!.pending === 0 && x.transactions!.waiting === 0),
    );
    console.log(
      `flood: ${allowed} of ${BATCH} taken; honest payments final in ${latencies.join(', ')} ms ` +
        `(before it: ${before.join(', ')} ms); ` +
        `most pending ${most('pending')}, waiting ${most('waiting')}`,
    );
  }, 90_000);
});
