// The key manager in the app store (renderer/state/keyManager.ts), over the real browser bridge,
// in-page vault and IndexedDB logs: a profile made before several identities existed opens as
// it was (same identity, network and balance, nothing rewritten); a second identity gets its own
// keystore, storage and logs; one identity's two networks keep their own balances; the choice
// survives a reload; a removed identity leaves nothing behind in web storage.
import { IDBKeyRange } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fromHex } from '../../shared/bytes.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { readIdentityList } from '../../shared/identity/identityList.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf, type KeyHex } from '../../shared/ids.ts';
import {
  IDENTITIES_KEY,
  scopedLogName,
  scopedStorage,
  type ListableStorage,
} from '../../renderer/state/identityScope.ts';
import { NETWORK_KEY } from '../../renderer/state/persisted.ts';
import { BROWSER_KEYSTORE_KEY } from '../../renderer/bridge/browserBridge.ts';
import { openIndexedDbLogStore } from '../../renderer/storage/indexedDbLogStore.ts';
import { PHRASE, testApp, type TestApp } from './fixtures.ts';

beforeEach(() => {
  vi.stubGlobal('IDBKeyRange', IDBKeyRange);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const WORK_PHRASE =
  'legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title';
const ME = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
const WORK = keyHexOf(identityFromMnemonic(WORK_PHRASE).publicKey);

interface Page extends TestApp {
  readonly slot: number;
  readonly reloads: { count: number };
}

/** localStorage's listing, over the fixtures' in-memory storage. */
const listable = (app: TestApp): ListableStorage => ({
  ...app.storage,
  key: (index) => [...app.storage.items.keys()][index] ?? null,
  get length() {
    return app.storage.items.size;
  },
});

/** A page of the profile `from` (or a fresh one), scoped to the current identity as main.tsx does. */
async function openPage(label: string, from?: TestApp): Promise<Page> {
  const base = from ?? testApp(`${label}-profile`);
  const slot = readIdentityList(base.storage.getItem(IDENTITIES_KEY)).current;
  const reloads = { count: 0 };
  const app = testApp(label, base, {
    storage: scopedStorage(base.storage, slot),
    rootStorage: listable(base),
    openLog: (name) => openIndexedDbLogStore(scopedLogName(slot, name), base.factory),
    reload: () => {
      reloads.count += 1;
    },
  });
  await app.store.getState().boot();
  return { ...app, slot, reloads };
}

const available = (app: TestApp, key: KeyHex): bigint | undefined =>
  app.store.getState().runtime?.ledger?.account(key).available;

async function found(app: TestApp, name: string, key: KeyHex, amount: bigint): Promise<void> {
  await app.store.getState().createNetwork({
    name,
    witnesses: [key],
    allocations: [[key, amount]],
    creditLimit: 0n,
  });
  await vi.waitFor(() => expect(available(app, key)).toBe(amount));
}

describe('several identities and networks in one profile', () => {
  it('opens an older profile as it was, and keeps each identity and network apart', async () => {
    // A profile as every one was before: one identity, one network, a payment made.
    const old = await openPage('old');
    await old.store.getState().createIdentity(PHRASE, 'correct horse');
    await found(old, 'Alpha', ME, 1000n);
    await old.store.getState().send(WORK, 100n);
    await vi.waitFor(() => expect(available(old, ME)).toBe(900n));
    await old.store.getState().runtime?.settled();
    await old.store.getState().lock();
    const before = new Map(old.storage.items);
    expect(before.has(IDENTITIES_KEY)).toBe(false);

    // Opened again: the same identity, named "main", network and balance; nothing rewritten.
    const again = await openPage('again', old);
    expect(again.slot).toBe(0);
    await again.store.getState().refreshIdentities();
    expect(again.store.getState().identities).toEqual({
      current: 0,
      identities: [{ slot: 0, name: 'main', address: encodeAddress(fromHex(ME)) }],
    });
    await again.store.getState().unlock('correct horse');
    expect(again.store.getState().network?.name).toBe('Alpha');
    await vi.waitFor(() => expect(available(again, ME)).toBe(900n));
    expect(new Map(old.storage.items)).toEqual(before);

    // The same identity twice is refused, saving nothing.
    await expect(again.store.getState().addIdentity('again', PHRASE, 'x')).rejects.toThrow(
      'This identity is already here, as “main”: switch to it instead.',
    );
    expect(again.reloads.count).toBe(0);
    expect(new Map(old.storage.items)).toEqual(before);

    // A second identity: its own keystore item; the page is opened again for it.
    await again.store.getState().addIdentity('work', WORK_PHRASE, 'work pass');
    expect(again.reloads.count).toBe(1);
    expect(old.storage.getItem(BROWSER_KEYSTORE_KEY)).toBe(before.get(BROWSER_KEYSTORE_KEY));
    expect(old.storage.getItem(NETWORK_KEY)).toBe(before.get(NETWORK_KEY));
    await again.store.getState().lock();

    const work = await openPage('work', old);
    expect(work.slot).toBe(1);
    expect(work.store.getState().phase).toEqual({
      kind: 'locked',
      address: encodeAddress(fromHex(WORK)),
    });
    await expect(work.store.getState().unlock('correct horse')).rejects.toThrow();
    await work.store.getState().unlock('work pass');
    expect(work.store.getState().network).toBeNull();

    // Two networks of "work", each with its own balance.
    await found(work, 'Beta', WORK, 400n);
    const beta = work.store.getState().network?.networkId ?? '';
    await work.store.getState().setNetworkAside();
    expect(work.store.getState().network).toBeNull();
    await found(work, 'Gamma', WORK, 250n);
    expect(
      work.store
        .getState()
        .knownNetworks()
        .map((n) => n.name),
    ).toEqual(['Gamma', 'Beta']);
    await work.store.getState().switchNetwork(beta);
    expect(work.store.getState().network?.name).toBe('Beta');
    await vi.waitFor(() => expect(available(work, WORK)).toBe(400n));
    await work.store.getState().lock();

    // A reload keeps the identity and the network.
    const reloaded = await openPage('reloaded', old);
    expect(reloaded.slot).toBe(1);
    await reloaded.store.getState().unlock('work pass');
    expect(reloaded.store.getState().network?.name).toBe('Beta');
    await vi.waitFor(() => expect(available(reloaded, WORK)).toBe(400n));

    // Back to main: its network and balance, untouched by "work".
    await reloaded.store.getState().refreshIdentities();
    await reloaded.store.getState().switchIdentity(0);
    expect(reloaded.reloads.count).toBe(1);
    const back = await openPage('back', old);
    expect(back.slot).toBe(0);
    await back.store.getState().unlock('correct horse');
    expect(back.store.getState().network?.name).toBe('Alpha');
    await vi.waitFor(() => expect(available(back, ME)).toBe(900n));

    // Removing "work" leaves none of its keys; the last identity cannot go.
    await back.store.getState().refreshIdentities();
    await back.store.getState().removeIdentity(1);
    expect([...old.storage.items.keys()].filter((k) => k.startsWith('gpow.i1/'))).toEqual([]);
    expect(back.store.getState().identities?.identities.map((e) => e.name)).toEqual(['main']);
    await expect(back.store.getState().removeIdentity(0)).rejects.toThrow(/only identity here/);
    expect(old.storage.getItem(BROWSER_KEYSTORE_KEY)).toBe(before.get(BROWSER_KEYSTORE_KEY));
    await back.store.getState().lock();
  });
});
