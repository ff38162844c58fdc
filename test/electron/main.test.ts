// electron/main.ts against a mocked Electron: the order of start-up steps, the window it makes,
// and the wiring of IPC, deep links and hardening. The rules themselves are tested next door.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BrowserWindowConstructorOptions } from 'electron';
import { CHANNELS } from '../../shared/bridge/contract.ts';
import { APP_SCHEME_PRIVILEGES } from '../../electron/appProtocol.ts';
import { denyPermissionCheck, denyPermissionRequest } from '../../electron/security.ts';

type Listener = (...args: unknown[]) => unknown;

// Vitest clears mock call histories before each test, so start-up calls (made once, in
// beforeAll) are recorded in a plain list instead: [name, ...arguments], in order.
const h = vi.hoisted(() => {
  const calls: [string, ...unknown[]][] = [];
  const record =
    <R>(name: string, result: (...args: unknown[]) => R) =>
    (...args: unknown[]): R => {
      calls.push([name, ...args]);
      return result(...args);
    };
  const appListeners = new Map<string, Listener>();
  const handlers = new Map<string, Listener>();
  const windows: FakeWindow[] = [];
  let nextId = 1;
  let lock = true;
  const userData = { path: '' };

  class FakeWindow {
    options: BrowserWindowConstructorOptions;
    webContents: {
      id: number;
      once: () => void;
      on: (event: string, listener: Listener) => void;
      listeners: Map<string, Listener>;
      reload: ReturnType<typeof vi.fn>;
    };
    loadURL = record('loadURL', () => Promise.resolve());
    once = vi.fn();
    on = vi.fn();
    show = vi.fn();
    focus = vi.fn();
    restore = vi.fn();
    isMinimized = vi.fn(() => false);
    constructor(options: BrowserWindowConstructorOptions) {
      calls.push(['new BrowserWindow', options]);
      this.options = options;
      const listeners = new Map<string, Listener>();
      this.webContents = {
        id: nextId++,
        once: () => undefined,
        on: (event, listener) => void listeners.set(event, listener),
        listeners,
        reload: vi.fn(),
      };
      windows.push(this);
    }
    static getAllWindows = () => windows;
  }

  const app = {
    enableSandbox: record('enableSandbox', () => undefined),
    requestSingleInstanceLock: record('requestSingleInstanceLock', () => lock),
    quit: vi.fn(),
    exit: vi.fn(),
    on: (event: string, listener: Listener) => {
      appListeners.set(event, listener);
      return app;
    },
    whenReady: record('whenReady', () => Promise.resolve()),
    getPath: () => userData.path,
    isReady: () => true,
    getVersion: () => '9.8.7',
    isPackaged: false,
    setAsDefaultProtocolClient: record('setAsDefaultProtocolClient', () => true),
  };

  const syncHandlers = new Map<string, Listener>();
  const trays: FakeTray[] = [];
  class FakeTray {
    image: unknown;
    menu: unknown;
    listeners = new Map<string, Listener>();
    setToolTip = vi.fn();
    constructor(image: unknown) {
      calls.push(['new Tray']);
      this.image = image;
      trays.push(this);
    }
    setContextMenu(menu: unknown): void {
      this.menu = menu;
    }
    on(event: string, listener: Listener): void {
      this.listeners.set(event, listener);
    }
  }
  const shownNotifications: { title: string; body: string }[] = [];
  class FakeNotification {
    static isSupported = () => true;
    options: { title: string; body: string };
    constructor(options: { title: string; body: string }) {
      this.options = options;
    }
    on = vi.fn();
    show(): void {
      shownNotifications.push(this.options);
    }
  }

  return {
    updateLog: [] as string[],
    calls,
    appListeners,
    syncHandlers,
    trays,
    FakeTray,
    FakeNotification,
    shownNotifications,
    handlers,
    windows,
    userData,
    app,
    FakeWindow,
    setLock: (value: boolean) => {
      lock = value;
    },
    protocol: {
      registerSchemesAsPrivileged: record('registerSchemesAsPrivileged', () => undefined),
      handle: record('protocol.handle', () => undefined),
    },
    ipcMain: {
      handle: (channel: string, handler: Listener) => {
        calls.push(['ipcMain.handle', channel]);
        handlers.set(channel, handler);
      },
      on: (channel: string, handler: Listener) => {
        calls.push(['ipcMain.on', channel]);
        syncHandlers.set(channel, handler);
      },
    },
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'basic_text',
      encryptString: (text: string) => Buffer.from(text),
      decryptString: (buffer: Buffer) => buffer.toString(),
    },
    Menu: { buildFromTemplate: (template: unknown) => ({ template }) },
    nativeImage: { createFromBuffer: (buffer: Buffer) => ({ png: buffer }) },
    session: {
      defaultSession: {
        setPermissionRequestHandler: record('setPermissionRequestHandler', () => undefined),
        setPermissionCheckHandler: record('setPermissionCheckHandler', () => undefined),
        setDevicePermissionHandler: record('setDevicePermissionHandler', () => undefined),
      },
    },
    shell: { openExternal: () => Promise.resolve() },
  };
});

