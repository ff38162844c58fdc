// What the UI may say and offer about remembering the passphrase, from the platform and main's
// secure storage status. Only the desktop app remembers (main keeps it, encrypted by the
// operating system); browser mode never does, so there it says nothing about it at all.
import type { AppInfo, SecureStorageStatus } from '../../shared/bridge/contract.ts';

export type UnlockMemory =
  /** Browser mode, or not started yet: nothing to say. */
  | { readonly kind: 'none' }
  /** The desktop app, but main could not report its secure storage. */
  | { readonly kind: 'unknown' }
  /**
   * No protection worth the name (Linux without a keyring: 'basic_text'): main refuses to
   * remember, and the UI says so. A passphrase saved before may still be there to forget.
   */
  | { readonly kind: 'weak'; readonly backend: string; readonly remembered: boolean }
  /** The operating system protects it: remembering may be offered. */
  | { readonly kind: 'available'; readonly backend: string; readonly remembered: boolean };

export function unlockMemoryOf(
  appInfo: AppInfo | null,
  status: SecureStorageStatus | null,
): UnlockMemory {
  if (appInfo === null || appInfo.platform === 'web') return { kind: 'none' };
  if (status === null) return { kind: 'unknown' };
  const { backend, remembered } = status;
  return status.available && !status.weak
    ? { kind: 'available', backend, remembered }
    : { kind: 'weak', backend, remembered };
}
