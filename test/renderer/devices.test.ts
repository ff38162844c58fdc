// The app store's side of devices (docs/protocol.md §12): a link made on the profile that holds
// the words, a fresh profile paired from it (a device key of the vault's own, no words, the
// network and the pairing kept for a reload), and every refused link leaving the profile as it
// was. The devices meeting over the network is test/e2e/devices.test.ts's part.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fromHex } from '../../shared/bytes.ts';
import { vrfVerify } from '../../shared/crypto/vrf.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { formatPairingLink, parsePairingLink } from '../../shared/net/pairing.ts';
import { createBrowserBridge } from '../../renderer/bridge/browserBridge.ts';
import { InPageVault } from '../../renderer/bridge/inPageVault.ts';
import { createAppStore, DEVICE_KEY, loadDevice } from '../../renderer/state/appStore.ts';
import { UserError } from '../../renderer/state/errors.ts';
import { NETWORK_KEY, saveNetwork } from '../../renderer/state/persisted.ts';
import { openIndexedDbLogStore } from '../../renderer/storage/indexedDbLogStore.ts';
import { translator } from '../../renderer/i18n/i18n.ts';
import { describeError } from '../../renderer/state/errors.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import { memoryStorage, NO_WEBRTC, PHRASE } from './fixtures.ts';

beforeEach(() => {
  vi.stubGlobal('IDBKeyRange', IDBKeyRange);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const ME = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
const t = translator('en');

interface Profile {
  readonly store: ReturnType<typeof createAppStore>;
  readonly storage: ReturnType<typeof memoryStorage>;
  readonly vault: InPageVault;
  readonly factory: IDBFactory;
}

/** A browser profile as fixtures.ts's testApp, with a vault that can make device keys fast. */
function profile(label: string, from?: Profile): Profile {
  const storage = from?.storage ?? memoryStorage();
  const factory = from?.factory ?? new IDBFactory();
  const random = deterministicRandom(label);
  const vault = new InPageVault({ random, scryptN: 2 ** 10 });
  let now = 1_800_000_000_000;
  const store = createAppStore({
    bridge: createBrowserBridge({
      storage,
      random,
      version: '0.0.0-test',
      scryptN: 2 ** 10,
      vault,
    }),
    signerSource: vault,
    storage,
    openLog: (name) => openIndexedDbLogStore(name, factory),
    wrtc: NO_WEBRTC,
    random,
    clock: { now: () => (now += 1000) },
    voteDelayMs: 5,
  });
  return { store, storage, vault, factory };
}

async function founder(): Promise<Profile> {
  const app = profile('founder');
  await app.store.getState().boot();
  await app.store.getState().createIdentity(PHRASE, 'correct horse');
  await app.store.getState().createNetwork({
    name: 'Devices Co-op',
    witnesses: [ME],
    allocations: [[ME, 1000n]],
    creditLimit: 0n,
  });
  return app;
}

const snapshot = (app: Profile) => new Map(app.storage.items);

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (failure: unknown) => failure,
  );
  expect(error).not.toBeNull();
  return describeError(error, t);
}

