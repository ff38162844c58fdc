// Signing in the desktop app: the renderer's BridgeSigner sends sign requests over the
// synchronous IPC channel; main's identity vault signs with the key it unlocked, and only a
// well-formed transaction of a known type. The key never comes back.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebContents } from 'electron';
import {
  CHANNELS,
  type GpowBridge,
  type OpenSskBoxInput,
  type OpenSskBoxResult,
} from '../../shared/bridge/contract.ts';
import { fromHex } from '../../shared/bytes.ts';
import { sealKey } from '../../shared/ssk/box.ts';
import { encodeCanonical } from '../../shared/codec/cbor.ts';
import { parseAddress } from '../../shared/identity/address.ts';
import { generateMnemonic, identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf, type KeyHex, type TxId } from '../../shared/ids.ts';
import { signTx, type UnsignedTx } from '../../shared/tx/envelope.ts';
import { genesisBody } from '../../shared/tx/genesis.ts';
import { nodeRandom } from '../../node/platform/nodeRandom.ts';
import {
  createIdentityVault,
  LOCKED_MESSAGE,
  type IdentityVault,
} from '../../electron/identityVault.ts';
import { registerIpcHandlers } from '../../electron/ipc.ts';
import { createRememberedUnlock, type SafeStorageLike } from '../../electron/rememberedUnlock.ts';
import { decodeSignRequest } from '../../electron/signRequest.ts';
import { BridgeSigner, encodeSignRequest } from '../../renderer/runtime/signer.ts';
import { sskOpenerOf } from '../../engine/ssk.ts';
import { desktopPlatform } from '../../renderer/bridge/desktop.ts';
import { admit } from '../helpers/network.ts';
import { createVerifier, publicKeyOf } from '../../shared/crypto/ed25519.ts';
import { pairingMessage } from '../../shared/tx/device.ts';
import { deviceCertMessage } from '../../shared/wallet/devices.ts';
import { nodeBackend } from '../../node/crypto/nodeEd25519.ts';
import { VRF_OUTPUT_BYTES, vrfProve, vrfVerify } from '../../shared/crypto/vrf.ts';

vi.mock('electron', () => ({}));

const PASSPHRASE = 'correct horse battery staple';
const SCRYPT_N = 1024;

function genesisFor(me: KeyHex): UnsignedTx {
  return {
    net: null,
    seq: 0,
    prev: null,
    deps: [],
    type: 'genesis',
    body: genesisBody({
      name: 'desktop',
      witnesses: [me],
      allocations: [[me, 100n]],
      creditLimit: 0n,
    }),
    time: 1_700_000_000_000,
  };
}

const id = (byte: number): TxId => keyHexOf(new Uint8Array(32).fill(byte)) as string as TxId;

function transferFor(to: KeyHex): UnsignedTx {
  return {
    net: id(0xee),
    seq: 3,
    prev: id(0x01),
    deps: [id(0x05), id(0x03), id(0x05)],
    type: 'transfer',
    body: { to: Buffer.from(to, 'hex'), amount: 2n ** 53n + 1n },
    time: 5,
  };
}

/** A fake safeStorage: "encrypts" by reversing the bytes; the backend is configurable. */
function fakeSafeStorage(backend: string, available = true): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () =>
      backend as ReturnType<SafeStorageLike['getSelectedStorageBackend']>,
    encryptString: (text) => Buffer.from(text, 'utf8').reverse(),
    decryptString: (sealed) => {
      if (sealed[0] === 0) throw new Error('Error while decrypting the ciphertext provided');
      return Buffer.from(sealed).reverse().toString('utf8');
    },
  };
}