/** The recorded calls to `name`, as argument lists. */
const callsTo = (name: string): unknown[][] =>
  h.calls.filter(([called]) => called === name).map(([, ...args]) => args);
const orderOf = (name: string): number => h.calls.findIndex(([called]) => called === name);

vi.mock('electron', () => ({
  app: h.app,
  BrowserWindow: h.FakeWindow,
  ipcMain: h.ipcMain,
  Menu: h.Menu,
  nativeImage: h.nativeImage,
  Notification: h.FakeNotification,
  protocol: h.protocol,
  safeStorage: h.safeStorage,
  session: h.session,
  shell: h.shell,
  Tray: h.FakeTray,
}));

const appEvent = () => ({
  sender: h.windows[0]?.webContents,
  senderFrame: { url: 'app://gpow/index.html', parent: null },
});

/** A sendSync call as the main window's top frame would make it: the reply main sets. */
function sendSyncFromApp(channel: string, ...args: unknown[]): unknown {
  const handler = h.syncHandlers.get(channel);
  if (handler === undefined) throw new Error(`${channel} not ready`);
  const event: ReturnType<typeof appEvent> & { returnValue?: unknown } = appEvent();
  handler(event, ...args);
  return event.returnValue;
}

/** An IPC call as the main window's top frame on app://gpow would make it. */
function callFromApp(channel: string, ...args: unknown[]): Promise<unknown> {
  const handler = h.handlers.get(channel);
  const window = h.windows[0];
  if (handler === undefined || window === undefined) throw new Error(`${channel} not ready`);
  const event = {
    sender: window.webContents,
    senderFrame: { url: 'app://gpow/index.html', parent: null },
  };
  return handler(event, ...args) as Promise<unknown>;
}

function emit(event: string, ...args: unknown[]): void {
  const listener = h.appListeners.get(event);
  if (listener === undefined) throw new Error(`main.ts does not listen for ${event}`);
  listener(...args);
}