describe('devices in the app store', () => {
  it('makes a pairing link on the profile with the words, and a fresh profile pairs from it', async () => {
    const alice = await founder();
    expect(alice.store.getState().devicesHere).toBe(true);
    // The identity's own chain holds the words: it certifies devices.
    expect(alice.vault.signer()?.identity?.key).toBe(ME);
    const link = alice.store.getState().pairingLink(' phone ', 100n);
    const parsed = parsePairingLink(link);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.link).toMatchObject({ account: ME, name: 'phone', allowance: 100n });
    expect(parsed.link.invitation.networkId).toBe(alice.store.getState().network?.networkId);
    // The engine's own sentences come through.
    expect(() => alice.store.getState().pairingLink('  ', 1n)).toThrow('a device needs a name');
    // One runtime per network in this process (the two browsers are separate in real life).
    await alice.store.getState().lock();

    const phone = profile('phone');
    await phone.store.getState().boot();
    expect(phone.store.getState().phase).toEqual({ kind: 'onboarding' });
    await phone.store.getState().pairThisDevice(`${link}\n`, 'phone passphrase');
    const state = phone.store.getState();
    expect(state.phase).toEqual({ kind: 'unlocked' });
    expect(state.device).toMatchObject({ account: ME, name: 'phone' });
    expect(state.device?.pairing?.allowance).toBe(100n);
    expect(state.network).toEqual(parsed.link.invitation);
    // A key of its own, made in the vault, and no words: it signs nothing for the identity.
    const signer = phone.vault.signer();
    expect(signer?.key).toBe(state.key);
    expect(signer?.key).not.toBe(ME);
    expect(signer?.identity).toBeUndefined();
    expect(state.runtime?.devices.account()).toBe(ME);
    expect(() => state.pairingLink('tablet', 0n)).toThrow('24 words');
    // What "gpow device join" keeps, kept here, and only public things.
    const stored = loadDevice(phone.storage);
    expect(stored?.key).toBe(state.key);
    expect(stored?.setup.pairing?.cert).toEqual(parsed.link.cert);
    expect(phone.storage.getItem(DEVICE_KEY)).not.toContain(
      Buffer.from(parsed.link.secret).toString('hex'),
    );
    await phone.store.getState().lock();

    // After a reload the device unlocks as the same device, still without the words.
    const again = profile('phone-2', phone);
    await again.store.getState().boot();
    expect(again.store.getState().phase.kind).toBe('locked');
    await again.store.getState().unlock('phone passphrase');
    expect(again.store.getState().key).toBe(state.key);
    expect(again.store.getState().device).toMatchObject({ account: ME, name: 'phone' });
    expect(again.vault.signer()?.identity).toBeUndefined();
    expect(again.store.getState().runtime?.devices.account()).toBe(ME);
    await again.store.getState().lock();
  });

  it('refuses a damaged link, a forged one, one for another network and a second identity, saving nothing', async () => {
    const alice = await founder();
    const link = alice.store.getState().pairingLink('phone', 100n);
    const parsed = parsePairingLink(link);
    if (!parsed.ok) throw new Error(parsed.error);
    await alice.store.getState().lock();

    const phone = profile('refusals');
    await phone.store.getState().boot();
    const before = snapshot(phone);
    const pair = (text: string) => phone.store.getState().pairThisDevice(text, 'phone passphrase');

    // Damaged: the parser's sentence.
    const damaged = link.replace('&n=phone', '&n=phonf');
    const problem = parsePairingLink(damaged);
    expect(problem.ok).toBe(false);
    const said = await refusal(pair(damaged));
    expect(said).toBe(t('pairThis.error.link', { detail: problem.ok ? '' : problem.error }));
    expect(said).toMatch(/^This pairing link cannot be used: /);
    // A join invitation is not a pairing link.
    expect(await refusal(pair('gpow:join?v=2&net=00'))).toMatch(/cannot be used/);
    // Well formed, but the certificate does not cover what it says: a new name.
    const forged = formatPairingLink({ ...parsed.link, name: 'thief' });
    expect(await refusal(pair(forged))).toBe(t('pairThis.error.cert'));
    expect(snapshot(phone)).toEqual(before);
    expect(phone.store.getState().phase).toEqual({ kind: 'onboarding' });

    // A profile that already belongs to another network.
    saveNetwork(phone.storage, {
      networkId: 'ab'.repeat(32),
      secret: 'A'.repeat(43),
      relays: [],
      name: 'Elsewhere',
    });
    const withNetwork = snapshot(phone);
    expect(await refusal(pair(link))).toBe(t('pairThis.error.otherNetwork', { name: 'Elsewhere' }));
    expect(snapshot(phone)).toEqual(withNetwork);
    phone.storage.removeItem(NETWORK_KEY);

    // A profile that already holds an identity keeps it.
    const carol = profile('carol');
    await carol.store.getState().boot();
    await carol.store.getState().createIdentity(PHRASE, 'correct horse');
    await carol.store.getState().lock();
    const held = snapshot(carol);
    expect(await refusal(carol.store.getState().pairThisDevice(link, 'phone passphrase'))).toBe(
      t('pairThis.error.exists'),
    );
    expect(snapshot(carol)).toEqual(held);
  });

  it('says so on a platform that cannot hold a device key, before anything is saved', async () => {
    const alice = await founder();
    const link = alice.store.getState().pairingLink('phone', 0n);
    await alice.store.getState().lock();
    const storage = memoryStorage();
    const vault = new InPageVault();
    const store = createAppStore({
      bridge: createBrowserBridge({
        storage,
        random: deterministicRandom('desktop'),
        version: '0.0.0-test',
        scryptN: 2 ** 10,
        vault,
      }),
      // A signer source with no device keys.
      signerSource: { signer: () => vault.signer(), lock: () => vault.lock() },
      storage,
      openLog: (name) => openIndexedDbLogStore(name, new IDBFactory()),
      wrtc: NO_WEBRTC,
      random: deterministicRandom('desktop'),
      clock: { now: () => 1_800_000_000_000 },
    });
    expect(store.getState().devicesHere).toBe(false);
    await expect(store.getState().pairThisDevice(link, 'phone passphrase')).rejects.toBeInstanceOf(
      UserError,
    );
    expect(await refusal(store.getState().pairThisDevice(link, 'x'))).toBe(t('devices.desktop'));
    expect(storage.items.size).toBe(0);
  });

  it('keeps every signing power of the vault behind lock()', () => {
    const vault = new InPageVault();
    const secret = identityFromMnemonic(PHRASE).secretKey;
    vault.hold(secret);
    const signer = vault.signer();
    const identity = signer?.identity;
    expect(identity?.key).toBe(ME);
    expect(signer?.signMessage?.(new Uint8Array([1]))).toHaveLength(64);
    // VRF proofs with the key that signs the chain, which verify under it.
    const proof = signer?.proveVrf?.(new Uint8Array([1]));
    expect(proof && vrfVerify(fromHex(ME), new Uint8Array([1]), proof)).toHaveLength(64);
    // A key the vault holds as a device signs its own chain only.
    expect(vault.devices.holdAsDevice('00'.repeat(32) as typeof ME)).toBe(false);
    expect(vault.devices.holdAsDevice(ME)).toBe(true);
    expect(vault.signer()?.identity).toBeUndefined();
    vault.lock();
    expect(() => signer?.signMessage?.(new Uint8Array([1]))).toThrow('locked');
    expect(() => signer?.proveVrf?.(new Uint8Array([1]))).toThrow('locked');
    expect(() => identity?.signMessage(new Uint8Array([1]))).toThrow('locked');
    expect(vault.signer()).toBeNull();
  });

  it('reads back only a well-formed saved pairing', () => {
    const storage = memoryStorage();
    expect(loadDevice(storage)).toBeNull();
    storage.setItem(DEVICE_KEY, '{not json');
    expect(loadDevice(storage)).toBeNull();
    storage.setItem(DEVICE_KEY, JSON.stringify({ version: 1, account: ME, key: 'zz', name: 'x' }));
    expect(loadDevice(storage)).toBeNull();
    storage.setItem(DEVICE_KEY, JSON.stringify({ version: 1, account: ME, key: ME, name: 'x' }));
    expect(loadDevice(storage)).toEqual({ key: ME, setup: { account: ME, name: 'x' } });
    storage.setItem(
      DEVICE_KEY,
      JSON.stringify({
        version: 1,
        account: ME,
        key: ME,
        name: 'x',
        pairing: { key: ME, proof: 'ab', cert: 'cd', allowance: '1' },
      }),
    );
    expect(loadDevice(storage)).toBeNull();
  });
});