describe('the identity vault', () => {
  let dir: string;
  let vault: IdentityVault;
  let mnemonic: string;
  let me: KeyHex;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gpow-vault-'));
    vault = createIdentityVault({
      keystorePath: join(dir, 'keystore.json'),
      random: nodeRandom,
      scryptN: SCRYPT_N,
    });
    mnemonic = generateMnemonic(nodeRandom);
    const { address } = await vault.create({ mnemonic, passphrase: PASSPHRASE });
    const parsed = parseAddress(address);
    if (!parsed.ok) throw new Error('bad address');
    me = keyHexOf(parsed.publicKey);
  });
  afterEach(async () => {
    vault.lock();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to sign while locked, with a clear error', async () => {
    expect(() => vault.sign(encodeSignRequest(genesisFor(me)))).toThrow(LOCKED_MESSAGE);
    await expect(vault.unlock({ passphrase: 'wrong' })).resolves.toMatchObject({
      ok: false,
      code: 'wrong-passphrase',
    });
    expect(() => vault.sign(encodeSignRequest(genesisFor(me)))).toThrow(LOCKED_MESSAGE);
    expect(vault.unlockedAddress()).toBeNull();
  });

  it('signs after unlock exactly as the key itself would, and stops at lock()', async () => {
    const unlocked = await vault.unlock({ passphrase: PASSPHRASE });
    expect(unlocked).toMatchObject({ ok: true });
    const wire = vault.sign(encodeSignRequest(genesisFor(me)));
    const tx = await admit(wire);
    expect(tx.author).toBe(me);
    expect(tx.type).toBe('genesis');
    const key = identityFromMnemonic(mnemonic).secretKey;
    expect(wire).toEqual(signTx(key, genesisFor(me)));

    // A transfer with a bigint amount and unsorted, repeated deps crosses intact.
    const transfer = vault.sign(encodeSignRequest(transferFor(me)));
    expect(transfer).toEqual(signTx(key, transferFor(me)));

    vault.lock();
    expect(() => vault.sign(encodeSignRequest(genesisFor(me)))).toThrow(LOCKED_MESSAGE);
  });

  it('proves VRF outputs with the key that signs, and refuses while locked', async () => {
    const alpha = Uint8Array.of(0xac, 0xce);
    expect(() => vault.proveVrf(alpha)).toThrow(LOCKED_MESSAGE);
    await vault.unlock({ passphrase: PASSPHRASE });
    const proof = vault.proveVrf(alpha);
    // The same proof the key itself makes, verifying under the identity's public key.
    expect(proof).toEqual(vrfProve(identityFromMnemonic(mnemonic).secretKey, alpha));
    expect(vrfVerify(fromHex(me), alpha, proof)?.length).toBe(VRF_OUTPUT_BYTES);
    vault.lock();
    expect(() => vault.proveVrf(alpha)).toThrow(LOCKED_MESSAGE);
  });

  it('signs only well-formed transactions of known types', async () => {
    await vault.unlock({ passphrase: PASSPHRASE });
    const good = encodeSignRequest(genesisFor(me));
    const cases: [string, Uint8Array, RegExp][] = [
      ['garbage', Uint8Array.of(0xff, 0x00), /will not sign this: the sign request is malformed/u],
      ['a trailing byte', Uint8Array.of(...good, 0), /will not sign this/u],
      [
        'an unknown type',
        encodeSignRequest({ ...transferFor(me), type: 'nope' }),
        /unknown transaction type "nope"/u,
      ],
      [
        'a malformed body',
        encodeSignRequest({ ...transferFor(me), body: { to: 'me' } }),
        /transfer body/u,
      ],
      [
        'a smuggled author',
        encodeCanonical({ ...(decodeRequestMap(good) as object), author: new Uint8Array(32) }),
        /malformed/u,
      ],
      [
        'a genesis-less network id on a transfer',
        encodeSignRequest({ ...transferFor(me), net: id(0) }),
        /only genesis has no network id/u,
      ],
      [
        'seq 0 with a prev',
        encodeSignRequest({ ...transferFor(me), seq: 0 }),
        /seq 0 has no prev/u,
      ],
      ['arbitrary bytes to sign', encodeCanonical({ message: 'please sign me' }), /malformed/u],
    ];
    for (const [, request, message] of cases) {
      expect(() => vault.sign(request)).toThrow(message);
    }
  });

  it('decodes exactly what the renderer encodes', () => {
    const parsed = decodeSignRequest(encodeSignRequest(transferFor(me)));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.unsigned).toMatchObject({
      net: id(0xee),
      seq: 3,
      prev: id(0x01),
      deps: [id(0x03), id(0x05)],
      type: 'transfer',
      time: 5,
    });
  });

  it('remembers the passphrase where the OS protects it, and unlocks with it', async () => {
    const remembered = createRememberedUnlock({
      safeStorage: fakeSafeStorage('gnome_libsecret'),
      platform: 'linux',
      path: join(dir, 'remembered-unlock.bin'),
    });
    const withMemory = createIdentityVault({
      keystorePath: join(dir, 'keystore.json'),
      random: nodeRandom,
      remembered,
    });
    await expect(withMemory.unlockRemembered()).resolves.toMatchObject({
      ok: false,
      code: 'not-found',
    });
    await expect(
      withMemory.unlock({ passphrase: PASSPHRASE, remember: true }),
    ).resolves.toMatchObject({
      ok: true,
      remembered: true,
    });
    expect((await remembered.status()).remembered).toBe(true);
    withMemory.lock();
    await expect(withMemory.unlockRemembered()).resolves.toMatchObject({ ok: true });
    expect(() => withMemory.sign(encodeSignRequest(genesisFor(me)))).not.toThrow();
    await withMemory.forgetRemembered();
    expect((await remembered.status()).remembered).toBe(false);
    withMemory.lock();
  });

  it('will not remember on Linux basic_text, but still unlocks', async () => {
    const warn = vi.fn();
    const remembered = createRememberedUnlock({
      safeStorage: fakeSafeStorage('basic_text'),
      platform: 'linux',
      path: join(dir, 'remembered-unlock.bin'),
    });
    const withMemory = createIdentityVault({
      keystorePath: join(dir, 'keystore.json'),
      random: nodeRandom,
      remembered,
      onWarning: warn,
    });
    await expect(
      withMemory.unlock({ passphrase: PASSPHRASE, remember: true }),
    ).resolves.toMatchObject({
      ok: true,
      remembered: false,
    });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/backend basic_text/u));
    expect(await remembered.status()).toEqual({
      available: true,
      backend: 'basic_text',
      weak: true,
      remembered: false,
    });
    withMemory.lock();
  });
});

