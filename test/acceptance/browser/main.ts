// The acceptance suite's subject peer on the browser platform: the engine exactly as the app
// builds it (renderer/runtime/networkRuntime.ts: the browser's WebRTC, IndexedDB, WebCrypto),
// with a key signer, exposed to playwright as window.gpowSubject. No UI: the e2e tests drive
// the UI; this drives the engine the UI runs on.
import { fromHex } from '../../../shared/bytes.ts';
import type { NetworkId } from '../../../shared/ids.ts';
import { keySigner } from '../../../engine/keySigner.ts';
import { NetworkRuntime } from '../../../renderer/runtime/networkRuntime.ts';
import { browserWrtc } from '../../../renderer/platform/webRtc.ts';
import { openIndexedDbLogStore } from '../../../renderer/storage/indexedDbLogStore.ts';
import { Market } from '../../../engine/market/market.ts';
import { metaReveals } from '../../../renderer/platform/metaReveals.ts';
import { webRandom } from '../../../renderer/platform/webRandom.ts';
import { webClock, webTimers } from '../../../renderer/platform/webTimers.ts';
import { backgroundWork } from '../../../renderer/runtime/backgroundWork.ts';
import { runCommand, statusOf, toJson, type SubjectPeer } from '../commands.ts';

export interface StartOptions {
  readonly store: string;
  readonly networkId: NetworkId;
  readonly secret: string;
  readonly relays: readonly string[];
  readonly secretKey?: string;
}

let running: SubjectPeer | null = null;

/**
 * Main-thread tasks over 50 ms since the page loaded (or the last reset), as the Long Tasks API
 * reports them: what the engine costs the UI that shares its thread.
 */
const longTasks = { count: 0, maxMs: 0, totalMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    longTasks.count++;
    longTasks.maxMs = Math.max(longTasks.maxMs, entry.duration);
    longTasks.totalMs += entry.duration;
  }
}).observe({ type: 'longtask', buffered: true });

function resetLongTasks(): void {
  longTasks.count = 0;
  longTasks.maxMs = 0;
  longTasks.totalMs = 0;
}
const events: unknown[] = [];

async function start(options: StartOptions): Promise<string> {
  if (running) throw new Error('a subject is already running in this page');
  const wrtc = browserWrtc();
  if (!wrtc) throw new Error('this browser has no WebRTC');
  const started = new NetworkRuntime({
    networkId: options.networkId,
    secret: options.secret,
    relays: options.relays,
    iceServers: [],
    store: await openIndexedDbLogStore(options.store),
    // As the app keeps it (renderer/state/appStore.ts): the replication doc across reloads.
    replica: await openIndexedDbLogStore(`${options.store}-replica`),
    wrtc,
    signer: options.secretKey ? keySigner(fromHex(options.secretKey)) : null,
    clock: webClock,
    onChange: () => undefined,
    onNotice: (notice) => events.push(notice),
  });
  await started.open();
  // The market reveals and settles for this identity, as the app's does.
  const market = options.secretKey
    ? new Market(
        started,
        {
          clock: webClock,
          random: webRandom,
          timers: webTimers,
          work: backgroundWork(),
          reveals: metaReveals(started.ports.store),
        },
        { intervalMs: 200 },
      )
    : null;
  if (market) void market.start();
  running = { peer: started, market };
  return toJson(statusOf(started));
}

async function call(cmd: string, args: Record<string, unknown>): Promise<string> {
  if (!running) throw new Error('no subject is running in this page');
  if (cmd === 'exit') {
    const closing = running;
    running = null;
    await closing.market?.close();
    await closing.peer.close();
    return 'true';
  }
  return toJson(await runCommand(running, cmd, args));
}

declare global {
  interface Window {
    gpowSubject: typeof subject;
  }
}

const subject = { start, call, events, longTasks: () => ({ ...longTasks }), resetLongTasks };
window.gpowSubject = subject;
