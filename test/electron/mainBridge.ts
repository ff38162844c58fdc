// Main's side of the desktop app for tests below the screens: the real bridge over a real
// identity vault and real file logs in a temporary "userData", with the services a test does not
// exercise (network, relays) left out. Call cleanMainBridges() after each test.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDesktopBridge } from '../../electron/desktopBridge.ts';
import { createIdentityVaults } from '../../electron/identityVaults.ts';
import { createLedgerLogs } from '../../electron/ledgerLogs.ts';
import type { RememberedUnlock } from '../../electron/rememberedUnlock.ts';
import { nodeRandom } from '../../node/platform/nodeRandom.ts';

const dirs: string[] = [];

export async function cleanMainBridges(): Promise<void> {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** A fresh userData directory, removed by cleanMainBridges(). */
export async function userDataDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `gpow-${prefix}-`));
  dirs.push(dir);
  return dir;
}

/** Main's bridge in `dir`, optionally remembering the passphrase with `remembered`. */
export function mainBridge(dir: string, remembered?: RememberedUnlock) {
  // Every identity of this test install remembers through `remembered` (slot 0 is the one used).
  const vault = createIdentityVaults({
    dir,
    random: nodeRandom,
    scryptN: 1024,
    ...(remembered ? { rememberedAt: () => remembered, onWarning: () => undefined } : {}),
  });
  const main = createDesktopBridge({
    appInfo: () => ({ name: 'GPoW', version: '0', platform: 'linux' }),
    vault,
    remembered: remembered ?? ({} as never),
    logs: createLedgerLogs({ dir: join(dir, 'ledgers') }),
    network: {} as never,
    allowedRelays: {} as never,
    deepLinks: { take: () => null },
    notify: () => ({ shown: false }),
  });
  return { main, vault };
}
