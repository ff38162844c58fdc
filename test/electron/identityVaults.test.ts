// Several identities in the desktop app, through the real IPC handlers (sender check and
// schemas), main's bridge and identity vaults (electron/identityVaults.ts) and real keystore
// files in a temporary "userData". An install made before there could be several identities
// opens as it was, with no file moved or rewritten; each identity has its own keystore and
// passphrase; a request from a wrong sender or with a bad payload is refused and changes nothing.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebContents } from 'electron';
import { CHANNELS, type BridgeMethod } from '../../shared/bridge/contract.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { createIdentityVault } from '../../electron/identityVault.ts';
import { registerIpcHandlers } from '../../electron/ipc.ts';
import { nodeRandom } from '../../node/platform/nodeRandom.ts';
import { cleanMainBridges, mainBridge, userDataDir } from './mainBridge.ts';

vi.mock('electron', () => ({}));

const MAIN_PHRASE =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art';
const WORK_PHRASE =
  'legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title';
const MAIN = encodeAddress(identityFromMnemonic(MAIN_PHRASE).publicKey);
const WORK = encodeAddress(identityFromMnemonic(WORK_PHRASE).publicKey);

type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>;
interface Sender {
  readonly url: string;
  readonly windowId: number;
  readonly parent?: boolean;
}
const APP: Sender = { url: 'app://gpow/index.html', windowId: 1 };

/** Main's bridge in `dir`, reached as the renderer reaches it: over IPC, from `sender`. */
function ipcTo(dir: string) {
  const handlers = new Map<string, Handler>();
  const { main } = mainBridge(dir);
  registerIpcHandlers(
    {
      handle: (channel: string, handler: Handler) => handlers.set(channel, handler),
      on: () => undefined,
    } as never,
    main,
    (contents: WebContents) => contents.id === 1,
  );
  return (method: BridgeMethod, args: unknown[], sender: Sender = APP): Promise<unknown> => {
    const handler = handlers.get(CHANNELS[method]);
    if (handler === undefined) throw new Error(`no handler for ${method}`);
    const event = {
      sender: { id: sender.windowId },
      senderFrame: { url: sender.url, parent: sender.parent === true ? {} : null },
    };
    return handler(event, ...structuredClone(args)).then((result) => structuredClone(result));
  };
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

afterEach(async () => {
  vi.restoreAllMocks();
  await cleanMainBridges();
});

describe('several identities in the desktop app', () => {
  it('opens an older install as it was, and keeps each identity apart', async () => {
    const dir = await userDataDir('identities');
    // An install as every one was: one keystore.json, made by the one-identity vault.
    await createIdentityVault({
      keystorePath: join(dir, 'keystore.json'),
      random: nodeRandom,
      scryptN: 1024,
    }).create({ mnemonic: MAIN_PHRASE, passphrase: 'main pass' });
    const before = await readFile(join(dir, 'keystore.json'), 'utf8');

    const call = ipcTo(dir);
    await expect(call('listIdentities', [])).resolves.toEqual({
      current: 0,
      identities: [{ slot: 0, name: 'main', address: MAIN }],
    });
    await expect(call('unlockKeystore', [{ passphrase: 'main pass' }])).resolves.toEqual({
      ok: true,
      address: MAIN,
    });
    expect(await exists(join(dir, 'identities.json'))).toBe(false);

    // A second identity: its own keystore file, current, locked until its passphrase.
    await expect(
      call('addIdentity', [{ name: 'work', mnemonic: WORK_PHRASE, passphrase: 'work pass' }]),
    ).resolves.toEqual({ slot: 1, address: WORK });
    expect(await readFile(join(dir, 'keystore.json'), 'utf8')).toBe(before);
    expect(await exists(join(dir, 'identities', '1', 'keystore.json'))).toBe(true);
    await expect(call('keystoreStatus', [])).resolves.toEqual({ exists: true, address: WORK });
    await expect(call('unlockKeystore', [{ passphrase: 'main pass' }])).resolves.toMatchObject({
      ok: false,
      code: 'wrong-passphrase',
    });
    await expect(call('unlockKeystore', [{ passphrase: 'work pass' }])).resolves.toEqual({
      ok: true,
      address: WORK,
    });

    // The same identity twice is refused, and so is a taken name.
    await expect(
      call('addIdentity', [{ name: 'again', mnemonic: MAIN_PHRASE, passphrase: 'x' }]),
    ).rejects.toThrow('This identity is already here, as “main”: switch to it instead.');
    await expect(
      call('addIdentity', [{ name: 'WORK', mnemonic: MAIN_PHRASE, passphrase: 'x' }]),
    ).rejects.toThrow('There is already an identity with this name here.');

    // Switching back, renaming, removing; the last one stays.
    await call('useIdentity', [{ slot: 0 }]);
    await expect(call('keystoreStatus', [])).resolves.toEqual({ exists: true, address: MAIN });
    await call('renameIdentity', [{ slot: 0, name: 'Home' }]);
    await expect(call('removeIdentity', [{ slot: 1 }])).resolves.toEqual({
      current: 0,
      identities: [{ slot: 0, name: 'Home', address: MAIN }],
    });
    expect(await exists(join(dir, 'identities', '1'))).toBe(false);
    await expect(call('removeIdentity', [{ slot: 0 }])).rejects.toThrow(/only identity here/);
    expect(await readFile(join(dir, 'keystore.json'), 'utf8')).toBe(before);

    // Opened again (a restart): the list and the choice are kept.
    await expect(ipcTo(dir)('listIdentities', [])).resolves.toEqual({
      current: 0,
      identities: [{ slot: 0, name: 'Home', address: MAIN }],
    });
  });

  it('refuses the key manager’s requests from a wrong sender, or with a bad payload, changing nothing', async () => {
    // ipc.ts logs each refused sender; the assertions below are what matters here.
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const dir = await userDataDir('identities-refused');
    const call = ipcTo(dir);
    const good: ReadonlyArray<[BridgeMethod, unknown[]]> = [
      ['listIdentities', []],
      ['addIdentity', [{ name: 'work', mnemonic: WORK_PHRASE, passphrase: 'work pass' }]],
      ['useIdentity', [{ slot: 0 }]],
      ['renameIdentity', [{ slot: 0, name: 'Home' }]],
      ['removeIdentity', [{ slot: 0 }]],
    ];
    const strangers: Sender[] = [
      { url: 'https://evil.example/', windowId: 1 },
      { ...APP, parent: true },
      { ...APP, windowId: 2 },
    ];
    for (const [method, args] of good) {
      for (const sender of strangers) {
        await expect(call(method, args, sender)).rejects.toThrow(
          `GPoW refused the ${method} request`,
        );
      }
    }
    const bad: ReadonlyArray<[BridgeMethod, unknown[]]> = [
      ['listIdentities', ['main']],
      ['addIdentity', [{ name: 'work', mnemonic: WORK_PHRASE }]],
      ['addIdentity', [{ name: 'work', mnemonic: WORK_PHRASE, passphrase: 'pw', slot: 4 }]],
      ['useIdentity', [{ slot: -1 }]],
      ['renameIdentity', [{ slot: 0, name: 7 }]],
      ['removeIdentity', [{ slot: '0' }]],
    ];
    for (const [method, args] of bad) {
      await expect(call(method, args)).rejects.toThrow(`GPoW refused the ${method} request`);
    }
    // Nothing was written: no list, no keystore, no identity folder.
    expect(await readdir(dir)).toEqual([]);
  });
});