/** The map inside a sign request, for building tampered ones. */
function decodeRequestMap(bytes: Uint8Array): unknown {
  const parsed = decodeSignRequest(bytes);
  if (!parsed.ok) throw new Error(parsed.message);
  const u = parsed.unsigned;
  return {
    net: u.net === null ? null : Buffer.from(u.net, 'hex'),
    seq: u.seq,
    prev: u.prev === null ? null : Buffer.from(u.prev, 'hex'),
    deps: u.deps.map((d) => Buffer.from(d, 'hex')),
    type: u.type,
    body: u.body,
    time: u.time,
  };
}

describe('the desktop signer, over IPC', () => {
  let dir: string;
  let vault: IdentityVault;
  let sendSync: (channel: string, ...args: unknown[]) => unknown;
  let invoke: (channel: string, ...args: unknown[]) => Promise<unknown>;
  let frameUrl: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gpow-signer-'));
    vault = createIdentityVault({
      keystorePath: join(dir, 'keystore.json'),
      random: nodeRandom,
      scryptN: SCRYPT_N,
    });
    await vault.create({ mnemonic: generateMnemonic(nodeRandom), passphrase: PASSPHRASE });
    const implementation = {
      signTransaction: (request: Uint8Array) => vault.sign(request),
      openSskBox: (input: OpenSskBoxInput) => vault.openSskBox(input),
      signIdentityMessage: (message: Uint8Array) => vault.signIdentityMessage(message),
      proveVrf: (alpha: Uint8Array) => vault.proveVrf(alpha),
      createDeviceKeystore: (input: { passphrase: string }) => vault.createDevice(input),
      lock: () => Promise.resolve(vault.lock()),
      unlockKeystore: (input: { passphrase: string }) => vault.unlock(input),
    } as Partial<GpowBridge> as GpowBridge;
    const onHandlers = new Map<string, (...args: unknown[]) => void>();
    const handleHandlers = new Map<string, (...args: unknown[]) => Promise<unknown>>();
    registerIpcHandlers(
      {
        on: (channel: string, handler: (...args: unknown[]) => void) =>
          onHandlers.set(channel, handler),
        handle: (channel: string, handler: (...args: unknown[]) => Promise<unknown>) =>
          handleHandlers.set(channel, handler),
      } as never,
      implementation,
      (contents: WebContents) => contents.id === 1,
    );
    frameUrl = 'app://gpow/index.html';
    const event = () => ({
      sender: { id: 1 },
      senderFrame: { url: frameUrl, parent: null },
      returnValue: undefined as unknown,
    });
    // Arguments and answers are structured-cloned, as Electron's IPC does.
    sendSync = (channel, ...args) => {
      const e = event();
      onHandlers.get(channel)?.(e, ...structuredClone(args));
      return structuredClone(e.returnValue);
    };
    invoke = async (channel, ...args) =>
      structuredClone(await handleHandlers.get(channel)?.(event(), ...structuredClone(args)));
  });
  afterEach(async () => {
    vault.lock();
    await rm(dir, { recursive: true, force: true });
  });

  /** A synchronous call as the preload makes it: main's SyncReply, a refusal thrown. */
  function callSync<T>(channel: string, ...args: unknown[]): T {
    const reply = sendSync(channel, ...args) as
      { ok: true; value: T } | { ok: false; message: string };
    if (!reply.ok) throw new Error(reply.message);
    return reply.value;
  }

  /** What the preload would expose, built on the fake IPC above. */
  function preloadBridge(): GpowBridge {
    return {
      signTransaction: (request: Uint8Array) =>
        callSync<Uint8Array>(CHANNELS.signTransaction, request),
      openSskBox: (input) => callSync<OpenSskBoxResult>(CHANNELS.openSskBox, input),
      signIdentityMessage: (message: Uint8Array) =>
        callSync<Uint8Array>(CHANNELS.signIdentityMessage, message),
      proveVrf: (alpha: Uint8Array) => callSync<Uint8Array>(CHANNELS.proveVrf, alpha),
      lock: () => invoke(CHANNELS.lock) as Promise<void>,
      unlockKeystore: (input) => invoke(CHANNELS.unlockKeystore, input),
      createDeviceKeystore: (input) =>
        invoke(CHANNELS.createDeviceKeystore, input) as Promise<{ address: string }>,
    } as Partial<GpowBridge> as GpowBridge;
  }

  it('signs after unlock, fails when locked, and never holds the key in the renderer', async () => {
    const platform = desktopPlatform(preloadBridge());
    expect(platform.signerSource.signer()).toBeNull();
    const result = await platform.bridge.unlockKeystore({ passphrase: PASSPHRASE });
    expect(result.ok).toBe(true);
    const signer = platform.signerSource.signer();
    expect(signer).not.toBeNull();
    if (signer === null || !result.ok) return;
    const parsed = parseAddress(result.address);
    expect(parsed.ok && keyHexOf(parsed.publicKey)).toBe(signer.key);

    const tx = await admit(signer.sign(genesisFor(signer.key)));
    expect(tx.author).toBe(signer.key);
    // What the renderer holds: a key name and a function. No secret anywhere in it.
    expect(Object.keys(signer).sort()).toEqual([
      'identity',
      'key',
      'openSskBox',
      'proveVrf',
      'sign',
      'signMessage',
    ]);
    // A VRF proof is made in main with the key that signs the chain; it verifies under that key.
    const alpha = Uint8Array.of(1, 2, 3);
    const proof = signer.proveVrf?.(alpha);
    expect(proof && vrfVerify(fromHex(signer.key), alpha, proof)?.length).toBe(VRF_OUTPUT_BYTES);
    // A device certificate for this identity is signed in main (docs/protocol.md §12); bytes of
    // any other kind are refused there.
    const cert = deviceCertMessage(id(5), {
      account: signer.key,
      key: keyHexOf(new Uint8Array(32).fill(6)),
      name: 'phone',
      allowance: 5n,
    });
    const certSig = signer.identity?.signMessage(cert);
    expect(
      certSig && (await createVerifier(nodeBackend).verify(certSig, cert, fromHex(signer.key))),
    ).toBe(true);
    expect(() => signer.signMessage?.(Uint8Array.of(1, 2, 3))).toThrow(
      /GPoW will not sign this: it is neither a device certificate nor a revocation/u,
    );

    // A key box sealed to this identity opens in main; the pair key comes back, not the secret.
    const pairKey = new Uint8Array(32).fill(7);
    const context = (recipient: KeyHex) => ({
      network: new Uint8Array(32).fill(1),
      sender: new Uint8Array(32).fill(9),
      recipient: fromHex(recipient),
      epoch: 3,
    });
    const meta = { epoch: 3, alg: 1 as const, created: 1, purpose: 'messages' };
    const box = sealKey(pairKey, meta, context(signer.key), nodeRandom);
    const opener = sskOpenerOf(signer);
    expect(opener?.openSskBox(box, context(signer.key))).toEqual({ ok: true, key: pairKey, meta });
    // A box for someone else is refused before it reaches main, and main opens for itself only.
    const other = keyHexOf(identityFromMnemonic(generateMnemonic(nodeRandom)).publicKey);
    const theirs = sealKey(pairKey, meta, context(other), nodeRandom);
    expect(opener?.openSskBox(theirs, context(other))).toEqual({
      ok: false,
      error: 'this key box is sealed to another identity',
    });
    expect(opener?.openSskBox(theirs, context(signer.key)).ok).toBe(false);
    expect(vault.openSskBox({ ...context(signer.key), box: theirs }).ok).toBe(false);

    // Main locked behind the renderer's back (the tray's Lock): the same signer now fails.
    vault.lock();
    expect(() => signer.sign(genesisFor(signer.key))).toThrow(LOCKED_MESSAGE);
    expect(() => signer.proveVrf?.(alpha)).toThrow(LOCKED_MESSAGE);
    expect(opener?.openSskBox(box, context(signer.key))).toEqual({
      ok: false,
      error: LOCKED_MESSAGE,
    });

    // Unlocked again, then locked from the UI: main forgets the key, and the old signer stays dead.
    await platform.bridge.unlockKeystore({ passphrase: PASSPHRASE });
    const again = platform.signerSource.signer();
    platform.signerSource.lock();
    expect(platform.signerSource.signer()).toBeNull();
    expect(() => again?.sign(genesisFor(signer.key))).toThrow(LOCKED_MESSAGE);
    expect(() => again?.proveVrf?.(alpha)).toThrow(LOCKED_MESSAGE);
    await vi.waitFor(() => expect(vault.unlockedAddress()).toBeNull());
  });

  it('makes this computer a device in main: its key signs its chain, never for the identity', async () => {
    await rm(join(dir, 'keystore.json'));
    const platform = desktopPlatform(preloadBridge());
    const holder = platform.signerSource.devices;
    if (holder === undefined) throw new Error('the desktop signer holds device keys');
    const pairingSecret = new Uint8Array(32).fill(3);
    const made = await holder.createDeviceKey({
      networkId: id(9),
      pairingSecret,
      passphrase: PASSPHRASE,
      storage: { getItem: () => null, setItem: () => undefined },
    });
    const signer = platform.signerSource.signer();
    expect(signer?.key).toBe(made.key);
    expect(signer?.identity).toBeUndefined();
    expect(signer && 'signMessage' in signer).toBe(false);
    expect((await admit(signer!.sign(genesisFor(made.key)))).author).toBe(made.key);
    // Its VRF proofs are its own key's, like its signatures.
    const proof = signer?.proveVrf?.(Uint8Array.of(4));
    expect(proof && vrfVerify(fromHex(made.key), Uint8Array.of(4), proof)).not.toBeNull();
    // The proof a pairing link asks for: the link's one-time key over this device's key.
    const link = publicKeyOf(pairingSecret);
    expect(
      await createVerifier(nodeBackend).verify(
        made.proof,
        pairingMessage(fromHex(id(9)), fromHex(made.key)),
        link,
      ),
    ).toBe(true);
    // A second device key never replaces the first.
    await expect(
      holder.createDeviceKey({
        networkId: id(9),
        pairingSecret,
        passphrase: PASSPHRASE,
        storage: { getItem: () => null, setItem: () => undefined },
      }),
    ).rejects.toThrow(/A keystore already exists/u);
    expect(holder.holdAsDevice(made.key)).toBe(true);
    expect(holder.holdAsDevice(keyHexOf(new Uint8Array(32).fill(1)))).toBe(false);
  });

  it('refuses a request from another origin even when unlocked', async () => {
    await vault.unlock({ passphrase: PASSPHRASE });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    frameUrl = 'https://evil.example/';
    const signer = new BridgeSigner(preloadBridge());
    signer.unlocked(keyHexOf(new Uint8Array(32)));
    expect(() => signer.signer()?.sign(genesisFor(keyHexOf(new Uint8Array(32))))).toThrow(
      /refused the signTransaction request: requests are only accepted from the app origin/u,
    );
    expect(() => signer.signer()?.proveVrf?.(Uint8Array.of(1))).toThrow(
      /refused the proveVrf request: requests are only accepted from the app origin/u,
    );
    warn.mockRestore();
  });
});
