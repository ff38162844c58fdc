// Where each identity of the install keeps what is its own in web storage and in its logs
// (docs/keys.md, "In the app"). Slot 0 keeps the names it always had, so an install made before
// there could be several identities is already slot 0's, with nothing moved or copied; a later
// slot n puts "gpow.i<n>/" before each key and "i<n>-" before each log name. The settings (relays,
// ICE servers, theme, language) and the list of identities are the install's, shared by all.
import { SETTINGS_KEY, type KeyValueStorage } from './persisted.ts';

/** The list of identities (shared/identity/identityList.ts), as JSON. */
export const IDENTITIES_KEY = 'gpow.identities.v1';

/** Keys every identity shares: not scoped. */
const SHARED_KEYS: ReadonlySet<string> = new Set([SETTINGS_KEY, IDENTITIES_KEY]);

/** What a slot puts before its keys; '' for slot 0. */
export const scopePrefix = (slot: number): string => (slot === 0 ? '' : `gpow.i${slot}/`);

/** The key `key` of identity `slot` is kept under. */
export const scopedKey = (slot: number, key: string): string =>
  SHARED_KEYS.has(key) ? key : `${scopePrefix(slot)}${key}`;

/** `storage` as identity `slot` sees it: its own keys, and the shared ones. */
export function scopedStorage(storage: KeyValueStorage, slot: number): KeyValueStorage {
  if (slot === 0) return storage;
  return {
    getItem: (key) => storage.getItem(scopedKey(slot, key)),
    setItem: (key, value) => storage.setItem(scopedKey(slot, key), value),
    removeItem: (key) => storage.removeItem(scopedKey(slot, key)),
  };
}

/**
 * The name identity `slot`'s log `name` is kept under. Two identities of one install in the same
 * network each keep their own ledger, replica and chats: a log is written by one signer only
 * (shared/ledger/ownHead.ts), and the chats are sealed to one identity.
 */
export const scopedLogName = (slot: number, name: string): string =>
  slot === 0 ? name : `i${slot}-${name}`;

/** A web storage whose keys can be listed (localStorage). */
export type ListableStorage = KeyValueStorage & Pick<Storage, 'key' | 'length'>;

/** Whether `key` is one of slot 0's own (unprefixed, not shared, not another slot's). */
const isFirstSlotKey = (key: string): boolean =>
  key.startsWith('gpow.') && !/^gpow\.i\d+\//u.test(key) && !SHARED_KEYS.has(key);

/**
 * Forgets everything identity `slot` kept in web storage (its keystore, networks, contacts,
 * invitations, marks). Its logs are removed separately, by name.
 */
export function clearScope(storage: ListableStorage, slot: number): void {
  const prefix = scopePrefix(slot);
  const keys: string[] = [];
  for (let i = 0; i < storage.length; i += 1) {
    const key = storage.key(i);
    if (key === null) continue;
    if (slot === 0 ? isFirstSlotKey(key) : key.startsWith(prefix)) keys.push(key);
  }
  for (const key of keys) storage.removeItem(key);
}
