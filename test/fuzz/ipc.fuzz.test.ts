// Fuzz target: the Electron IPC bridge (electron/ipc.ts with the schemas of
// shared/bridge/contract.ts). The renderer is the untrusted side: a compromised page can send any
// structured-cloneable payload on any channel, from any frame. Every request must be checked
// for its sender and its arguments before anything runs: a refused one rejects (or, for the
// synchronous methods, answers { ok: false }) with "GPoW refused the <method> request: ..." and
// calls nothing, an accepted one calls exactly its method with the parsed arguments, and no
// refusal ever repeats a value it was given (they can be recovery phrases and passphrases).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { WebContents, WebFrameMain } from 'electron';
import {
  BRIDGE_METHODS,
  CHANNELS,
  isSyncMethod,
  parseArguments,
  type BridgeArguments,
  type BridgeMethod,
  type GpowBridge,
} from '../../shared/bridge/contract.ts';
import { registerIpcHandlers, type SenderEvent, type SyncSenderEvent } from '../../electron/ipc.ts';
import { fuzz, runs, Watchdog } from './harness.ts';

vi.mock('electron', () => ({}));

const watchdog = new Watchdog();
// Refused senders are logged; thousands of them are noise here.
const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
beforeAll(() => watchdog.install());
afterAll(() => {
  warn.mockRestore();
  watchdog.uninstall();
});

const OUR_WINDOW = 7;
const isAppWindow = (contents: WebContents): boolean => contents.id === OUR_WINDOW;

/** Marks values that could be secrets: a refusal must never contain it. */
const MARKER = 'SeCrEt-MaRkEr';

/** A bridge whose every method records its call and answers something plausible. */
function recordingBridge(calls: Array<{ method: BridgeMethod; args: unknown[] }>): GpowBridge {
  const bridge: Record<string, (...args: unknown[]) => unknown> = {};
  for (const method of BRIDGE_METHODS) {
    bridge[method] = (...args: unknown[]) => {
      calls.push({ method, args });
      return isSyncMethod(method)
        ? method === 'signTransaction'
          ? Uint8Array.of(1)
          : { ok: false, error: 'not for us' }
        : Promise.resolve(null);
    };
  }
  return bridge as unknown as GpowBridge;
}

const NETWORK = 'ab'.repeat(32);

/** Well-formed arguments for every method; the mapped type keeps the table complete. */
const GOOD: { readonly [K in BridgeMethod]: BridgeArguments<K> } = {
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

/** Values of every type structured clone can carry, with secrets marked. */
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 2, withTypedArray: true, withMap: true, withSet: true, withDate: true }),
  fc.string({ maxLength: 20 }).map((s) => `${MARKER}${s}`),
  fc.constantFrom<unknown>(
    '',
    'a'.repeat(1025),
    0,
    -1,
    1.5,
    Number.NaN,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 32,
    null,
    undefined,
    new Uint8Array(0),
    new Uint8Array(32),
    new Uint8Array(513),
    new Uint16Array(2),
    new ArrayBuffer(4),
    new Uint8Array(64 * 1024 + 1),
    [],
    {},
    JSON.parse('{"__proto__":{"polluted":true}}'),
    { constructor: 1 },
  ),
);

