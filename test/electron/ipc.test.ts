import { describe, expect, it, vi } from 'vitest';
import type { WebContents, WebFrameMain } from 'electron';
import {
  BRIDGE_METHODS,
  CHANNELS,
  isSyncMethod,
  MAX_MNEMONIC_LENGTH,
  MAX_PASSPHRASE_LENGTH,
  parseArguments,
  SYNC_METHODS,
  type BridgeArguments,
  type BridgeMethod,
  type GpowBridge,
} from '../../shared/bridge/contract.ts';
import {
  checkSender,
  createIpcHandler,
  createSyncIpcHandler,
  registerIpcHandlers,
  type SenderEvent,
  type SyncSenderEvent,
} from '../../electron/ipc.ts';

vi.mock('electron', () => ({}));

const OUR_WINDOW_ID = 7;
const isAppWindow = (contents: WebContents): boolean => contents.id === OUR_WINDOW_ID;

interface FrameSpec {
  url?: string;
  parent?: 'none' | 'some';
  windowId?: number;
}

/** An invoke event as Electron would build it, from the parts the checks read. */
function event(frame: FrameSpec | null): SenderEvent {
  const top = { url: 'app://gpow/index.html', parent: null };
  return {
    sender: { id: frame?.windowId ?? OUR_WINDOW_ID } as WebContents,
    senderFrame:
      frame === null
        ? null
        : ({
            url: frame.url ?? 'app://gpow/index.html',
            parent: frame.parent === 'some' ? top : null,
          } as unknown as WebFrameMain),
  };
}

/** A GpowBridge of mocks, each answering something plausible. */
function fakeBridge() {
  return {
    appInfo: vi.fn(() => Promise.resolve({ name: 'GPoW', version: '1.2.3', platform: 'linux' })),
    keystoreStatus: vi.fn(() => Promise.resolve({ exists: false })),
    createKeystore: vi.fn((_input: unknown) => Promise.resolve({ address: 'gpow1example' })),
    unlockKeystore: vi.fn((_input: unknown) =>
      Promise.resolve({ ok: true as const, address: 'gpow1example' }),
    ),
    createDeviceKeystore: vi.fn((_input: unknown) => Promise.resolve({ address: 'gpow1device' })),
    pendingDeepLink: vi.fn(() => Promise.resolve(null)),
    listIdentities: vi.fn(() => Promise.resolve({ current: 0, identities: [] })),
    addIdentity: vi.fn((_input: unknown) => Promise.resolve({ slot: 1, address: 'gpow1example' })),
    useIdentity: vi.fn((_input: unknown) => Promise.resolve()),
    renameIdentity: vi.fn((_input: unknown) => Promise.resolve()),
    removeIdentity: vi.fn((_input: unknown) => Promise.resolve({ current: 0, identities: [] })),
    signTransaction: vi.fn((_request: Uint8Array) => Uint8Array.of(1, 2, 3)),
    openSskBox: vi.fn((_input: unknown) => ({ ok: false as const, error: 'not for us' })),
    signIdentityMessage: vi.fn((_message: Uint8Array) => new Uint8Array(64)),
    proveVrf: vi.fn((_alpha: Uint8Array) => new Uint8Array(80)),
    lock: vi.fn(() => Promise.resolve()),
    unlockRemembered: vi.fn(() =>
      Promise.resolve({ ok: false as const, code: 'not-found' as const, message: 'none' }),
    ),
    forgetRememberedUnlock: vi.fn(() => Promise.resolve()),
    secureStorageStatus: vi.fn(() =>
      Promise.resolve({
        available: true,
        backend: 'gnome_libsecret',
        weak: false,
        remembered: false,
      }),
    ),
    openLedgerLog: vi.fn((_input: unknown) => Promise.resolve({ log: 1 })),
    appendLedgerLog: vi.fn((_input: unknown) => Promise.resolve()),
    startLedgerLogRead: vi.fn((_input: unknown) => Promise.resolve({ read: 2, total: 0 })),
    readLedgerLogChunk: vi.fn((_input: unknown) => Promise.resolve({ records: [], done: true })),
    putLedgerMeta: vi.fn((_input: unknown) => Promise.resolve()),
    getLedgerMeta: vi.fn((_input: unknown) => Promise.resolve(null)),
    closeLedgerLog: vi.fn((_input: unknown) => Promise.resolve()),
    startLedgerLogRewrite: vi.fn((_input: unknown) => Promise.resolve()),
    writeLedgerLogRewrite: vi.fn((_input: unknown) => Promise.resolve()),
    commitLedgerLogRewrite: vi.fn((_input: unknown) => Promise.resolve({ instance: '1:2' })),
    startNetworkServices: vi.fn((_input: unknown) =>
      Promise.resolve({ running: true, relay: 'ws://127.0.0.1:4000', lan: false, lanRelays: [] }),
    ),
    networkServices: vi.fn(() =>
      Promise.resolve({ running: false, relay: null, lan: false, lanRelays: [] }),
    ),
    stopNetworkServices: vi.fn(() => Promise.resolve()),
    setAllowedRelays: vi.fn((_input: unknown) => Promise.resolve({ reloadRequired: false })),
    notify: vi.fn((..._args: unknown[]) => Promise.resolve({ shown: true })),
  } satisfies GpowBridge;
}

