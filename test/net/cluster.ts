// Test harness for real multi-peer networks: every peer is a separate Node process running the
// headless peer over real WebRTC (@roamhq/wrtc) on 127.0.0.1, with its own signaling relay.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { toHex } from '../../shared/bytes.ts';
import type { KeyHex, NetworkId } from '../../shared/ids.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { openFileLogStore } from '../../node/storage/fileLogStore.ts';
import { sealGenesis } from '../../shared/ledger/ownHead.ts';
import { genesisOf, type TestIdentity } from '../helpers/network.ts';
import { MODULE_CACHE } from './cliHarness.ts';

const PEER_SCRIPT = join(import.meta.dirname, 'fixtures', 'peerProcess.ts');

export interface PeerStatusView {
  peers: number;
  synced: boolean;
  relayUrl: string | null;
  stateRoot: string | null;
  transactions: {
    valid: number;
    final: number;
    pending: number;
    waiting: number;
    rejected: number;
  } | null;
}

type Message = {
  id?: number;
  result?: unknown;
  error?: string;
  event?: { type: string } & Record<string, unknown>;
  started?: PeerStatusView;
};

export class PeerProcess {
  readonly name: string;
  readonly dataDir: string;
  readonly events: Array<{ type: string } & Record<string, unknown>> = [];
  readonly #child: ChildProcess;
  readonly #pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  readonly #listeners = new Set<() => void>();
  #nextId = 1;
  #exited = false;
  started!: PeerStatusView;

  private constructor(name: string, dataDir: string, child: ChildProcess) {
    this.name = name;
    this.dataDir = dataDir;
    this.#child = child;
    child.on('exit', () => {
      this.#exited = true;
      for (const { reject } of this.#pending.values()) reject(new Error(`${name} exited`));
      this.#pending.clear();
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => this.#onLine(line));
    child.stderr!.on('data', (chunk: Buffer) => {
      if (process.env.GPOW_TEST_VERBOSE) process.stderr.write(`[${name}] ${chunk.toString()}`);
    });
  }

  static async spawn(
    name: string,
    options: {
      dataDir: string;
      networkId: NetworkId;
      secret: string;
      relays: string[];
      identity?: TestIdentity;
      witness?: boolean;
      market?: { provide?: string[]; validate?: boolean };
      /** A command that runs Node for the peer, e.g. inside a network namespace (nsenter). */
      wrap?: readonly string[];
      /** The process script: the test peer (fixtures/peerProcess.ts) unless given. */
      script?: string;
    },
    startTimeoutMs = 20_000,
  ): Promise<PeerProcess> {
    const args = JSON.stringify({
      dataDir: options.dataDir,
      networkId: options.networkId,
      secret: options.secret,
      relays: options.relays,
      ...(options.identity ? { secretKey: toHex(options.identity.secret) } : {}),
      witness: options.witness ?? false,
      ...(options.market ? { market: options.market } : {}),
    });
    const wrap = options.wrap ?? [];
    const command = wrap.length > 0 ? String(wrap[0]) : process.execPath;
    const argv = [
      ...wrap.slice(1),
      ...(wrap.length > 0 ? [process.execPath] : []),
      ...MODULE_CACHE,
      options.script ?? PEER_SCRIPT,
      args,
    ];
    const child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    const peer = new PeerProcess(name, options.dataDir, child);
    await peer.waitFor(() => peer.started !== undefined, startTimeoutMs, 'start');
    return peer;
  }

  #onLine(line: string): void {
    let message: Message;
    try {
      message = JSON.parse(line) as Message;
    } catch {
      return;
    }
    if (message.started) this.started = message.started;
    if (message.event) this.events.push(message.event);
    if (message.id !== undefined) {
      const waiter = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(`${this.name}: ${message.error}`));
      else waiter?.resolve(message.result);
    }
    for (const listener of this.#listeners) listener();
  }

  call<T = unknown>(
    cmd: string,
    args: Record<string, unknown> = {},
    timeoutMs = 30_000,
  ): Promise<T> {
    if (this.#exited) return Promise.reject(new Error(`${this.name} has exited`));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${this.name}: "${cmd}" timed out`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.#child.stdin!.write(`${JSON.stringify({ id, cmd, args })}\n`);
    });
  }

  status(): Promise<PeerStatusView> {
    return this.call<PeerStatusView>('settled');
  }

  /** Resolves when `predicate` holds (checked on every message), or rejects after the timeout. */
  waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const listener = () => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name}: timed out waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
      };
      this.#listeners.add(listener);
    });
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.#exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.#child.once('exit', () => resolve());
      this.#child.kill(signal);
    });
  }

  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    await this.call('exit', {}, 10_000).catch(() => undefined);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    await this.kill();
  }
}

