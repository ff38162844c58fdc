// Several identities in one browser profile (docs/keys.md, "In the app"): the list
// (shared/identity/identityList.ts) in localStorage, and one keystore item per slot, each
// encrypted with its own passphrase exactly as the profile's one keystore always was. Slot 0's
// item is the one a profile made before the list existed, so such a profile is slot 0 as it
// stands: nothing to migrate, nothing moved.
import type {
  AddIdentityInput,
  IdentitiesReport,
  IdentitySummary,
} from '../../shared/bridge/contract.ts';
import { encodeAddress, parseAddress } from '../../shared/identity/address.ts';
import {
  addToList,
  readIdentityList,
  removeFromList,
  renameInList,
  useInList,
  writeIdentityList,
  type IdentityList,
  type ListChange,
} from '../../shared/identity/identityList.ts';
import { encryptKeystore } from '../../shared/identity/keystore.ts';
import { identityFromMnemonic, validateMnemonic } from '../../shared/identity/mnemonic.ts';
import type { RandomPort } from '../../shared/ports.ts';
import type { KeyValueStorage } from '../state/persisted.ts';
import { IDENTITIES_KEY, scopedKey } from '../state/identityScope.ts';

/** localStorage's key of the profile's (slot 0's) keystore; later slots scope it (identityScope.ts). */
export const BROWSER_KEYSTORE_KEY = 'gpow.keystore.v1';

export interface BrowserIdentitiesOptions {
  readonly storage: KeyValueStorage;
  readonly random: RandomPort;
  readonly scryptN?: number;
  /** Forgets the unlocked key: switching or removing locks the identity held. */
  readonly lock: () => void;
}

export interface BrowserIdentities {
  /** The storage key of the current identity's keystore. */
  keystoreKey(): string;
  list(): IdentitiesReport;
  add(input: AddIdentityInput): Promise<{ slot: number; address: string }>;
  use(slot: number): void;
  rename(slot: number, name: string): void;
  remove(slot: number): IdentitiesReport;
}

function readJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The address in a keystore's clear header, or undefined when there is none or it is unreadable. */
export function keystoreAddress(text: string | null): string | undefined {
  const json = readJson(text);
  const field =
    typeof json === 'object' && json !== null && 'address' in json ? json.address : undefined;
  const parsed = parseAddress(field);
  return parsed.ok ? parsed.address : undefined;
}

export function createBrowserIdentities(options: BrowserIdentitiesOptions): BrowserIdentities {
  const { storage } = options;
  const read = (): IdentityList => readIdentityList(storage.getItem(IDENTITIES_KEY));
  const keyOf = (slot: number): string => scopedKey(slot, BROWSER_KEYSTORE_KEY);
  const apply = (change: ListChange): IdentityList => {
    if (!change.ok) throw new Error(change.message);
    storage.setItem(IDENTITIES_KEY, writeIdentityList(change.list));
    return change.list;
  };
  const report = (list: IdentityList): IdentitiesReport => ({
    current: list.current,
    identities: list.identities.map((entry): IdentitySummary => {
      const address = keystoreAddress(storage.getItem(keyOf(entry.slot)));
      return address === undefined ? { ...entry } : { ...entry, address };
    }),
  });

  return {
    keystoreKey: () => keyOf(read().current),
    list: () => report(read()),

    async add(input) {
      const phrase = validateMnemonic(input.mnemonic);
      if (!phrase.ok) throw new Error(`That recovery phrase cannot be used: ${phrase.error}.`);
      const before = read();
      // Checked before the slow key derivation, so a refusal costs nothing.
      const named = addToList(before, input.name);
      if (!named.ok) throw new Error(named.message);
      const identity = identityFromMnemonic(phrase.mnemonic);
      const address = encodeAddress(identity.publicKey);
      identity.secretKey.fill(0);
      const twin = report(before).identities.find((e) => e.address === address);
      if (twin !== undefined) {
        throw new Error(`This identity is already here, as “${twin.name}”: switch to it instead.`);
      }
      const keystore = await encryptKeystore(
        { kind: 'mnemonic', mnemonic: phrase.mnemonic },
        input.passphrase,
        options.random,
        options.scryptN === undefined ? {} : { N: options.scryptN },
      );
      // Read again after the derivation: another tab may have changed the list meanwhile.
      const added = addToList(read(), input.name);
      if (!added.ok) throw new Error(added.message);
      const slot = read().next;
      storage.setItem(keyOf(slot), JSON.stringify(keystore));
      const list = apply(added);
      options.lock();
      apply(useInList(list, slot));
      return { slot, address: keystore.address };
    },

    use(slot) {
      const list = read();
      const change = useInList(list, slot);
      if (change.ok && list.current !== slot) options.lock();
      apply(change);
    },

    rename(slot, name) {
      apply(renameInList(read(), slot, name));
    },

    remove(slot) {
      const list = read();
      const after = apply(removeFromList(list, slot));
      if (list.current === slot) options.lock();
      storage.removeItem(keyOf(slot));
      return report(after);
    },
  };
}
