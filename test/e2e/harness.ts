// The end-to-end harness: builds the browser-mode UI once (vite build, vite.web.config.ts),
// serves it and a signaling relay on 127.0.0.1, and drives Debian's headless Chromium with
// playwright-core.
//
// All traffic stays on the loopback interface. Where it can (Linux, as root, as CI runs), the
// harness puts Chromium and both servers in a network namespace of their own whose only
// interface is lo: nothing there can reach any other address. Elsewhere it falls back to the
// machine's network with every WebRTC connection limited to 127.0.0.1 candidates
// (LOOPBACK_ONLY); that alone is not airtight, because a check sent from another local address
// to 127.0.0.1 is accepted as a peer-reflexive candidate, so the test reports which it used.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { serveStatic, startRelay } from './servers.ts';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
export const WEB_DIR = join(PROJECT_ROOT, '.vite/web');
export const CHROMIUM = process.env.GPOW_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(PROJECT_ROOT, 'test-results/screenshots');

/** Builds the browser-mode renderer into .vite/web. */
export async function buildWeb(): Promise<void> {
  // Vite takes the mode from NODE_ENV when it is set, and vitest sets it to 'test': that would
  // build React's development version. Build what users get.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: join(PROJECT_ROOT, 'vite.web.config.ts'),
      mode: 'production',
      logLevel: 'warn',
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

/**
 * Chromium flags: headless, no background traffic to Google's services (this machine's network
 * is closed, and the tests must not reach out), and WebRTC that may use the loopback interface
 * (Chromium leaves it out by default) with real addresses rather than mDNS names. Chromium
 * gathers candidates on more than the default route's interface only for a page that holds the
 * camera or microphone permission, so newUser() grants those too (nothing is captured).
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

export interface World {
  readonly appUrl: string;
  readonly relayUrl: string;
  /** 'namespace': a network namespace with only lo; 'host': this machine's network. */
  readonly isolation: 'namespace' | 'host';
  /** A process in the servers' network namespace (null on the host network), to join it. */
  readonly namespacePid: number | null;
  readonly browser: Browser;
  close(): Promise<void>;
}

const SERVERS_SCRIPT = join(import.meta.dirname, 'fixtures', 'servers.ts');

