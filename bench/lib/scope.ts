// Clean-up for the benchmarks. Every child process, temporary directory and closer a scenario
// creates is registered in its Scope; run.ts disposes the scope when the scenario ends, fails or
// times out. As a last resort, a process 'exit' hook kills every child still alive and removes
// every temporary directory, so a crash or Ctrl-C leaves nothing behind. Children also exit on
// their own when their stdin closes (the parent died) and after a maximum lifetime.
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const liveChildren = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let hooked = false;

function killNow(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Installs the last-resort hooks once: on exit, on signals, on a crash. */
export function installProcessCleanup(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const child of liveChildren) killNow(child);
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      console.error(`\nbench: ${signal}, cleaning up`);
      process.exit(130);
    });
  }
}

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T | undefined> =>
  Promise.race([promise, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))]);

export class Scope {
  readonly #children = new Set<ChildProcess>();
  readonly #dirs = new Set<string>();
  readonly #closers: Array<() => unknown> = [];
  #disposed = false;

  get disposed(): boolean {
    return this.#disposed;
  }

  async tempDir(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `gpow-bench-${prefix}-`));
    this.#dirs.add(dir);
    liveDirs.add(dir);
    return dir;
  }

  track(child: ChildProcess): void {
    this.#children.add(child);
    liveChildren.add(child);
    child.once('exit', () => {
      this.#children.delete(child);
      liveChildren.delete(child);
    });
  }

  /** Runs `closer` when the scope is disposed (last registered, first run). */
  defer(closer: () => unknown): void {
    this.#closers.push(closer);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const closer of this.#closers.reverse()) {
      try {
        await withTimeout(Promise.resolve(closer()), 10_000);
      } catch {
        // best effort: the kill below still happens
      }
    }
    for (const child of this.#children) killNow(child);
    for (const dir of this.#dirs) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      liveDirs.delete(dir);
    }
  }
}