type Mutation =
  | { readonly kind: 'none' }
  | { readonly kind: 'extra-argument'; readonly value: unknown }
  | { readonly kind: 'drop-argument'; readonly index: number }
  | { readonly kind: 'replace-argument'; readonly index: number; readonly value: unknown }
  | { readonly kind: 'unknown-key'; readonly key: string; readonly value: unknown }
  | { readonly kind: 'replace-field'; readonly which: number; readonly value: unknown }
  | { readonly kind: 'drop-field'; readonly which: number }
  | { readonly kind: 'random-arguments'; readonly args: unknown[] };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('extra-argument' as const), value: valueArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('drop-argument' as const), index: fc.nat() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('replace-argument' as const),
      index: fc.nat(),
      value: valueArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('unknown-key' as const),
      key: fc.oneof(
        fc.constantFrom('extra', '__proto__', 'constructor', 'toString', 'recipient'),
        fc.string({ minLength: 1, maxLength: 8 }),
      ),
      value: valueArb,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('replace-field' as const),
      which: fc.nat(),
      value: valueArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('drop-field' as const), which: fc.nat() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('random-arguments' as const),
      args: fc.array(valueArb, { maxLength: 3 }),
    }),
  },
);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/** The mutated arguments, and whether they must be refused whatever the schema says. */
function mutate(
  method: BridgeMethod,
  mutation: Mutation,
): { args: unknown[]; mustRefuse: boolean } {
  const args: unknown[] = structuredClone([...GOOD[method]]);
  const objectAt = args.findIndex(isPlainObject);
  const object = args[objectAt] as Record<string, unknown> | undefined;
  const keys = object ? Object.keys(object) : [];
  switch (mutation.kind) {
    case 'none':
      return { args, mustRefuse: false };
    case 'extra-argument':
      return { args: [...args, mutation.value], mustRefuse: true };
    case 'drop-argument':
      if (args.length === 0) return { args, mustRefuse: false };
      args.splice(mutation.index % args.length, 1);
      return { args, mustRefuse: true };
    case 'replace-argument':
      if (args.length === 0) return { args: [mutation.value], mustRefuse: true };
      args[mutation.index % args.length] = mutation.value;
      return { args, mustRefuse: false };
    case 'unknown-key': {
      if (!object || mutation.key in GOOD_KEYS[method]) return { args, mustRefuse: false };
      // An own property even for "__proto__", as structured clone and JSON.parse make it.
      Object.defineProperty(object, mutation.key, {
        value: mutation.value,
        enumerable: true,
        configurable: true,
        writable: true,
      });
      return { args, mustRefuse: true };
    }
    case 'replace-field': {
      if (!object || keys.length === 0) return { args, mustRefuse: false };
      object[keys[mutation.which % keys.length] as string] = mutation.value;
      return { args, mustRefuse: false };
    }
    case 'drop-field': {
      if (!object || keys.length === 0) return { args, mustRefuse: false };
      const key = keys[mutation.which % keys.length] as string;
      delete object[key];
      // Only unlockKeystore's remember is optional.
      return { args, mustRefuse: !(method === 'unlockKeystore' && key === 'remember') };
    }
    case 'random-arguments':
      return { args: mutation.args, mustRefuse: false };
  }
}

/** The keys each method's object argument may have. */
const GOOD_KEYS = Object.fromEntries(
  BRIDGE_METHODS.map((method) => {
    const object = (GOOD[method] as unknown[]).find(isPlainObject);
    return [method, Object.fromEntries(Object.keys(object ?? {}).map((k) => [k, true]))];
  }),
) as Record<BridgeMethod, Record<string, true>>;

interface SenderSpec {
  readonly frame: null | { readonly url: string; readonly parent: boolean };
  readonly window: number;
}

const senderArb: fc.Arbitrary<SenderSpec> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constant({
      frame: { url: 'app://gpow/index.html', parent: false },
      window: OUR_WINDOW,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      frame: fc.option(
        fc.record({
          url: fc.oneof(
            fc.constantFrom(
              'app://gpow/',
              'app://gpow/settings?x=1#y',
              'app://GPOW/',
              'app://gpow.evil/',
              'app://gpow:81/',
              'app://user@gpow/',
              'app://gpow@evil/',
              'APP://gpow/',
              'app:gpow',
              'app:///gpow/',
              'file:///home/user/evil.html',
              'http://127.0.0.1:5173/',
              'about:blank',
              'app://gpow\u0000/',
              '',
            ),
            fc.webUrl(),
            fc.string({ maxLength: 30 }),
          ),
          parent: fc.boolean(),
        }),
        { nil: null },
      ),
      window: fc.constantFrom(OUR_WINDOW, 99, 0),
    }),
  },
);

