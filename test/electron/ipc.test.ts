import { describe, expect, it, vi } from 'vitest';
import type { WebContents, WebFrameMain } from 'electron';
import {
  BRIDGE_METHODS,
  CHANNELS,
  MAX_MNEMONIC_LENGTH,
  MAX_PASSPHRASE_LENGTH,
  parseArguments,
  type GpowBridge,
} from '../../shared/bridge/contract.ts';
import {
  checkSender,
  createIpcHandler,
  registerIpcHandlers,
  type SenderEvent,
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
    pendingDeepLink: vi.fn(() => Promise.resolve(null)),
  } satisfies GpowBridge;
}

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
  it('registers exactly the contract channels, once each', () => {
    const handle = vi.fn();
    registerIpcHandlers({ handle }, fakeBridge(), isAppWindow);
    const channels = handle.mock.calls.map(([channel]) => channel as string);
    expect(channels.sort()).toEqual(Object.values(CHANNELS).sort());
    expect(new Set(channels).size).toBe(BRIDGE_METHODS.length);
  });

  it('routes each channel to its own method with the parsed arguments', async () => {
    const handle = vi.fn();
    const bridge = fakeBridge();
    registerIpcHandlers({ handle }, bridge, isAppWindow);
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
      /\(argument 0\): expected \{ mnemonic, passphrase \} and nothing else/u,
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
