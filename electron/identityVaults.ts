// Several identities in one desktop install (docs/keys.md, "In the app"). Each identity has its
// own keystore file and its own remembered passphrase, and one IdentityVault (identityVault.ts)
// at a time holds an unlocked key: the current one's. The list (shared/identity/identityList.ts)
// is <userData>/identities.json.
//
// Slot 0 is <userData>/keystore.json and remembered-unlock.bin, where an install kept its one
// identity before there could be several: such an install is slot 0 as it stands, with no file
// moved (and no identities.json until a second identity, a rename or a switch needs one). Slot n
// lives in <userData>/identities/<n>/.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  AddIdentityInput,
  IdentitiesReport,
  SecureStorageStatus,
} from '../shared/bridge/contract.ts';
import { encodeAddress } from '../shared/identity/address.ts';
import {
  addToList,
  readIdentityList,
  removeFromList,
  renameInList,
  useInList,
  writeIdentityList,
  type IdentityList,
  type ListChange,
} from '../shared/identity/identityList.ts';
import { identityFromMnemonic, validateMnemonic } from '../shared/identity/mnemonic.ts';
import {
  createIdentityVault,
  type IdentityVault,
  type IdentityVaultOptions,
} from './identityVault.ts';
import type { RememberedUnlock } from './rememberedUnlock.ts';

export interface IdentityVaultsOptions extends Omit<
  IdentityVaultOptions,
  'keystorePath' | 'remembered'
> {
  /** app.getPath('userData'). */
  readonly dir: string;
  /** The remembered passphrase kept at `path`; absent: nothing is remembered. */
  readonly rememberedAt?: (path: string) => RememberedUnlock;
}

/** The current identity's vault, and the key manager's operations on the list. */
export interface IdentityVaults extends IdentityVault {
  list(): Promise<IdentitiesReport>;
  add(input: AddIdentityInput): Promise<{ slot: number; address: string }>;
  use(slot: number): Promise<void>;
  rename(slot: number, name: string): Promise<void>;
  remove(slot: number): Promise<IdentitiesReport>;
  /** How the current identity's remembered passphrase stands. */
  rememberedStatus(): Promise<SecureStorageStatus>;
}

const NOTHING_REMEMBERED: SecureStorageStatus = {
  available: false,
  backend: 'none',
  weak: true,
  remembered: false,
};

/** The folder of slot `slot`'s files. */
export const slotDir = (dir: string, slot: number): string =>
  slot === 0 ? dir : join(dir, 'identities', String(slot));

export function createIdentityVaults(options: IdentityVaultsOptions): IdentityVaults {
  const listPath = join(options.dir, 'identities.json');
  const vaults = new Map<number, { vault: IdentityVault; remembered?: RememberedUnlock }>();

  const slotOf = (slot: number) => {
    const known = vaults.get(slot);
    if (known !== undefined) return known;
    const dir = slotDir(options.dir, slot);
    const remembered = options.rememberedAt?.(join(dir, 'remembered-unlock.bin'));
    const vault = createIdentityVault({
      random: options.random,
      ...(options.scryptN === undefined ? {} : { scryptN: options.scryptN }),
      ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
      ...(options.openNetworks === undefined ? {} : { openNetworks: options.openNetworks }),
      keystorePath: join(dir, 'keystore.json'),
      ...(remembered === undefined ? {} : { remembered }),
    });
    const made = remembered === undefined ? { vault } : { vault, remembered };
    vaults.set(slot, made);
    return made;
  };

  // Only the current slot's vault is ever unlocked; switching away locks it.
  let current = 0;
  const read = async (): Promise<IdentityList> => {
    const text = await readFile(listPath, 'utf8').catch(() => null);
    const list = readIdentityList(text);
    current = list.current;
    return list;
  };
  const apply = async (change: ListChange): Promise<IdentityList> => {
    if (!change.ok) throw new Error(change.message);
    // Written whole then renamed, so a crash leaves the old list or the new one.
    const temp = `${listPath}.tmp`;
    await writeFile(temp, writeIdentityList(change.list), { mode: 0o600 });
    await rename(temp, listPath);
    current = change.list.current;
    return change.list;
  };
  const report = async (list: IdentityList): Promise<IdentitiesReport> => ({
    current: list.current,
    identities: await Promise.all(
      list.identities.map(async (entry) => {
        const { address } = await slotOf(entry.slot).vault.status();
        return address === undefined ? { ...entry } : { ...entry, address };
      }),
    ),
  });
  const vault = (): IdentityVault => slotOf(current).vault;
  const lockAll = (): void => {
    for (const { vault: each } of vaults.values()) each.lock();
  };
  // The list is read once at start; every change after goes through apply().
  const ready = read();

  return {
    status: async () => (await ready, vault().status()),
    create: async (input) => (await ready, vault().create(input)),
    createDevice: async (input) => (await ready, vault().createDevice(input)),
    unlock: async (input) => (await ready, vault().unlock(input)),
    unlockRemembered: async () => (await ready, vault().unlockRemembered()),
    forgetRemembered: async () => (await ready, vault().forgetRemembered()),
    unlockedAddress: () => vault().unlockedAddress(),
    sign: (request) => vault().sign(request),
    openSskBox: (input) => vault().openSskBox(input),
    signIdentityMessage: (message) => vault().signIdentityMessage(message),
    proveVrf: (alpha) => vault().proveVrf(alpha),
    lock: lockAll,

    list: async () => report(await read()),

    async add(input) {
      const phrase = validateMnemonic(input.mnemonic);
      if (!phrase.ok) throw new Error(`That recovery phrase cannot be used: ${phrase.error}.`);
      const before = await read();
      const named = addToList(before, input.name);
      if (!named.ok) throw new Error(named.message);
      const identity = identityFromMnemonic(phrase.mnemonic);
      const address = encodeAddress(identity.publicKey);
      identity.secretKey.fill(0);
      const twin = (await report(before)).identities.find((e) => e.address === address);
      if (twin !== undefined) {
        throw new Error(`This identity is already here, as “${twin.name}”: switch to it instead.`);
      }
      const slot = before.next;
      await mkdir(slotDir(options.dir, slot), { recursive: true, mode: 0o700 });
      const made = await slotOf(slot).vault.create({
        mnemonic: phrase.mnemonic,
        passphrase: input.passphrase,
      });
      const list = await apply(named);
      lockAll();
      await apply(useInList(list, slot));
      return { slot, address: made.address };
    },

    async use(slot) {
      const list = await read();
      const change = useInList(list, slot);
      if (change.ok && slot !== list.current) lockAll();
      await apply(change);
    },

    async rename(slot, name) {
      await apply(renameInList(await read(), slot, name));
    },

    async remove(slot) {
      const list = await read();
      const after = await apply(removeFromList(list, slot));
      const gone = slotOf(slot);
      gone.vault.lock();
      await gone.remembered?.forget();
      vaults.delete(slot);
      const dir = slotDir(options.dir, slot);
      if (slot === 0) await rm(join(dir, 'keystore.json'), { force: true });
      else await rm(dir, { recursive: true, force: true });
      return report(after);
    },

    rememberedStatus: async () => {
      await ready;
      return (await slotOf(current).remembered?.status()) ?? NOTHING_REMEMBERED;
    },
  };
}