const NETWORK = 'ab'.repeat(32);

/** Well-formed arguments for every method; the mapped type keeps the table complete. */
const GOOD_ARGUMENTS: { readonly [K in BridgeMethod]: BridgeArguments<K> } = {
  appInfo: [],
  keystoreStatus: [],
  createKeystore: [{ mnemonic: 'a b c', passphrase: 'pw' }],
  unlockKeystore: [{ passphrase: 'pw', remember: true }],
  createDeviceKeystore: [{ passphrase: 'pw' }],
  pendingDeepLink: [],
  listIdentities: [],
  addIdentity: [{ name: 'work', mnemonic: 'a b c', passphrase: 'pw' }],
  useIdentity: [{ slot: 1 }],
  renameIdentity: [{ slot: 0, name: 'Home' }],
  removeIdentity: [{ slot: 2 }],
  signTransaction: [Uint8Array.of(0xa0)],
  openSskBox: [
    { box: Uint8Array.of(1), network: new Uint8Array(32), sender: new Uint8Array(32), epoch: 1 },
  ],
  signIdentityMessage: [Uint8Array.of(1)],
  proveVrf: [Uint8Array.of(1)],
  lock: [],
  unlockRemembered: [],
  forgetRememberedUnlock: [],
  secureStorageStatus: [],
  openLedgerLog: [{ name: `gpow-ledger-${NETWORK}` }],
  appendLedgerLog: [{ log: 1, records: [Uint8Array.of(1)] }],
  startLedgerLogRead: [{ log: 1 }],
  readLedgerLogChunk: [{ read: 2 }],
  putLedgerMeta: [{ log: 1, key: 'checkpoint', value: new Uint8Array(0) }],
  getLedgerMeta: [{ log: 1, key: 'checkpoint' }],
  closeLedgerLog: [{ log: 1 }],
  startLedgerLogRewrite: [{ log: 1 }],
  writeLedgerLogRewrite: [{ log: 1, records: [Uint8Array.of(1)] }],
  commitLedgerLogRewrite: [{ log: 1, total: 0 }],
  startNetworkServices: [{ lan: true, networkId: NETWORK }],
  networkServices: [],
  stopNetworkServices: [],
  setAllowedRelays: [{ relays: ['wss://relay.example.org:443'] }],
  notify: ['payment-received', { amount: '12.50', unit: 'hours' }],
};

