// The Electron main process: wiring only. The rules live in small modules next to this one
// (security.ts, appProtocol.ts, ipc.ts, deepLink.ts, identityVault.ts, ledgerLogs.ts,
// networkServices.ts, ...), where they are tested without Electron.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
  type WebContents,
} from 'electron';
import { startDiscovery } from '../node/net/discovery.ts';
import { startSignalingRelay } from '../node/net/signalingRelay.ts';
import { nodeRandom } from '../node/platform/nodeRandom.ts';
import { APP_ENTRY_URL, APP_SCHEME } from './appOrigin.ts';
import {
  APP_SCHEME_PRIVILEGES,
  createAppProtocolHandler,
  createDevServerHandler,
} from './appProtocol.ts';
import { createAllowedRelays } from './allowedRelays.ts';
import { createDeepLinkInbox, DEEP_LINK_SCHEME, findDeepLink } from './deepLink.ts';
import { createDesktopBridge } from './desktopBridge.ts';
import { createIdentityVaults } from './identityVaults.ts';
import { registerIpcHandlers } from './ipc.ts';
import { createLedgerLogs } from './ledgerLogs.ts';
import { startLoopbackForwarder } from './loopbackForwarder.ts';
import { createNetworkServices } from './networkServices.ts';
import { createNotifier } from './notifications.ts';
import { createRememberedUnlock } from './rememberedUnlock.ts';
import { denyAllPermissions, hardenWebContents, mainWindowOptions } from './security.ts';
import { createTray } from './tray.ts';
import { startAutoUpdates, type UpdaterLike } from './updater.ts';

const APP_NAME = 'GPoW';

// Both must happen before 'ready'. enableSandbox sandboxes every renderer, whatever options a
// window is later created with.
app.enableSandbox();
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

const deepLinks = createDeepLinkInbox();
/** webContents ids of the windows we created: the only ones whose IPC is answered. */
const appWindowIds = new Set<number>();
let mainWindow: BrowserWindow | null = null;
/** Kept referenced: a tray or notification that is garbage-collected disappears. */
const retained: { tray?: Tray } = {};
const notifications = new Set<Notification>();
const MAX_RETAINED_NOTIFICATIONS = 16;

const isAppWindow = (contents: WebContents): boolean => appWindowIds.has(contents.id);

// Built by Vite next to this file: .vite/build/{main,preload}.cjs, .vite/renderer/<name>/.
const preloadPath = join(__dirname, 'preload.cjs');
const rendererName =
  typeof MAIN_WINDOW_VITE_NAME === 'string' ? MAIN_WINDOW_VITE_NAME : 'main_window';
const rendererDir = join(__dirname, '..', 'renderer', rendererName);
/** Set by `electron-forge start`; a packaged app always serves its own files. */
const devServerUrl =
  !app.isPackaged && typeof MAIN_WINDOW_VITE_DEV_SERVER_URL === 'string'
    ? MAIN_WINDOW_VITE_DEV_SERVER_URL
    : undefined;

function registerProtocolClient(): void {
  // Run unpackaged (`electron .`), the OS must start Electron with our app path as well.
  const appPath = process.argv[1];
  const ok =
    process.defaultApp && appPath !== undefined
      ? app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, process.execPath, [resolve(appPath)])
      : app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME);
  if (!ok) {
    console.warn(`Could not register ${APP_NAME} as the handler of ${DEEP_LINK_SCHEME}: links`);
  }
}

