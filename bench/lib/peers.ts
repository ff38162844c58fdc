// Spawns bench peers (bench/lib/peerChild.ts) as separate processes and talks to them over
// stdin/stdout JSON lines, like test/net/cluster.ts does for the tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Scope } from './scope.ts';

const CHILD_SCRIPT = join(import.meta.dirname, 'peerChild.ts');

export interface PeerChildOptions {
  dataDir: string;
  networkId: string;
  secret: string;
  relays: string[];
  secretKey?: string;
  witness?: boolean;
  voteDelayMs?: number;
  expectValid?: number;
  checkpointEvery?: number;
  snapshots?: boolean;
  archive?: boolean;
  expectHead?: { author: string; seq: number };
  track?: boolean;
  maxLifetimeMs?: number;
}

export interface StartedInfo {
  relayUrl: string | null;
  peers: number;
}

type Message = {
  id?: number;
  result?: unknown;
  error?: string;
  event?: { type: string } & Record<string, unknown>;
  started?: StartedInfo;
  marks?: Record<string, number>;
};

export class BenchPeer {
  readonly name: string;
  readonly child: ChildProcess;
  /** Date.now() just before spawn. */
  readonly spawnedAt: number;
  readonly events: Array<{ type: string } & Record<string, unknown>> = [];
  started: StartedInfo | undefined;
  startMarks: Record<string, number> = {};
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #listeners = new Set<() => void>();
  #nextId = 1;
  #exited = false;
  #stderr = '';

  private constructor(name: string, child: ChildProcess, spawnedAt: number) {
    this.name = name;
    this.child = child;
    this.spawnedAt = spawnedAt;
    child.on('exit', (code, signal) => {
      this.#exited = true;
      if (process.env.GPOW_BENCH_VERBOSE)
        console.error(`[${name}] exited (${code ?? signal}) at ${new Date().toISOString()}`);
      const error = new Error(`${name} exited (${code ?? signal}): ${this.stderrTail()}`);
      for (const { reject } of this.#pending.values()) reject(error);
      this.#pending.clear();
      for (const listener of this.#listeners) listener();
    });
    createInterface({ input: child.stdout! }).on('line', (line) => this.#onLine(line));
    child.stderr!.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
      if (process.env.GPOW_BENCH_VERBOSE) process.stderr.write(`[${name}] ${chunk.toString()}`);
    });
  }

  static async spawn(
    scope: Scope,
    name: string,
    options: PeerChildOptions,
    extra: {
      startTimeoutMs?: number;
      execArgv?: string[];
      /** A command that runs Node for the peer, e.g. inside a network namespace (nsenter). */
      wrap?: readonly string[];
    } = {},
  ): Promise<BenchPeer> {
    const spawnedAt = Date.now();
    const wrap = extra.wrap ?? [];
    const argv = [...(extra.execArgv ?? []), CHILD_SCRIPT, JSON.stringify(options)];
    const child = spawn(
      wrap.length > 0 ? String(wrap[0]) : process.execPath,
      wrap.length > 0 ? [...wrap.slice(1), process.execPath, ...argv] : argv,
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    scope.track(child);
    const peer = new BenchPeer(name, child, spawnedAt);
    scope.defer(() => peer.stop());
    await peer.waitFor(() => peer.started !== undefined, extra.startTimeoutMs ?? 60_000, 'start');
    return peer;
  }

  get exited(): boolean {
    return this.#exited;
  }

  stderrTail(): string {
    return this.#stderr.trim().split('\n').slice(-6).join(' | ');
  }

  #onLine(line: string): void {
    let message: Message;
    try {
      message = JSON.parse(line) as Message;
    } catch {
      return;
    }
    if (message.started) {
      this.started = message.started;
      this.startMarks = message.marks ?? {};
    }
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
        reject(new Error(`${this.name}: "${cmd}" timed out after ${timeoutMs} ms`));
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
      this.child.stdin!.write(`${JSON.stringify({ id, cmd, args })}\n`);
    });
  }

  /** Resolves when `predicate` holds (checked on every message); rejects on timeout or exit. */
  waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const listener = () => {
        if (predicate()) {
          cleanup();
          resolve();
        } else if (this.#exited) {
          cleanup();
          reject(new Error(`${this.name} exited while waiting for ${what}: ${this.stderrTail()}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
      };
      this.#listeners.add(listener);
    });
  }

  async waitEvent(type: string, timeoutMs: number): Promise<Record<string, unknown>> {
    await this.waitFor(() => this.events.some((e) => e.type === type), timeoutMs, type);
    return this.events.find((e) => e.type === type)!;
  }

  kill(): Promise<void> {
    if (this.#exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }

  /** Asks the peer to close (which also writes a CPU profile when one was requested). */
  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.call('exit', {}, 10_000).catch(() => undefined);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    await this.kill();
  }
}

/** Date.now() times of the peer's start phases, relative to its spawn. */
export function startPhases(peer: BenchPeer): Record<string, number> {
  const m = peer.startMarks;
  const rel = (t: number | undefined) => (t === undefined ? NaN : t - peer.spawnedAt);
  return {
    processStart: rel(m.origin),
    scriptStart: rel(m.scriptStart),
    imported: rel(m.imported),
    ready: rel(m.ready),
    started: rel(m.started),
  };
}
