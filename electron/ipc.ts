// The main-process end of the bridge. One ipcMain.handle per contract method and nothing else.
// Every request is checked twice before any work is done: who sent it (the top frame of one of
// our windows, showing our own origin) and what it carries (the contract's valibot schema).
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import {
  BRIDGE_METHODS,
  CHANNELS,
  parseArguments,
  type BridgeArguments,
  type BridgeMethod,
  type GpowBridge,
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

/**
 * The ipcMain handler for one method: checks the sender, then the arguments, then calls the
 * implementation. A refused request rejects with a sentence saying why and runs nothing.
 */
export function createIpcHandler<K extends BridgeMethod>(
  method: K,
  implementation: GpowBridge,
  isAppWindow: AppWindowCheck,
): (event: SenderEvent, ...args: unknown[]) => Promise<Result<K>> {
  return async (event, ...args): Promise<Result<K>> => {
    const sender = checkSender(event, isAppWindow);
    if (!sender.ok) {
      console.warn(`Refused a request to ${method}: ${sender.reason}`);
      throw new Error(`GPoW refused the ${method} request: ${sender.reason}.`);
    }
    const parsed = parseArguments(method, args);
    if (!parsed.ok) throw new Error(`GPoW refused the ${method} request: ${parsed.message}.`);
    const implementations: Implementations = implementation;
    const result: Result<K> = await implementations[method].apply(implementation, parsed.args);
    return result;
  };
}

/** Registers exactly the contract's channels. */
export function registerIpcHandlers(
  ipcMain: Pick<IpcMain, 'handle'>,
  implementation: GpowBridge,
  isAppWindow: AppWindowCheck,
): void {
  for (const method of BRIDGE_METHODS) {
    ipcMain.handle(CHANNELS[method], createIpcHandler(method, implementation, isAppWindow));
  }
}