/** A few bad argument lists for each method taking arguments. */
const BAD_ARGUMENTS: { readonly [K in BridgeMethod]?: readonly unknown[][] } = {
  createDeviceKeystore: [[], [{}], [{ passphrase: 5 }], [{ passphrase: 'pw', mnemonic: 'a b' }]],
  unlockKeystore: [[{ passphrase: 'pw', remember: 'yes' }]],
  listIdentities: [[{}], ['main']],
  addIdentity: [
    [],
    [{ name: 'work', mnemonic: 'a b' }],
    [{ name: 'work', mnemonic: 'a b', passphrase: '' }],
    [{ name: 5, mnemonic: 'a b', passphrase: 'pw' }],
    [{ name: 'x'.repeat(201), mnemonic: 'a b', passphrase: 'pw' }],
    [{ name: 'work', mnemonic: 'a b', passphrase: 'pw', slot: 3 }],
  ],
  useIdentity: [[], [{ slot: -1 }], [{ slot: 1.5 }], [{ slot: '1' }], [{ slot: 1_000_000 }]],
  renameIdentity: [[{ slot: 0 }], [{ slot: 0, name: ['a'] }], [{ slot: 0, name: 'a', extra: 1 }]],
  removeIdentity: [[], [{}], [{ slot: 'main' }], [{ slot: 0 }, { slot: 1 }]],
  signIdentityMessage: [
    [],
    ['text'],
    [new Uint8Array(0)],
    [new Uint8Array(24 * 1024 + 1)],
    [Uint8Array.of(1), 2],
  ],
  proveVrf: [
    [],
    ['alpha'],
    [[1, 2]],
    [new Uint8Array(0)],
    [new Uint8Array(257)],
    [new Uint16Array(2)],
    [Uint8Array.of(1), 'extra'],
  ],
  signTransaction: [
    [],
    ['a0'],
    [[0xa0]],
    [new Uint8Array(0)],
    [new Uint8Array(64 * 1024 + 1)],
    [new Uint16Array(2)],
    [Uint8Array.of(1), 'extra'],
  ],
  openSskBox: [
    [{ box: new Uint8Array(0), network: new Uint8Array(32), sender: new Uint8Array(32), epoch: 1 }],
    [
      {
        box: new Uint8Array(513),
        network: new Uint8Array(32),
        sender: new Uint8Array(32),
        epoch: 1,
      },
    ],
    [{ box: Uint8Array.of(1), network: new Uint8Array(31), sender: new Uint8Array(32), epoch: 1 }],
    [{ box: Uint8Array.of(1), network: new Uint8Array(32), sender: 'ab'.repeat(32), epoch: 1 }],
    [{ box: Uint8Array.of(1), network: new Uint8Array(32), sender: new Uint8Array(32), epoch: 0 }],
    [
      {
        box: Uint8Array.of(1),
        network: new Uint8Array(32),
        sender: new Uint8Array(32),
        epoch: 2 ** 32,
      },
    ],
    [{ box: Uint8Array.of(1), network: new Uint8Array(32), sender: new Uint8Array(32) }],
    // The recipient is main's own identity: the page cannot name another.
    [
      {
        box: Uint8Array.of(1),
        network: new Uint8Array(32),
        sender: new Uint8Array(32),
        recipient: new Uint8Array(32),
        epoch: 1,
      },
    ],
  ],
  openLedgerLog: [
    [{ name: '../escape' }],
    [{ name: 'UPPER' }],
    [{ name: '' }],
    [{ name: 'a'.repeat(101) }],
    [{ name: 'dot.ted' }],
    [{ name: 'a/b' }],
    [{ name: 'ok', extra: 1 }],
  ],
  appendLedgerLog: [
    [{ log: 0, records: [Uint8Array.of(1)] }],
    [{ log: 1.5, records: [Uint8Array.of(1)] }],
    [{ log: '1', records: [Uint8Array.of(1)] }],
    [{ log: 1, records: Uint8Array.of(1) }],
    [{ log: 1, records: [new Uint8Array(0)] }],
    [{ log: 1, records: [[1, 2]] }],
    [{ log: 1, records: [new Uint8Array((1 << 20) + 1)] }],
    [{ log: 1, records: Array.from({ length: 4097 }, () => Uint8Array.of(1)) }],
    [{ log: 1, records: Array.from({ length: 9 }, () => new Uint8Array(1 << 20)) }],
  ],
  putLedgerMeta: [
    [{ log: 1, key: 'Bad Key', value: Uint8Array.of(1) }],
    [{ log: 1, key: 'ok', value: 'text' }],
    [{ log: 1, key: 'ok', value: new Uint8Array((1 << 20) + 1) }],
  ],
  getLedgerMeta: [[{ log: 1, key: '../meta' }]],
  startLedgerLogRewrite: [[{ log: 0 }], [{ log: '1' }], [{}], [{ log: 1, records: [] }]],
  writeLedgerLogRewrite: [
    [{ log: 0, records: [Uint8Array.of(1)] }],
    [{ log: 1 }],
    [{ log: 1, records: Uint8Array.of(1) }],
    [{ log: 1, records: [new Uint8Array(0)] }],
    [{ log: 1, records: ['text'] }],
    [{ log: 1, records: [new Uint8Array((1 << 20) + 1)] }],
    [{ log: 1, records: Array.from({ length: 4097 }, () => Uint8Array.of(1)) }],
    [{ log: 1, records: Array.from({ length: 9 }, () => new Uint8Array(1 << 20)) }],
  ],
  commitLedgerLogRewrite: [
    [{ log: 1 }],
    [{ log: 1, total: -1 }],
    [{ log: 1, total: 1.5 }],
    [{ log: 1, total: '3' }],
    [{ log: -1, total: 0 }],
    [{ log: 1, total: 0, records: [] }],
  ],
  readLedgerLogChunk: [[{ read: -1 }], [{ read: Number.MAX_SAFE_INTEGER + 2 }]],
  startNetworkServices: [
    [{ lan: 'yes', networkId: null }],
    [{ lan: true, networkId: 'not hex' }],
    [{ lan: true }],
    [{ lan: true, networkId: NETWORK.toUpperCase() }],
  ],
  setAllowedRelays: [
    [{ relays: 'wss://relay.example.org:443' }],
    [{ relays: ['https://relay.example.org:443'] }],
    [{ relays: [`wss://${'a'.repeat(200)}.org:443`] }],
    [{ relays: Array.from({ length: 33 }, (_, i) => `wss://r${i}.example.org:443`) }],
  ],
  notify: [
    ['new-job'],
    ['new-job', {}],
    ['new-job', { count: 0 }],
    ['new-job', { count: 1.5 }],
    ['new-job', { count: 10_000 }],
    ['new-job', { count: 1, body: '<b>hi</b>' }],
    ['payment-received', { amount: '<img src=x onerror=alert(1)>', unit: 'units' }],
    ['payment-received', { amount: '1e9', unit: 'units' }],
    ['payment-received', { amount: 12, unit: 'units' }],
    ['payment-received', { amount: '12', unit: 'units', from: 'Mallory' }],
    ['payment-received', { amount: '12' }],
    ['payment-received', { amount: '12', unit: '<img src=x onerror=alert(1)>' }],
    ['evaluation-due', { amount: '12' }],
    ['custom', { title: 'Hello', body: 'World' }],
    ['new-job', { count: 1 }, 'extra'],
  ],
};