/** Whether the sender is ours, decided apart from ipc.ts: the app origin exactly. */
function senderIsOurs(spec: SenderSpec): boolean {
  if (spec.frame === null || spec.frame.parent || spec.window !== OUR_WINDOW) return false;
  try {
    const url = new URL(spec.frame.url);
    return (
      url.protocol === 'app:' && url.host === 'gpow' && url.username === '' && url.password === ''
    );
  } catch {
    return false;
  }
}

function senderEvent(spec: SenderSpec): SenderEvent {
  return {
    sender: { id: spec.window } as WebContents,
    senderFrame:
      spec.frame === null
        ? null
        : ({
            url: spec.frame.url,
            parent: spec.frame.parent ? {} : null,
          } as unknown as WebFrameMain),
  };
}

/** A registered bridge, as Electron's ipcMain would hold it. */
function register() {
  const calls: Array<{ method: BridgeMethod; args: unknown[] }> = [];
  const handlers = new Map<string, (event: never, ...args: unknown[]) => unknown>();
  registerIpcHandlers(
    {
      handle: (channel: string, handler: (event: never, ...args: unknown[]) => unknown) =>
        handlers.set(channel, handler),
      on: (channel: string, handler: (event: never, ...args: unknown[]) => unknown) => {
        handlers.set(channel, handler);
        return undefined as never;
      },
    },
    recordingBridge(calls),
    isAppWindow,
  );
  return { calls, handlers };
}

/** Calls a channel as Electron would; the outcome, never a throw. */
async function invoke(
  handlers: Map<string, (event: never, ...args: unknown[]) => unknown>,
  method: BridgeMethod,
  spec: SenderSpec,
  args: unknown[],
): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  const handler = handlers.get(CHANNELS[method]);
  if (!handler) throw new Error(`no handler for ${method}`);
  const event = senderEvent(spec) as SyncSenderEvent;
  if (isSyncMethod(method)) {
    expect(() => handler(event as never, ...args)).not.toThrow();
    return event.returnValue as { ok: true; value: unknown } | { ok: false; message: string };
  }
  let promise: unknown;
  expect(() => (promise = handler(event as never, ...args))).not.toThrow();
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return { ok: false, message: (error as Error).message };
  }
}

const { calls, handlers } = register();
let accepted = 0;
let refused = 0;

describe('fuzz: the Electron IPC bridge', () => {
  it('refuses a bad sender or payload with a sentence and runs nothing; runs a good one exactly', async () => {
    await fuzz(
      'ipc requests',
      fc.asyncProperty(
        fc.constantFrom(...BRIDGE_METHODS),
        senderArb,
        mutationArb,
        (method, sender, mutation) =>
          watchdog.run('an IPC request', async () => {
            calls.length = 0;
            const { args, mustRefuse } = mutate(method, mutation);
            const parsed = parseArguments(method, args);
            if (mustRefuse) expect(parsed.ok).toBe(false);
            if (mutation.kind === 'none') expect(parsed.ok).toBe(true);
            const outcome = await invoke(handlers, method, sender, args);
            if (!senderIsOurs(sender) || !parsed.ok) {
              expect(outcome.ok).toBe(false);
              if (!outcome.ok) {
                expect(outcome.message).toMatch(
                  new RegExp(`^GPoW refused the ${method} request: `, 'u'),
                );
                if (senderIsOurs(sender))
                  expect(outcome.message).toContain(`invalid arguments to ${method}`);
                expect(outcome.message).not.toContain(MARKER);
                expect(outcome.message.length).toBeLessThan(400);
              }
              expect(calls).toEqual([]);
              refused++;
              return;
            }
            accepted++;
            expect(outcome.ok).toBe(true);
            expect(calls).toHaveLength(1);
            expect(calls[0]?.method).toBe(method);
            expect(calls[0]?.args).toEqual(parsed.args);
          }),
      ),
      901,
      3_000,
    );
  });

  it(`ran ${runs(3_000)} cases`, () => {
    expect(watchdog.cases).toBe(runs(3_000));
    // Both ways through the bridge are exercised.
    expect(accepted).toBeGreaterThan(runs(3_000) / 10);
    expect(refused).toBeGreaterThan(runs(3_000) / 10);
  });
});
