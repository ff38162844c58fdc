// A headless peer in its own process for the benchmarks, driven by JSON lines on stdin like
// test/net/fixtures/peerProcess.ts, with timestamps added. Every time is Date.now() taken in
// this process: all processes on the machine read the same clock, at 1 ms resolution.
//
// - marks: process start (performance.timeOrigin), script start, modules loaded, log loaded
//   ("ready" event), Peer.start resolved, first and last incoming frame of a large message,
//   genesis learned, and the moment the ledger held `expectValid` valid transactions.
// - per transaction (unless track is false): when it was accepted into this peer's ledger, and
//   when it became final here.
//
// The child exits by itself when its stdin closes (the bench died) or after maxLifetimeMs.
import { createInterface } from 'node:readline';
import type { KeyHex, NetworkId } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { FloodArgs } from './flood.ts';

const scriptStartAt = Date.now();

interface Options {
  dataDir: string;
  networkId: string;
  secret: string;
  relays: string[];
  secretKey?: string;
  witness?: boolean;
  voteDelayMs?: number;
  /** Emit an `all-valid` event once the ledger holds this many valid transactions. */
  expectValid?: number;
  /** Transactions between two checkpoints a witness proposes; false snapshots: the whole history. */
  checkpointEvery?: number;
  snapshots?: boolean;
  /** Keep serving the whole history beside the current epoch (engine/epochs.ts). */
  archive?: boolean;
  /** Emit an `at-head` event once the ledger holds this author's chain up to this seq. */
  expectHead?: { author: string; seq: number };
  /** Record per-transaction acceptance and finality times (default true). */
  track?: boolean;
  maxLifetimeMs?: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const send = (message: unknown): void => {
  process.stdout.write(
    `${JSON.stringify(message, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`,
  );
};

setTimeout(() => process.exit(3), options.maxLifetimeMs ?? 15 * 60_000).unref();

const wrtc = (await import('@roamhq/wrtc')).default;
const { installLoopbackOnly } = await import('./loopbackOnly.ts');
if (!process.env.GPOW_BENCH_ALL_CANDIDATES) installLoopbackOnly(wrtc);
const { Peer } = await import('../../node/peer/peer.ts');
const { fromHex } = await import('../../shared/bytes.ts');
const { peakRssBytes } = await import('./peakRss.ts');
const { flood } = await import('./flood.ts');

const marks: Record<string, number> = {
  origin: performance.timeOrigin,
  scriptStart: scriptStartAt,
  imported: Date.now(),
};
const track = options.track !== false;
const acceptedAt = new Map<string, number>();
const finalAt = new Map<string, number>();
const unfinal = new Set<string>();
let validCount = 0;
let hooked = false;
let checkQueued = false;

/** Says `at-head` once the ledger holds the expected author's chain up to the expected seq. */
function checkHead(ledger: Ledger, now: number): void {
  const head = options.expectHead;
  if (!head || marks.atHead || (ledger.head(head.author as KeyHex)?.seq ?? -1) < head.seq) return;
  marks.atHead = now;
  send({ event: { type: 'at-head', at: now, count: validCount } });
}

function hook(ledger: Ledger): void {
  if (hooked) return;
  hooked = true;
  validCount = ledger.validIds().length;
  checkHead(ledger, Date.now());
  const checkFinality = () => {
    checkQueued = false;
    const now = Date.now();
    for (const id of unfinal) {
      if (ledger.isFinal(id as never)) {
        finalAt.set(id, now);
        unfinal.delete(id);
      }
    }
  };
  ledger.onAccepted((tx) => {
    validCount++;
    const now = Date.now();
    if (track) {
      acceptedAt.set(tx.id, now);
      if (tx.type !== 'vote') unfinal.add(tx.id);
      // Listeners run before the ledger indexes a vote, so look at finality right after.
      if (!checkQueued && unfinal.size > 0) {
        checkQueued = true;
        queueMicrotask(checkFinality);
      }
    }
    checkHead(ledger, now);
    if (options.expectValid !== undefined && validCount >= options.expectValid && !marks.allValid) {
      marks.allValid = now;
      send({ event: { type: 'all-valid', at: now, count: validCount } });
    }
  });
}

marks.startCalled = Date.now();
const peer = await Peer.start({
  dataDir: options.dataDir,
  networkId: options.networkId as NetworkId,
  secret: options.secret,
  relays: options.relays,
  ...(options.secretKey ? { secretKey: fromHex(options.secretKey) } : {}),
  witness: options.witness ?? false,
  ...(options.voteDelayMs !== undefined ? { voteDelayMs: options.voteDelayMs } : {}),
  ...(options.checkpointEvery !== undefined ? { checkpointEvery: options.checkpointEvery } : {}),
  ...(options.snapshots !== undefined ? { snapshots: options.snapshots } : {}),
  ...(options.archive !== undefined ? { archive: options.archive } : {}),
  onEvent: (event) => {
    const now = Date.now();
    if (event.type === 'ready') marks.ready = now;
    else if (event.type === 'genesis') marks.genesis = now;
    else if (event.type === 'receiving') {
      marks.firstFrame ??= now;
      marks.lastFrame = now;
    } else if (event.type === 'sync-progress') marks.lastProgress = now;
    else if (
      event.type === 'peer-hostile' ||
      event.type === 'fast-forward' ||
      event.type === 'pruned'
    )
      send({ event });
    else if (event.type === 'warning') send({ event });
  },
});
marks.started = Date.now();
void peer.ready().then(hook);
send({ started: { ...peer.status(), transactions: null }, marks });

type Command = { id: number; cmd: string; args?: Record<string, unknown> };

async function sendTransfers(args: Record<string, unknown>) {
  const count = Number(args.count);
  const intervalMs = Number(args.intervalMs ?? 0);
  const sent: Array<{ id: string; at: number; done: number }> = [];
  for (let i = 0; i < count; i++) {
    const at = Date.now();
    const tx = await peer.transfer(
      args.to as KeyHex,
      BigInt(typeof args.amount === 'string' ? args.amount : '1'),
    );
    const done = Date.now();
    sent.push({ id: tx.id, at, done });
    const wait = intervalMs - (done - at);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return sent;
}

async function handle(command: Command): Promise<unknown> {
  const args = command.args ?? {};
  switch (command.cmd) {
    case 'status':
      return peer.status();
    case 'peers':
      return peer.status().peers;
    case 'head': {
      const author = args.author as KeyHex;
      return peer.ledger?.head(author)?.seq ?? -1;
    }
    case 'certified':
      return peer.ledger?.latestCertified()?.n ?? 0;
    case 'count':
      return hooked ? validCount : (peer.ledger?.validIds().length ?? 0);
    case 'marks':
      return marks;
    case 'links':
      return peer.status().links;
    case 'send':
      return sendTransfers(args);
    case 'flood':
      if (!options.secretKey) throw new Error('only a peer with an identity can flood');
      return flood(peer, fromHex(options.secretKey), args as unknown as FloodArgs);
    case 'times': {
      const ids = args.ids as string[];
      return {
        accepted: ids.map((id) => acceptedAt.get(id) ?? null),
        final: ids.map((id) => finalAt.get(id) ?? null),
      };
    }
    case 'cpu': {
      // Microseconds of CPU this process used (user + system), all threads.
      const used = process.cpuUsage();
      return used.user + used.system;
    }
    case 'usage': {
      // With `gc` (and --expose-gc), the heap is collected first, so that what is measured is
      // what the peer holds, not what it has yet to free.
      const gc = (globalThis as { gc?: () => void }).gc;
      if (args.gc === true && gc) gc();
      const memory = process.memoryUsage();
      return {
        maxRssBytes: peakRssBytes(),
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        collected: args.gc === true && gc !== undefined,
      };
    }
    case 'settled':
      await peer.settled();
      marks.settled = Date.now();
      return marks.settled;
    case 'exit':
      await peer.close();
      setImmediate(() => process.exit(0));
      return true;
    default:
      throw new Error(`unknown command ${command.cmd}`);
  }
}

let closing = false;
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const command = JSON.parse(line) as Command;
  handle(command).then(
    (result) => send({ id: command.id, result }),
    (error: unknown) =>
      send({ id: command.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
lines.on('close', () => {
  // The bench went away: close quickly, and exit regardless after a moment.
  if (closing) return;
  closing = true;
  setTimeout(() => process.exit(0), 3_000).unref();
  void peer.close().finally(() => process.exit(0));
});
