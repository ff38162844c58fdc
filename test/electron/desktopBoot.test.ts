// The app as the desktop renderer starts it: choosePlatform picks the desktop platform when there
// is a window.gpow and no window.gpowWeb, and the app store then signs through the bridge (main's
// identity vault) and keeps its ledger log through the bridge (main's file logs).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GpowBridge } from '../../shared/bridge/contract.ts';
import { fromHex, fromUtf8, utf8 } from '../../shared/bytes.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { SskDirectory } from '../../shared/ssk/directory.ts';
import { openField } from '../../shared/ssk/field.ts';
import { SskKeyring } from '../../shared/ssk/keyring.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { InPageVault } from '../../renderer/bridge/inPageVault.ts';
import { choosePlatform } from '../../renderer/bridge/platform.ts';
import { BridgeSigner } from '../../renderer/runtime/signer.ts';
import { createAppStore } from '../../renderer/state/appStore.ts';
import { memoryStorage, NO_WEBRTC, PHRASE } from '../renderer/fixtures.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import { identity } from '../helpers/network.ts';
import { cleanMainBridges, mainBridge, userDataDir } from './mainBridge.ts';

vi.mock('electron', () => ({}));

afterEach(cleanMainBridges);

/** Main's bridge over a real vault and real file logs in a temporary "userData". */
async function fakeDesktopBridge() {
  const dir = await userDataDir('desktop-boot');
  const { main } = mainBridge(dir);
  // Only the methods this boot is expected to call are watched.
  const spies = {
    appInfo: vi.spyOn(main, 'appInfo'),
    signTransaction: vi.spyOn(main, 'signTransaction'),
    openLedgerLog: vi.spyOn(main, 'openLedgerLog'),
    appendLedgerLog: vi.spyOn(main, 'appendLedgerLog'),
    openSskBox: vi.spyOn(main, 'openSskBox'),
    lock: vi.spyOn(main, 'lock'),
  };
  return { main, spies, dir };
}

describe('the desktop renderer', () => {
  it('boots with the desktop bridge, signs through it and keeps its log in main', async () => {
    const { main, spies, dir } = await fakeDesktopBridge();
    const browserLog = vi.fn(() => Promise.reject(new Error('no IndexedDB on the desktop')));
    const platform = choosePlatform({ gpow: main }, browserLog);
    expect(platform.kind).toBe('desktop');
    expect(platform.signerSource).toBeInstanceOf(BridgeSigner);

    const storage = memoryStorage();
    let now = 1_800_000_000_000;
    const store = createAppStore({
      bridge: platform.bridge,
      signerSource: platform.signerSource,
      storage,
      openLog: platform.openLog,
      wrtc: NO_WEBRTC,
      random: deterministicRandom('desktop-boot'),
      clock: { now: () => (now += 1000) },
      voteDelayMs: 5,
    });
    await store.getState().boot();
    expect(store.getState().phase).toEqual({ kind: 'onboarding' });
    expect(spies.appInfo).toHaveBeenCalledOnce();

    await store.getState().createIdentity(PHRASE, 'correct horse');
    const me = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
    expect(store.getState().phase).toEqual({ kind: 'unlocked' });
    expect(store.getState().canSign).toBe(true);
    expect(platform.signerSource?.signer()?.key).toBe(me);

    await store.getState().createNetwork({
      name: 'Desktop Co-op',
      witnesses: [me],
      allocations: [[me, 1000n]],
      creditLimit: 0n,
    });
    // The genesis was signed by main and stored in main's log, never in IndexedDB.
    expect(spies.signTransaction).toHaveBeenCalled();
    // Three logs in main: the ledger's, the replication doc kept across restarts, and the
    // encrypted chat history (docs/chats.md).
    const networkId = store.getState().network?.networkId ?? '';
    expect(spies.openLedgerLog.mock.calls.map(([input]) => input)).toEqual([
      { name: `gpow-ledger-${networkId}` },
      { name: `gpow-replica-${networkId}` },
      { name: `gpow-chats-${networkId}` },
    ]);
    expect(spies.appendLedgerLog).toHaveBeenCalled();
    expect(browserLog).not.toHaveBeenCalled();
    expect((await readdir(join(dir, 'ledgers'))).sort()).toEqual([
      `gpow-chats-${networkId}`,
      `gpow-ledger-${networkId}`,
      `gpow-replica-${networkId}`,
    ]);
    expect(store.getState().runtime?.ledger).toBeDefined();

    // SSK: the key box of Alice's self-copy is opened by main, and what she seals Bob can open.
    const bob = identity('desktop bob');
    const ssk = store.getState().ssk;
    if (!ssk) throw new Error('no SSK session');
    expect(ssk.canOpen).toBe(true);
    await ssk.share(bob.key);
    const sealed = ssk.sealFor(bob.key, 'memo', utf8('sealed on the desktop'));
    expect(spies.openSskBox).toHaveBeenCalled();
    const ledger = store.getState().runtime?.ledger;
    if (!ledger) throw new Error('no ledger');
    const bobRing = new SskKeyring(
      new SskDirectory(ledger),
      ledger.networkId,
      bob.key,
      bob.secret,
      {
        now: () => now,
      },
    );
    const key = bobRing.current(me);
    if (!key.ok) throw new Error(key.error);
    const opened = openField(
      key.ssk.key,
      {
        network: fromHex(ledger.networkId),
        sender: fromHex(me),
        recipient: fromHex(bob.key),
        epoch: 1,
        label: 'memo',
      },
      sealed,
    );
    expect(opened.ok && fromUtf8(opened.plaintext)).toBe('sealed on the desktop');

    await store.getState().lock();
    expect(spies.lock).toHaveBeenCalled();
    expect(platform.signerSource?.signer()).toBeNull();
    await store
      .getState()
      .leaveNetwork()
      .catch(() => undefined);
  });

  it('keeps browser mode as it was, and says when there is no bridge', () => {
    const browserLog = vi.fn();
    const vault = new InPageVault();
    const gpow = {} as GpowBridge;
    const browser = choosePlatform({ gpow, gpowWeb: { vault } }, browserLog);
    expect(browser).toEqual({
      kind: 'browser',
      bridge: gpow,
      signerSource: vault,
      openLog: browserLog,
    });
    const none = choosePlatform({}, browserLog);
    expect(none).toEqual({ kind: 'none', bridge: null, signerSource: null, openLog: browserLog });
  });
});