/** Starts fixtures/servers.ts in a new network namespace; null where that is not possible. */
async function serversInNamespace(webDir: string): Promise<{
  child: ChildProcess;
  urls: Record<string, string>;
} | null> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const child = spawn(
    'unshare',
    [
      '--net',
      '--',
      'sh',
      '-c',
      'ip link set lo up && exec "$0" "$@"',
      process.execPath,
      SERVERS_SCRIPT,
      webDir,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const firstLine = new Promise<string | null>((done) => {
    child.on('error', () => done(null));
    child.on('exit', () => done(null));
    createInterface({ input: child.stdout }).once('line', (line) => done(line));
  });
  const line = await firstLine;
  if (line === null) {
    child.kill();
    return null;
  }
  return { child, urls: JSON.parse(line) as Record<string, string> };
}

/**
 * The servers and a headless Chromium, isolated as well as this machine allows. `webDir` is what
 * the static server serves: the built UI by default.
 */
export async function startWorld(webDir = WEB_DIR): Promise<World> {
  const isolated =
    process.env.GPOW_E2E_ISOLATION === 'host' ? null : await serversInNamespace(webDir);
  if (isolated !== null) {
    const { child, urls } = isolated;
    // Chromium joins the servers' namespace: a wrapper that playwright starts in its place.
    const dir = await mkdtemp(join(tmpdir(), 'gpow-e2e-'));
    const wrapper = join(dir, 'chromium');
    await writeFile(
      wrapper,
      `#!/bin/sh\nexec nsenter --net=/proc/${child.pid}/ns/net -- ${CHROMIUM} "$@"\n`,
    );
    await chmod(wrapper, 0o755);
    const browser = await chromium.launch({ executablePath: wrapper, args: CHROMIUM_ARGS });
    return {
      appUrl: urls.appUrl as string,
      relayUrl: urls.relayUrl as string,
      isolation: 'namespace',
      namespacePid: child.pid ?? null,
      browser,
      async close() {
        await browser.close().catch(() => undefined);
        child.stdin?.end();
        child.kill();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const app = await serveStatic(webDir);
  const relay = await startRelay();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return {
    appUrl: app.url,
    relayUrl: relay.url,
    isolation: 'host',
    namespacePid: null,
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      await Promise.allSettled([app.close(), relay.close()]);
    },
  };
}

/**
 * Runs in every page before the app: each RTCPeerConnection ignores remote ICE candidates that
 * are not 127.0.0.1 (trickled ones and any in the SDP) and never signals its own non-loopback
 * candidates, so every ICE check and all data go to the loopback address. It records what it
 * did in window.__loopback, and keeps the connections so a test can read their stats. The
 * browser-side twin of test/net/fixtures/loopbackPreload.ts; the product is not changed.
 */
export const LOOPBACK_ONLY = `(() => {
  const Original = window.RTCPeerConnection;
  const state = { connections: [], accepted: 0, dropped: 0 };
  window.__loopback = state;
  const address = (line) => {
    const match = /^(?:a=)?candidate:\\S+ \\d+ \\S+ \\d+ (\\S+) /.exec(String(line).trim());
    return match ? match[1] : null;
  };
  const loopback = (line) => address(line) === '127.0.0.1';
  const strip = (sdp) =>
    sdp
      .split(/\\r?\\n/)
      .filter((line) => {
        if (!line.startsWith('a=candidate:')) return true;
        if (loopback(line)) return true;
        state.dropped++;
        return false;
      })
      .join('\\r\\n');
  class LoopbackPeerConnection extends Original {
    constructor(config) {
      super(config);
      state.connections.push(this);
    }
    addIceCandidate(candidate, ...rest) {
      const text = candidate && candidate.candidate;
      if (typeof text === 'string' && text !== '') {
        if (!loopback(text)) {
          state.dropped++;
          return Promise.resolve();
        }
        state.accepted++;
      }
      return super.addIceCandidate(candidate, ...rest);
    }
    setRemoteDescription(description) {
      if (description && typeof description.sdp === 'string')
        return super.setRemoteDescription({ type: description.type, sdp: strip(description.sdp) });
      return super.setRemoteDescription(description);
    }
    set onicecandidate(handler) {
      super.onicecandidate =
        typeof handler === 'function'
          ? (event) => {
              if (event.candidate && event.candidate.candidate && !loopback(event.candidate.candidate)) return;
              handler.call(this, event);
            }
          : handler;
    }
    get onicecandidate() {
      return super.onicecandidate;
    }
  }
  window.RTCPeerConnection = LoopbackPeerConnection;
})();`;

/** A fresh, isolated browser profile (its own storage) with the loopback guard installed. */
export async function newUser(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 1200, height: 900 },
    colorScheme: 'dark',
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  await context.grantPermissions(['camera', 'microphone']);
  await context.addInitScript({ content: LOOPBACK_ONLY });
  return context;
}

export async function screenshotDir(): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return SCREENSHOT_DIR;
}

/**
 * Polls `probe` until it gives a value (not null, undefined or false), or throws with `what`
 * and the last error after `timeoutMs`.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const reason = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out waiting for ${what}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Where a test keeps its browser profiles and the page errors they report. */
export interface Users {
  readonly contexts: BrowserContext[];
  readonly pageErrors: string[];
}

/** A new browser profile with the app open; its page errors go to `users.pageErrors`. */
export async function openUser(world: World, users: Users, name: string): Promise<Page> {
  const context = await newUser(world.browser);
  users.contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => users.pageErrors.push(`${name}: ${error.message}`));
  if (process.env.GPOW_E2E_DEBUG === '1') {
    page.on('console', (message) => console.log(`[${name}] ${message.type()}: ${message.text()}`));
  }
  await page.goto(world.appUrl);
  return page;
}