describe('main process start-up', () => {
  beforeAll(async () => {
    h.userData.path = await mkdtemp(join(tmpdir(), 'gpow-userdata-'));
    const info = vi.spyOn(console, 'info').mockImplementation((line: unknown) => {
      h.updateLog.push(String(line));
    });
    await import('../../electron/main.ts');
    await vi.waitFor(() => expect(h.trays).toHaveLength(1), { timeout: 10_000 });
    await vi.waitFor(() => expect(h.updateLog).not.toHaveLength(0), { timeout: 10_000 });
    info.mockRestore();
  });
  afterAll(async () => {
    await rm(h.userData.path, { recursive: true, force: true });
  });
  it('sandboxes everything and registers app:// before the app is ready', () => {
    expect(orderOf('enableSandbox')).toBeGreaterThanOrEqual(0);
    expect(orderOf('enableSandbox')).toBeLessThan(orderOf('whenReady'));
    expect(orderOf('registerSchemesAsPrivileged')).toBeLessThan(orderOf('whenReady'));
    expect(callsTo('registerSchemesAsPrivileged')).toEqual([[[APP_SCHEME_PRIVILEGES]]]);
  });

  it('serves app:// and answers IPC before it opens the window', () => {
    expect(callsTo('protocol.handle')).toEqual([['app', expect.any(Function)]]);
    expect(orderOf('protocol.handle')).toBeLessThan(orderOf('new BrowserWindow'));
    expect(orderOf('ipcMain.handle')).toBeLessThan(orderOf('new BrowserWindow'));
  });

  it('holds the single-instance lock and registers the gpow: scheme', () => {
    expect(orderOf('requestSingleInstanceLock')).toBeLessThan(orderOf('whenReady'));
    expect(callsTo('setAsDefaultProtocolClient')).toEqual([['gpow']]);
  });

  it('denies every permission on the default session', () => {
    expect(callsTo('setPermissionRequestHandler')).toEqual([[denyPermissionRequest]]);
    expect(callsTo('setPermissionCheckHandler')).toEqual([[denyPermissionCheck]]);
    expect(callsTo('setDevicePermissionHandler')).toEqual([[denyPermissionCheck]]);
  });

  it('opens one secure window on app://gpow with the built preload', () => {
    expect(h.windows).toHaveLength(1);
    const prefs = h.windows[0]?.options.webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(prefs?.preload).toMatch(/[/\\]preload\.cjs$/u);
    expect(callsTo('loadURL')).toEqual([['app://gpow/index.html']]);
  });

  it('answers exactly the contract channels, and only from its own window', async () => {
    expect([...h.handlers.keys(), ...h.syncHandlers.keys()].sort()).toEqual(
      Object.values(CHANNELS).sort(),
    );
    expect([...h.syncHandlers.keys()]).toEqual([
      CHANNELS.signTransaction,
      CHANNELS.openSskBox,
      CHANNELS.signIdentityMessage,
      CHANNELS.proveVrf,
    ]);
    await expect(callFromApp(CHANNELS.appInfo)).resolves.toEqual({
      name: 'GPoW',
      version: '9.8.7',
      platform: process.platform,
    });
    await expect(callFromApp(CHANNELS.keystoreStatus)).resolves.toEqual({ exists: false });
    const stranger = { sender: { id: 999 }, senderFrame: { url: 'app://gpow/', parent: null } };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await expect(h.handlers.get(CHANNELS.appInfo)?.(stranger)).rejects.toThrow(
      /windows of this app/u,
    );
    warn.mockRestore();
  });

  it('hardens every web contents that is created', () => {
    const contents = { on: vi.fn(), setWindowOpenHandler: vi.fn() };
    emit('web-contents-created', {}, contents);
    const events = contents.on.mock.calls.map(([event]) => event as string);
    expect(events).toEqual(
      expect.arrayContaining(['will-navigate', 'will-redirect', 'will-attach-webview']),
    );
    expect(contents.setWindowOpenHandler).toHaveBeenCalledOnce();
  });

  it('keeps a macOS open-url link as a pending invitation, once', async () => {
    const preventDefault = vi.fn();
    emit('open-url', { preventDefault }, 'gpow://invite?code=1');
    expect(preventDefault).toHaveBeenCalled();
    await expect(callFromApp(CHANNELS.pendingDeepLink)).resolves.toBe('gpow://invite?code=1');
    await expect(callFromApp(CHANNELS.pendingDeepLink)).resolves.toBeNull();
  });

  it('takes the link a second instance was started with, and focuses the window', async () => {
    const window = h.windows[0];
    window?.isMinimized.mockReturnValueOnce(true);
    emit('second-instance', {}, ['/opt/GPoW/gpow', '--flag', 'gpow://invite?code=2'], '/');
    expect(window?.restore).toHaveBeenCalled();
    expect(window?.focus).toHaveBeenCalled();
    await expect(callFromApp(CHANNELS.pendingDeepLink)).resolves.toBe('gpow://invite?code=2');
  });

  it('ignores links that are not valid gpow: URLs', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    emit('open-url', { preventDefault: vi.fn() }, 'https://evil.example/');
    emit('second-instance', {}, ['gpow://bad\u0000link'], '/');
    await expect(callFromApp(CHANNELS.pendingDeepLink)).resolves.toBeNull();
    warn.mockRestore();
  });

  it('refuses to sign while locked, through the synchronous channel', () => {
    expect(sendSyncFromApp(CHANNELS.signTransaction, Uint8Array.of(0xa0))).toEqual({
      ok: false,
      message: 'The identity is locked: unlock it to sign.',
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const handler = h.syncHandlers.get(CHANNELS.signTransaction);
    const stranger: { returnValue?: unknown } = {
      ...appEvent(),
      senderFrame: { url: 'https://evil.example/', parent: null },
    } as never;
    handler?.(stranger, Uint8Array.of(0xa0));
    expect(stranger.returnValue).toMatchObject({ ok: false });
    expect((stranger.returnValue as { message: string }).message).toMatch(/app origin/u);
    warn.mockRestore();
  });

  it('keeps ledger logs in the data directory, through the bridge', async () => {
    const { log } = (await callFromApp(CHANNELS.openLedgerLog, { name: 'gpow-ledger-test' })) as {
      log: number;
    };
    await callFromApp(CHANNELS.appendLedgerLog, { log, records: [Uint8Array.of(1, 2)] });
    await callFromApp(CHANNELS.putLedgerMeta, { log, key: 'checkpoint', value: Uint8Array.of(7) });
    const { read, total } = (await callFromApp(CHANNELS.startLedgerLogRead, { log })) as {
      read: number;
      total: number;
    };
    expect(total).toBe(1);
    await expect(callFromApp(CHANNELS.readLedgerLogChunk, { read })).resolves.toEqual({
      records: [Uint8Array.of(1, 2)],
      done: true,
    });
    await expect(callFromApp(CHANNELS.getLedgerMeta, { log, key: 'checkpoint' })).resolves.toEqual(
      Uint8Array.of(7),
    );
    await callFromApp(CHANNELS.closeLedgerLog, { log });
    const files = await readdir(join(h.userData.path, 'ledgers', 'gpow-ledger-test'));
    expect(files).toEqual(expect.arrayContaining(['ledger.log', 'meta-checkpoint']));
  });

  it('closes the ledger logs of a page that is replaced (reload, tray Lock)', async () => {
    const { log } = (await callFromApp(CHANNELS.openLedgerLog, { name: 'gpow-ledger-reload' })) as {
      log: number;
    };
    const navigated = h.windows[0]?.webContents.listeners.get('did-navigate');
    expect(navigated).toBeTypeOf('function');
    navigated?.();
    await expect(
      callFromApp(CHANNELS.appendLedgerLog, { log, records: [Uint8Array.of(1)] }),
    ).rejects.toThrow(/is not open/u);
    // The new page opens the same log again.
    const again = (await callFromApp(CHANNELS.openLedgerLog, { name: 'gpow-ledger-reload' })) as {
      log: number;
    };
    await callFromApp(CHANNELS.closeLedgerLog, again);
  });

  it("reports Linux's basic_text backend as weak and will not remember there", async () => {
    const status = await callFromApp(CHANNELS.secureStorageStatus);
    if (process.platform === 'linux') {
      expect(status).toEqual({
        available: true,
        backend: 'basic_text',
        weak: true,
        remembered: false,
      });
    } else {
      expect(status).toMatchObject({ weak: false, remembered: false });
    }
  });

  it('shows notifications from fixed templates only', async () => {
    await expect(
      callFromApp(CHANNELS.notify, 'payment-received', { amount: '12.5', unit: 'hours' }),
    ).resolves.toEqual({ shown: true });
    expect(h.shownNotifications.at(-1)).toEqual({
      title: 'Payment received',
      body: 'You received 12.5 hours.',
    });
    await expect(
      callFromApp(CHANNELS.notify, 'payment-received', { amount: '<b>12</b>', unit: 'hours' }),
    ).rejects.toThrow(/invalid arguments to notify/u);
    expect(h.shownNotifications).toHaveLength(1);
  });

  it('puts a tray icon up whose menu shows, locks (and reloads) and quits', () => {
    expect(h.trays).toHaveLength(1);
    const tray = h.trays[0];
    const template = (tray?.menu as { template: { id?: string; click?: () => void }[] }).template;
    const click = (id: string) => template.find((item) => item.id === id)?.click?.();
    const window = h.windows[0];
    window?.show.mockClear();
    click('show');
    expect(window?.show).toHaveBeenCalled();
    click('lock');
    expect(window?.webContents.reload).toHaveBeenCalledOnce();
    h.app.quit.mockClear();
    click('quit');
    expect(h.app.quit).toHaveBeenCalledOnce();
    expect(orderOf('new Tray')).toBeGreaterThan(orderOf('new BrowserWindow'));
  });

  it('logs that automatic updates are off in development', () => {
    expect(h.updateLog.some((line) => /development build/u.test(line))).toBe(true);
  });

  it('quits a second instance without starting anything', async () => {
    vi.resetModules();
    h.setLock(false);
    h.calls.length = 0;
    await import('../../electron/main.ts');
    expect(h.app.quit).toHaveBeenCalledOnce();
    expect(h.calls.map(([name]) => name)).toEqual([
      'enableSandbox',
      'registerSchemesAsPrivileged',
      'requestSingleInstanceLock',
    ]);
  });
});
