// Which platform the page runs on, and what the app store takes from it. In the desktop app
// window.gpow is the preload's bridge and there is no window.gpowWeb: signing goes through
// main (desktopPlatform's BridgeSigner) and the ledger log is kept by main. In browser mode
// (renderer/web.ts) the in-page vault signs and the log lives in IndexedDB. A page with
// neither has no bridge, and the UI says so.
import type { GpowBridge } from '../../shared/bridge/contract.ts';
import type { LogStore } from '../../shared/storage/port.ts';
import type { SignerSource } from '../runtime/signer.ts';
import { desktopPlatform } from './desktop.ts';

export interface AppPlatform {
  readonly kind: 'desktop' | 'browser' | 'none';
  readonly bridge: GpowBridge | null;
  readonly signerSource: SignerSource | null;
  readonly openLog: (name: string) => Promise<LogStore>;
}

/** What window.gpow and window.gpowWeb hold (see renderer/bridge/types.d.ts). */
export interface PlatformGlobals {
  readonly gpow?: GpowBridge | undefined;
  readonly gpowWeb?: { readonly vault: SignerSource } | undefined;
}

/** The platform of a page with `globals`; `browserLog` opens a log where main keeps none. */
export function choosePlatform(
  globals: PlatformGlobals,
  browserLog: (name: string) => Promise<LogStore>,
): AppPlatform {
  if (globals.gpow !== undefined && globals.gpowWeb === undefined) {
    return { kind: 'desktop', ...desktopPlatform(globals.gpow) };
  }
  return {
    kind: globals.gpow === undefined ? 'none' : 'browser',
    bridge: globals.gpow ?? null,
    signerSource: globals.gpowWeb?.vault ?? null,
    openLog: browserLog,
  };
}
