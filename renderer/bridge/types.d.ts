// window.gpow: the typed bridge, put there by electron/preload.ts in the desktop app or by
// renderer/web.ts in a plain browser. Optional, because a page opened any other way has none,
// and the UI must say so rather than fail.
import type { GpowBridge } from '../../shared/bridge/contract.ts';

declare global {
  interface Window {
    gpow?: GpowBridge;
  }
}

export {};
