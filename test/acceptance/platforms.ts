// The platforms the peer acceptance suite runs its subject on: Node (the CLI's peer, in a
// process of its own) and Chromium (the app's engine in a page, driven by playwright-core).
// Supporting peers are always Node processes (test/net/cluster.ts); on Chromium they join the
// page's network namespace when it has one, so every connection stays on 127.0.0.1.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { toHex } from '../../shared/bytes.ts';
import type { NetworkId } from '../../shared/ids.ts';
import type { TestIdentity } from '../helpers/network.ts';
import { PeerProcess } from '../net/cluster.ts';
import { newUser, PROJECT_ROOT, startWorld, type World } from '../e2e/harness.ts';
import { startRelay } from '../e2e/servers.ts';
import type { Args } from './commands.ts';
// window.gpowSubject, as the page declares it.
import type {} from './browser/main.ts';

export interface SubjectOptions {
  readonly networkId: NetworkId;
  readonly secret: string;
  readonly identity?: TestIdentity;
  readonly witness?: boolean;
}

/** The peer under test. */
export interface Subject {
  call<T = unknown>(cmd: string, args?: Args): Promise<T>;
  /** Stops the peer and starts it again from what it stored. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface Platform {
  readonly name: string;
  /** The relay every peer of a test signals through. */
  readonly relayUrl: string;
  /** How supporting Node peers must be started to reach the subject (nsenter, or nothing). */
  readonly wrap: readonly string[];
  startSubject(name: string, options: SubjectOptions): Promise<Subject>;
  close(): Promise<void>;
}

const NODE_SUBJECT = join(import.meta.dirname, 'nodeSubject.ts');

export async function nodePlatform(): Promise<Platform> {
  const relay = await startRelay();
  const dir = await mkdtemp(join(tmpdir(), 'gpow-acceptance-'));
  const running = new Set<PeerProcess>();
  return {
    name: 'node',
    relayUrl: relay.url,
    wrap: [],
    async startSubject(name, options) {
      const spawn = async () => {
        const peer = await PeerProcess.spawn(name, {
          dataDir: join(dir, name),
          networkId: options.networkId,
          secret: options.secret,
          relays: [relay.url],
          ...(options.identity ? { identity: options.identity } : {}),
          witness: options.witness ?? false,
          script: NODE_SUBJECT,
        });
        running.add(peer);
        return peer;
      };
      let peer = await spawn();
      return {
        call: (cmd, args = {}) => peer.call(cmd, args),
        async restart() {
          await peer.stop();
          running.delete(peer);
          peer = await spawn();
        },
        async stop() {
          await peer.stop();
          running.delete(peer);
        },
      };
    },
    async close() {
      await Promise.all([...running].map((peer) => peer.stop()));
      await relay.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const SUBJECT_DIR = join(PROJECT_ROOT, '.vite/acceptance');

/** Builds the browser subject (browser/index.html, the engine and no UI) into .vite/acceptance. */
export async function buildBrowserSubject(): Promise<void> {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: false,
      root: join(import.meta.dirname, 'browser'),
      base: './',
      mode: 'production',
      logLevel: 'warn',
      build: {
        outDir: SUBJECT_DIR,
        emptyOutDir: true,
        target: 'chrome140',
        modulePreload: { polyfill: false },
        chunkSizeWarningLimit: 4096,
        // GPOW_SUBJECT_READABLE=1 (the bench's --profile): names a CPU profile can show.
        minify: process.env.GPOW_SUBJECT_READABLE !== '1',
      },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

export async function chromiumPlatform(): Promise<Platform> {
  await buildBrowserSubject();
  const world: World = await startWorld(SUBJECT_DIR);
  const contexts = new Set<BrowserContext>();
  return {
    name: 'chromium',
    relayUrl: world.relayUrl,
    wrap:
      world.namespacePid === null
        ? []
        : ['nsenter', `--net=/proc/${world.namespacePid}/ns/net`, '--'],
    async startSubject(name, options) {
      // A profile of its own: its IndexedDB outlives page reloads, as a user's does.
      const context = await newUser(world.browser);
      contexts.add(context);
      const page: Page = await context.newPage();
      const startOptions = {
        store: `gpow-acceptance-${name}`,
        networkId: options.networkId,
        secret: options.secret,
        relays: [world.relayUrl],
        ...(options.identity ? { secretKey: toHex(options.identity.secret) } : {}),
      };
      const start = async () => {
        await page.goto(world.appUrl);
        await page.waitForFunction(() => window.gpowSubject !== undefined);
        await page.evaluate((o) => window.gpowSubject.start(o), startOptions);
      };
      await start();
      const call = async <T>(cmd: string, args: Args = {}): Promise<T> =>
        JSON.parse(
          await page.evaluate(([c, a]) => window.gpowSubject.call(c, a), [cmd, args] as const),
        ) as T;
      return {
        call,
        async restart() {
          await call('exit');
          // A new page: nothing survives but what the engine stored.
          await start();
        },
        async stop() {
          await call('exit').catch(() => undefined);
          await context.close();
          contexts.delete(context);
        },
      };
    },
    async close() {
      await Promise.all([...contexts].map((context) => context.close().catch(() => undefined)));
      await world.close();
    },
  };
}
