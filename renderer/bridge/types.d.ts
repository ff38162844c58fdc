// window.gpow: the typed bridge, put there by electron/preload.ts in the desktop app or by
// renderer/web.ts in a plain browser. Optional, because a page opened any other way has none,
// and the UI must say so rather than fail.
//
// window.gpowWeb: browser mode only (renderer/web.ts): the in-page vault that signs once the
// browser bridge has unlocked the keystore. The desktop app has none.
import type { GpowBridge } from '../../shared/bridge/contract.ts';
import type { SignerSource } from '../runtime/signer.ts';

declare global {
  interface Window {
    gpow?: GpowBridge;
    gpowWeb?: { readonly vault: SignerSource };
  }
}

export {};