function focusMainWindow(): void {
  if (mainWindow === null) {
    if (app.isReady()) createMainWindow();
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

/** Called when the page is replaced (reload, navigation within the app) or goes away. */
let releaseRenderer: () => void = () => undefined;

function createMainWindow(): void {
  const window = new BrowserWindow(mainWindowOptions(preloadPath));
  const contents = window.webContents;
  const id = contents.id;
  appWindowIds.add(id);
  contents.once('destroyed', () => {
    appWindowIds.delete(id);
    releaseRenderer();
  });
  // A new document (a reload, after a tray Lock or a CSP change) gets nothing the old one held:
  // its logs and reads are closed. 'did-navigate' fires only for committed main-frame
  // navigations, never for one the navigation guard cancelled.
  contents.on('did-navigate', () => releaseRenderer());
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  mainWindow = window;
  window.loadURL(APP_ENTRY_URL).catch((error: unknown) => {
    console.error(`Could not load the ${APP_NAME} window:`, error);
  });
}

function start(): void {
  const userData = app.getPath('userData');
  const logs = createLedgerLogs({ dir: join(userData, 'ledgers') });
  // One keystore and one remembered passphrase per identity: slot 0's are the files an install
  // always had (keystore.json, remembered-unlock.bin), later ones in identities/<n>/.
  const vault = createIdentityVaults({
    dir: userData,
    random: nodeRandom,
    rememberedAt: (path) =>
      createRememberedUnlock({ safeStorage, platform: process.platform, path }),
    openNetworks: () => logs.openNetworks(),
  });
  const network = createNetworkServices({
    startRelay: startSignalingRelay,
    startDiscovery,
    startForwarder: (target) => startLoopbackForwarder(target),
  });
  const allowedRelays = createAllowedRelays({ path: join(userData, 'allowed-relays.json') });
  const notify = createNotifier({
    isSupported: () => Notification.isSupported(),
    show: (text, _kind, onClick) => {
      const notification = new Notification({ title: text.title, body: text.body });
      notifications.add(notification);
      // Not every platform reports 'close': keep the newest few referenced, not all forever.
      for (const old of notifications) {
        if (notifications.size <= MAX_RETAINED_NOTIFICATIONS) break;
        notifications.delete(old);
      }
      notification.on('click', onClick);
      notification.on('close', () => notifications.delete(notification));
      notification.show();
    },
    onClick: focusMainWindow,
    now: () => Date.now(),
  });

  releaseRenderer = () => {
    logs.closeAll().catch((error: unknown) => {
      console.error('Could not close the ledger logs:', error);
    });
  };

  const lockAndReload = (): void => {
    vault.lock();
    // The page starts over, locked: nothing it held in memory survives.
    mainWindow?.webContents.reload();
  };

  const bridge = createDesktopBridge({
    appInfo: () => ({ name: APP_NAME, version: app.getVersion(), platform: process.platform }),
    vault,
    remembered: { status: () => vault.rememberedStatus() },
    logs,
    network,
    allowedRelays,
    deepLinks,
    notify,
  });

  // Registered early: macOS delivers the link that launched the app before 'ready'.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    if (deepLinks.receive(url)) focusMainWindow();
  });
  // Windows and Linux start a second process with the link in argv; it hands over and quits.
  app.on('second-instance', (_event, argv) => {
    const link = findDeepLink(argv);
    if (link !== null) deepLinks.receive(link);
    focusMainWindow();
  });
  const launchLink = findDeepLink(process.argv);
  if (launchLink !== null) deepLinks.receive(launchLink);

  // Every web contents, whoever creates it, gets the navigation and window-open guards.
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, (url) => shell.openExternal(url));
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => {
    vault.lock();
    void logs.closeAll();
    void network.stop();
  });

  app
    .whenReady()
    .then(async () => {
      registerProtocolClient();
      denyAllPermissions(session.defaultSession);
      await allowedRelays.load();
      const policy = (): string => allowedRelays.contentSecurityPolicy();
      protocol.handle(
        APP_SCHEME,
        devServerUrl === undefined
          ? createAppProtocolHandler({ rootDir: rendererDir, contentSecurityPolicy: policy })
          : createDevServerHandler(devServerUrl, fetch, policy),
      );
      registerIpcHandlers(ipcMain, bridge, isAppWindow);
      createMainWindow();
      try {
        retained.tray = createTray(
          { Tray, Menu, nativeImage },
          { show: focusMainWindow, lock: lockAndReload, quit: () => app.quit() },
        );
      } catch (error) {
        // Some Linux desktops have no tray; the app works without one.
        console.warn('No tray icon:', error);
      }
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) createMainWindow();
      });
      void startAutoUpdates({
        isPackaged: app.isPackaged,
        hasFeed: () => existsSync(join(process.resourcesPath, 'app-update.yml')),
        loadUpdater: async () => {
          const updater = await import('electron-updater');
          const updaterLike: UpdaterLike = updater.default.autoUpdater;
          return updaterLike;
        },
        log: console,
      });
    })
    .catch((error: unknown) => {
      console.error(`${APP_NAME} could not start:`, error);
      app.exit(1);
    });
}

// One instance per user: a second launch (e.g. from a gpow: link) hands its argv to the first.
if (app.requestSingleInstanceLock()) {
  start();
} else {
  app.quit();
}