export interface Cluster {
  readonly dir: string;
  readonly genesis: VerifiedTx;
  readonly secret: string;
  readonly peers: PeerProcess[];
  spawnPeer(
    name: string,
    identity?: TestIdentity,
    options?: {
      witness?: boolean;
      relays?: string[];
      dataDir?: string;
      market?: { provide?: string[]; validate?: boolean };
      /** A command that runs Node for the peer, e.g. inside a network namespace (nsenter). */
      wrap?: readonly string[];
    },
  ): Promise<PeerProcess>;
  relays(): string[];
  close(): Promise<void>;
}

export interface ClusterSpec {
  readonly founder: TestIdentity;
  readonly witnesses: readonly TestIdentity[];
  readonly allocations: ReadonlyArray<readonly [TestIdentity, bigint]>;
  readonly creditLimit?: bigint;
  /** The witnesses add randomness to validator draws (docs/protocol.md §11.5). */
  readonly witnessedDraw?: boolean;
}

/** Creates a network: the founder's data directory starts with the genesis. */
export async function createCluster(spec: ClusterSpec): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'gpow-net-'));
  const genesis = await genesisOf(spec);
  const secret = 'test-join-secret-0123456789abcdef';
  const founderDir = join(dir, 'founder');
  const store = await openFileLogStore(founderDir);
  await store.append([genesis.bytes]);
  await sealGenesis(store, genesis);
  await store.close();
  const peers: PeerProcess[] = [];
  const cluster: Cluster = {
    dir,
    genesis,
    secret,
    peers,
    relays: () => peers.map((p) => p.started.relayUrl).filter((u): u is string => u !== null),
    async spawnPeer(name, identity, options = {}) {
      const isFounder = identity?.key === spec.founder.key && peers.length === 0;
      const peer = await PeerProcess.spawn(name, {
        dataDir: options.dataDir ?? (isFounder ? founderDir : join(dir, name)),
        networkId: genesis.id,
        secret,
        relays: options.relays ?? cluster.relays(),
        ...(identity ? { identity } : {}),
        witness: options.witness ?? spec.witnesses.some((w) => w.key === identity?.key),
        ...(options.market ? { market: options.market } : {}),
        ...(options.wrap ? { wrap: options.wrap } : {}),
      });
      peers.push(peer);
      return peer;
    },
    async close() {
      await Promise.all(peers.map((p) => p.stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

/** Waits until every peer has settled on the same state root (and it holds `check`). */
export async function waitForConvergence(
  peers: readonly PeerProcess[],
  timeoutMs: number,
  check: (statuses: PeerStatusView[]) => boolean = () => true,
): Promise<PeerStatusView[]> {
  const deadline = Date.now() + timeoutMs;
  let statuses: PeerStatusView[] = [];
  while (Date.now() < deadline) {
    statuses = await Promise.all(peers.map((p) => p.status()));
    const roots = new Set(statuses.map((s) => s.stateRoot));
    if (roots.size === 1 && !roots.has(null) && check(statuses)) return statuses;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `no convergence: ${JSON.stringify(statuses.map((s) => ({ root: s.stateRoot?.slice(0, 8), tx: s.transactions, peers: s.peers })))}`,
  );
}

export const keyArg = (who: TestIdentity): KeyHex => who.key;

/** Polls `fn` until `ok` holds or the time is up; returns the last value either way. */
export async function eventually<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}
