// The Electron main process: wiring only. The rules live in small modules next to this one
// (security.ts, appProtocol.ts, ipc.ts, deepLink.ts), where they are tested without Electron.
import { join, resolve } from 'node:path';
import { app, BrowserWindow, ipcMain, protocol, session, shell, type WebContents } from 'electron';
import type { GpowBridge } from '../shared/bridge/contract.ts';
import { createKeystoreService } from '../node/keystoreService.ts';
import { nodeRandom } from '../node/random.ts';
import { APP_ENTRY_URL, APP_SCHEME } from './appOrigin.ts';
import {
  APP_SCHEME_PRIVILEGES,
  createAppProtocolHandler,
  createDevServerHandler,
} from './appProtocol.ts';
import { createDeepLinkInbox, DEEP_LINK_SCHEME, findDeepLink } from './deepLink.ts';
import { registerIpcHandlers } from './ipc.ts';
import { denyAllPermissions, hardenWebContents, mainWindowOptions } from './security.ts';

const APP_NAME = 'GPoW';

// Both must happen before 'ready'. enableSandbox sandboxes every renderer, whatever options a
// window is later created with.
app.enableSandbox();
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

const deepLinks = createDeepLinkInbox();
/** webContents ids of the windows we created: the only ones whose IPC is answered. */
const appWindowIds = new Set<number>();
let mainWindow: BrowserWindow | null = null;

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
  if (mainWindow === null) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

function createMainWindow(): void {
  const window = new BrowserWindow(mainWindowOptions(preloadPath));
  const id = window.webContents.id;
  appWindowIds.add(id);
  window.webContents.once('destroyed', () => appWindowIds.delete(id));
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
  const keystore = createKeystoreService({
    path: join(app.getPath('userData'), 'keystore.json'),
    random: nodeRandom,
  });

  const bridge = {
    appInfo: () =>
      Promise.resolve({ name: APP_NAME, version: app.getVersion(), platform: process.platform }),
    keystoreStatus: () => keystore.status(),
    createKeystore: (input) => keystore.create(input),
    unlockKeystore: (input) => keystore.unlock(input),
    pendingDeepLink: () => Promise.resolve(deepLinks.take()),
  } satisfies GpowBridge;

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
  app.on('before-quit', () => keystore.lock());

  app
    .whenReady()
    .then(() => {
      registerProtocolClient();
      denyAllPermissions(session.defaultSession);
      protocol.handle(
        APP_SCHEME,
        devServerUrl === undefined
          ? createAppProtocolHandler({ rootDir: rendererDir })
          : createDevServerHandler(devServerUrl),
      );
      registerIpcHandlers(ipcMain, bridge, isAppWindow);
      createMainWindow();
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) createMainWindow();
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
