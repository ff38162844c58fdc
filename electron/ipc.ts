// The main-process end of the bridge. One handler per contract method and nothing else:
// ipcMain.handle for the Promise methods, ipcMain.on for the synchronous ones.
// Every request is checked twice before any work is done: who sent it (the top frame of one of
// our windows, showing our own origin) and what it carries (the contract's valibot schema).
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import {
  BRIDGE_METHODS,
  CHANNELS,
  isSyncMethod,
  parseArguments,
  type AsyncBridgeMethod,
  type BridgeArguments,
  type BridgeMethod,
  type GpowBridge,
  type SyncBridgeMethod,
  type SyncReply,
} from '../shared/bridge/contract.ts';
import { isAppUrl } from './appOrigin.ts';

/** The parts of an invoke event the checks read; tests build these by hand. */
export type SenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

/** Whether `contents` belongs to a window the app itself created. */
export type AppWindowCheck = (contents: WebContents) => boolean;

export type SenderCheck = { ok: true } | { ok: false; reason: string };

/**
 * Accepts only the top-level frame of one of our windows, currently showing app://gpow/.
 * An iframe, a page that navigated elsewhere, or a window we did not make is refused.
 */
export function checkSender(event: SenderEvent, isAppWindow: AppWindowCheck): SenderCheck {
  const frame = event.senderFrame;
  if (frame === null) {
    return { ok: false, reason: 'the sending frame has navigated away or been closed' };
  }
  if (frame.parent !== null) {
    return { ok: false, reason: 'requests are only accepted from the top-level frame' };
  }
  if (!isAppUrl(frame.url)) {
    return { ok: false, reason: 'requests are only accepted from the app origin app://gpow' };
  }
  if (!isAppWindow(event.sender)) {
    return { ok: false, reason: 'requests are only accepted from windows of this app' };
  }
  return { ok: true };
}

type Result<K extends BridgeMethod> = Awaited<ReturnType<GpowBridge[K]>>;

/** GpowBridge seen per method, so a method picked by a generic key can still be called. */
type Implementations = {
  readonly [K in BridgeMethod]: (...args: BridgeArguments<K>) => ReturnType<GpowBridge[K]>;
};

/** Checks the sender, then the arguments; the parsed arguments, or a sentence saying why not. */
function admitRequest<K extends BridgeMethod>(
  method: K,
  event: SenderEvent,
  args: unknown[],
  isAppWindow: AppWindowCheck,
): { ok: true; args: BridgeArguments<K> } | { ok: false; message: string } {
  const sender = checkSender(event, isAppWindow);
  if (!sender.ok) {
    console.warn(`Refused a request to ${method}: ${sender.reason}`);
    return { ok: false, message: `GPoW refused the ${method} request: ${sender.reason}.` };
  }
  const parsed = parseArguments(method, args);
  if (!parsed.ok)
    return { ok: false, message: `GPoW refused the ${method} request: ${parsed.message}.` };
  return parsed;
}

/**
 * The ipcMain handler for one method: checks the sender, then the arguments, then calls the
 * implementation. A refused request rejects with a sentence saying why and runs nothing.
 */
export function createIpcHandler<K extends AsyncBridgeMethod>(
  method: K,
  implementation: GpowBridge,
  isAppWindow: AppWindowCheck,
): (event: SenderEvent, ...args: unknown[]) => Promise<Result<K>> {
  return async (event, ...args): Promise<Result<K>> => {
    const admitted = admitRequest(method, event, args, isAppWindow);
    if (!admitted.ok) throw new Error(admitted.message);
    const implementations: Implementations = implementation;
    const result: Result<K> = await implementations[method].apply(implementation, admitted.args);
    return result;
  };
}

/** What a synchronous handler is given: an invoke event plus the slot for its answer. */
export type SyncSenderEvent = SenderEvent & { returnValue: unknown };

/**
 * The ipcMain.on handler of a synchronous method (ipcRenderer.sendSync). The same checks as
 * createIpcHandler; since nothing can be thrown across sendSync, the answer is a SyncReply, and
 * the preload turns a failure back into an exception.
 */
export function createSyncIpcHandler<K extends SyncBridgeMethod>(
  method: K,
  implementation: GpowBridge,
  isAppWindow: AppWindowCheck,
): (event: SyncSenderEvent, ...args: unknown[]) => void {
  return (event, ...args) => {
    const admitted = admitRequest(method, event, args, isAppWindow);
    let reply: SyncReply<ReturnType<GpowBridge[K]>>;
    if (!admitted.ok) {
      reply = { ok: false, message: admitted.message };
    } else {
      try {
        const implementations: Implementations = implementation;
        reply = { ok: true, value: implementations[method].apply(implementation, admitted.args) };
      } catch (error) {
        reply = { ok: false, message: error instanceof Error ? error.message : String(error) };
      }
    }
    event.returnValue = reply;
  };
}

/** Registers exactly the contract's channels: ipcMain.handle, or ipcMain.on for sendSync. */
export function registerIpcHandlers(
  ipcMain: Pick<IpcMain, 'handle' | 'on'>,
  implementation: GpowBridge,
  isAppWindow: AppWindowCheck,
): void {
  for (const method of BRIDGE_METHODS) {
    if (isSyncMethod(method)) {
      ipcMain.on(CHANNELS[method], createSyncIpcHandler(method, implementation, isAppWindow));
    } else {
      ipcMain.handle(CHANNELS[method], createIpcHandler(method, implementation, isAppWindow));
    }
  }
}