describe('checkSender', () => {
  it('accepts the top frame of our window on app://gpow', () => {
    expect(checkSender(event({}), isAppWindow)).toEqual({ ok: true });
    expect(checkSender(event({ url: 'app://gpow/settings?x=1#y' }), isAppWindow).ok).toBe(true);
  });

  it.each<[string, FrameSpec | null, RegExp]>([
    ['a missing frame', null, /navigated away or been closed/u],
    ['a subframe', { parent: 'some' }, /top-level frame/u],
    ['another origin', { url: 'https://evil.example/' }, /app origin/u],
    ['a file: page', { url: 'file:///home/user/evil.html' }, /app origin/u],
    ['a look-alike host', { url: 'app://gpow.evil/' }, /app origin/u],
    ['a port on our host', { url: 'app://gpow:81/' }, /app origin/u],
    ['the dev server origin', { url: 'http://127.0.0.1:5173/' }, /app origin/u],
    ['about:blank', { url: 'about:blank' }, /app origin/u],
    ['a window we did not create', { windowId: 99 }, /windows of this app/u],
  ])('refuses %s', (_name, frame, reason) => {
    const result = checkSender(event(frame), isAppWindow);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('IPC handlers', () => {
  it('registers exactly the contract channels, once each, sendSync ones with on()', () => {
    const handle = vi.fn();
    const on = vi.fn();
    registerIpcHandlers({ handle, on }, fakeBridge(), isAppWindow);
    const channels = [...handle.mock.calls, ...on.mock.calls].map(([channel]) => channel as string);
    expect(channels.sort()).toEqual(Object.values(CHANNELS).sort());
    expect(new Set(channels).size).toBe(BRIDGE_METHODS.length);
    expect(on.mock.calls.map(([channel]) => channel as string)).toEqual(
      SYNC_METHODS.map((method) => CHANNELS[method]),
    );
    expect(SYNC_METHODS).toEqual([
      'signTransaction',
      'openSskBox',
      'signIdentityMessage',
      'proveVrf',
    ]);
  });

  it('routes each channel to its own method with the parsed arguments', async () => {
    const handle = vi.fn();
    const bridge = fakeBridge();
    registerIpcHandlers({ handle, on: vi.fn() }, bridge, isAppWindow);
    const handlerFor = (channel: string) =>
      handle.mock.calls.find(([c]) => c === channel)?.[1] as (
        e: SenderEvent,
        ...args: unknown[]
      ) => Promise<unknown>;

    await expect(handlerFor(CHANNELS.appInfo)(event({}))).resolves.toEqual({
      name: 'GPoW',
      version: '1.2.3',
      platform: 'linux',
    });
    const input = { mnemonic: 'abandon '.repeat(11) + 'about', passphrase: 'pw' };
    await handlerFor(CHANNELS.createKeystore)(event({}), input);
    expect(bridge.createKeystore).toHaveBeenCalledExactlyOnceWith(input);
    await handlerFor(CHANNELS.unlockKeystore)(event({}), { passphrase: 'pw' });
    expect(bridge.unlockKeystore).toHaveBeenCalledExactlyOnceWith({ passphrase: 'pw' });
  });

  it.each<[string, FrameSpec | null]>([
    ['wrong origin', { url: 'https://evil.example/' }],
    ['subframe', { parent: 'some' }],
    ['missing frame', null],
    ['foreign window', { windowId: 99 }],
  ])('rejects a bad sender (%s) and does nothing', async (_name, frame) => {
    const bridge = fakeBridge();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const unlock = createIpcHandler('unlockKeystore', bridge, isAppWindow);
    await expect(unlock(event(frame), { passphrase: 'pw' })).rejects.toThrow(
      /^GPoW refused the unlockKeystore request: /u,
    );
    expect(bridge.unlockKeystore).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it('rejects a bad payload and does nothing', async () => {
    const bridge = fakeBridge();
    const create = createIpcHandler('createKeystore', bridge, isAppWindow);
    const status = createIpcHandler('keystoreStatus', bridge, isAppWindow);
    await expect(create(event({}), { mnemonic: 1, passphrase: 'pw' })).rejects.toThrow(
      /refused the createKeystore request: invalid arguments to createKeystore \(argument 0\.mnemonic\): the recovery phrase must be text/u,
    );
    await expect(create(event({}))).rejects.toThrow(
      /\(argument 0\): expected \{ mnemonic, passphrase, replace\? \} and nothing else/u,
    );
    await expect(status(event({}), 'surprise')).rejects.toThrow(/takes no arguments/u);
    expect(bridge.createKeystore).not.toHaveBeenCalled();
    expect(bridge.keystoreStatus).not.toHaveBeenCalled();
  });

  it('passes on a failure of the implementation as a rejection', async () => {
    const bridge = fakeBridge();
    bridge.createKeystore.mockRejectedValueOnce(new Error('A keystore already exists'));
    const create = createIpcHandler('createKeystore', bridge, isAppWindow);
    await expect(create(event({}), { mnemonic: 'x', passphrase: 'pw' })).rejects.toThrow(
      'A keystore already exists',
    );
  });
});

/** Calls `method` through its registered handler, as the given sender. */
async function callAs(
  bridge: GpowBridge,
  method: BridgeMethod,
  sender: FrameSpec | null,
  args: readonly unknown[],
): Promise<unknown> {
  if (isSyncMethod(method)) {
    const syncEvent = event(sender) as SyncSenderEvent;
    createSyncIpcHandler(method, bridge, isAppWindow)(syncEvent, ...args);
    const reply = syncEvent.returnValue as { ok: boolean; value?: unknown; message?: string };
    if (!reply.ok) throw new Error(reply.message);
    return reply.value;
  }
  return createIpcHandler(method, bridge, isAppWindow)(event(sender), ...args);
}

describe('every bridge method', () => {
  it.each(BRIDGE_METHODS)('%s answers our window with well-formed arguments', async (method) => {
    const bridge = fakeBridge();
    await callAs(bridge, method, {}, GOOD_ARGUMENTS[method]);
    expect(bridge[method]).toHaveBeenCalledExactlyOnceWith(...GOOD_ARGUMENTS[method]);
  });

  it.each(BRIDGE_METHODS)('%s refuses foreign senders and runs nothing', async (method) => {
    const bridge = fakeBridge();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    for (const sender of [
      { url: 'https://evil.example/' },
      { parent: 'some' as const },
      { windowId: 99 },
      null,
    ]) {
      await expect(callAs(bridge, method, sender, GOOD_ARGUMENTS[method])).rejects.toThrow(
        new RegExp(`^GPoW refused the ${method} request: `, 'u'),
      );
    }
    expect(bridge[method]).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it.each(BRIDGE_METHODS)('%s refuses bad payloads and runs nothing', async (method) => {
    const bridge = fakeBridge();
    const bad = [...(BAD_ARGUMENTS[method] ?? []), [...GOOD_ARGUMENTS[method], 'extra'], [null]];
    for (const args of bad) {
      await expect(callAs(bridge, method, {}, args)).rejects.toThrow(
        new RegExp(`^GPoW refused the ${method} request: invalid arguments to ${method}`, 'u'),
      );
    }
    expect(bridge[method]).not.toHaveBeenCalled();
  });

  it('turns a throw of a synchronous method into a failure reply, not a crash', () => {
    const bridge = fakeBridge();
    bridge.signTransaction.mockImplementationOnce(() => {
      throw new Error('The identity is locked: unlock it to sign.');
    });
    const syncEvent = event({}) as SyncSenderEvent;
    createSyncIpcHandler('signTransaction', bridge, isAppWindow)(syncEvent, Uint8Array.of(0xa0));
    expect(syncEvent.returnValue).toEqual({
      ok: false,
      message: 'The identity is locked: unlock it to sign.',
    });
  });
});

describe('argument schemas', () => {
  const SECRET = 'correct horse battery staple';

  it('accept well-formed arguments', () => {
    expect(parseArguments('appInfo', [])).toEqual({ ok: true, args: [] });
    expect(parseArguments('pendingDeepLink', [])).toEqual({ ok: true, args: [] });
    expect(parseArguments('unlockKeystore', [{ passphrase: SECRET }])).toEqual({
      ok: true,
      args: [{ passphrase: SECRET }],
    });
    expect(parseArguments('createKeystore', [{ mnemonic: 'a b c', passphrase: SECRET }]).ok).toBe(
      true,
    );
  });

  it.each<[string, Parameters<typeof parseArguments>[0], unknown]>([
    ['arguments that are not a list', 'appInfo', { 0: 1 }],
    ['an argument to a method that takes none', 'appInfo', [undefined]],
    ['an extra argument', 'unlockKeystore', [{ passphrase: 'pw' }, 'extra']],
    ['a missing argument', 'unlockKeystore', []],
    ['null instead of an object', 'unlockKeystore', [null]],
    ['an array instead of an object', 'unlockKeystore', [['pw']]],
    ['a number passphrase', 'unlockKeystore', [{ passphrase: 1234 }]],
    ['an object passphrase', 'unlockKeystore', [{ passphrase: { toString: () => 'pw' } }]],
    ['an empty passphrase', 'unlockKeystore', [{ passphrase: '' }]],
    ['an extra key', 'unlockKeystore', [{ passphrase: 'pw', admin: true }]],
    ['a prototype key', 'unlockKeystore', [JSON.parse('{"passphrase":"pw","__proto__":{"x":1}}')]],
    ['a missing key', 'createKeystore', [{ mnemonic: 'a b c' }]],
    [
      'a huge passphrase',
      'unlockKeystore',
      [{ passphrase: 'x'.repeat(MAX_PASSPHRASE_LENGTH + 1) }],
    ],
    [
      'a huge phrase',
      'createKeystore',
      [{ mnemonic: 'abandon '.repeat(MAX_MNEMONIC_LENGTH), passphrase: 'pw' }],
    ],
    ['a 10 MB string', 'createKeystore', [{ mnemonic: 'a', passphrase: 'x'.repeat(10_000_000) }]],
  ])('refuse %s', (_name, method, args) => {
    expect(parseArguments(method, args).ok).toBe(false);
  });

  it('never quote the secret values in their messages', () => {
    const cases: [Parameters<typeof parseArguments>[0], unknown][] = [
      ['unlockKeystore', [{ passphrase: SECRET, extra: SECRET }]],
      ['unlockKeystore', [{ passphrase: SECRET.repeat(100) }]],
      ['createKeystore', [{ mnemonic: SECRET.repeat(100), passphrase: SECRET }]],
      ['createKeystore', [{ mnemonic: SECRET, passphrase: SECRET }, SECRET]],
    ];
    for (const [method, args] of cases) {
      const result = parseArguments(method, args);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.message).toMatch(new RegExp(`^invalid arguments to ${method}`, 'u'));
        expect(result.message).not.toContain('horse');
      }
    }
  });
});
