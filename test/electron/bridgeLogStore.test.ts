// The desktop app's storage: the renderer's BridgeLogStore, through the real IPC handlers
// (sender check and schemas), main's ledger logs and the real file log in a temporary
// "userData". Arguments and answers are structured-cloned and rejections flattened, as
// Electron's IPC does. The shared LogStore acceptance suite runs against the whole stack.
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebContents } from 'electron';
import { CHANNELS, type BridgeMethod, type GpowBridge } from '../../shared/bridge/contract.ts';
import { StorageError, type LogStore } from '../../shared/storage/port.ts';
import { createDesktopBridge } from '../../electron/desktopBridge.ts';
import { registerIpcHandlers } from '../../electron/ipc.ts';
import { createLedgerLogs, type LedgerLogs } from '../../electron/ledgerLogs.ts';
import { openFileLogStore } from '../../node/storage/fileLogStore.ts';
import { openBridgeLogStore, type LogBridge } from '../../renderer/bridge/bridgeLogStore.ts';
import { describeLogStoreAcceptance } from '../storage/acceptance.ts';

vi.mock('electron', () => ({}));

type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>;

interface Sender {
  url: string;
  windowId: number;
}

/** Main's bridge over `logs`, registered as main.ts does, and a renderer-side view of it. */
function ipcPair(logs: LedgerLogs, sender: Sender = { url: 'app://gpow/index.html', windowId: 1 }) {
  const handlers = new Map<string, Handler>();
  const bridge = createDesktopBridge({
    appInfo: () => ({ name: 'GPoW', version: '0', platform: 'linux' }),
    vault: {} as never,
    remembered: {} as never,
    logs,
    network: {} as never,
    allowedRelays: {} as never,
    deepLinks: {} as never,
    notify: () => ({ shown: false }),
  });
  registerIpcHandlers(
    {
      handle: (channel: string, handler: Handler) => handlers.set(channel, handler),
      on: () => undefined,
    } as never,
    bridge,
    (contents: WebContents) => contents.id === 1,
  );
  const invoke = (method: BridgeMethod, ...args: unknown[]): Promise<unknown> => {
    const channel = CHANNELS[method];
    const handler = handlers.get(channel);
    if (handler === undefined) throw new Error(`no handler for ${channel}`);
    const event = {
      sender: { id: sender.windowId },
      senderFrame: { url: sender.url, parent: null },
    };
    return handler(event, ...structuredClone(args)).then(
      (result) => structuredClone(result),
      (error: unknown) => {
        // Electron keeps only the message, behind a prefix of its own.
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        throw new Error(`Error invoking remote method '${channel}': ${message}`);
      },
    );
  };
  const renderer = {
    openLedgerLog: (input) => invoke('openLedgerLog', input),
    appendLedgerLog: (input) => invoke('appendLedgerLog', input),
    startLedgerLogRead: (input) => invoke('startLedgerLogRead', input),
    readLedgerLogChunk: (input) => invoke('readLedgerLogChunk', input),
    putLedgerMeta: (input) => invoke('putLedgerMeta', input),
    getLedgerMeta: (input) => invoke('getLedgerMeta', input),
    closeLedgerLog: (input) => invoke('closeLedgerLog', input),
    startLedgerLogRewrite: (input) => invoke('startLedgerLogRewrite', input),
    writeLedgerLogRewrite: (input) => invoke('writeLedgerLogRewrite', input),
    commitLedgerLogRewrite: (input) => invoke('commitLedgerLogRewrite', input),
  } as LogBridge satisfies Partial<GpowBridge>;
  return { renderer, invoke };
}

const roots: string[] = [];
const newRoot = async (): Promise<string> => {
  const root = await mkdtemp(join(tmpdir(), 'gpow-bridge-log-'));
  roots.push(root);
  return root;
};
afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

// A fresh "userData" is fresh storage; reopening goes through the same main process.
let acceptance: { renderer: LogBridge } | undefined;
describeLogStoreAcceptance(
  'BridgeLogStore over IPC and the file log',
  async (reopen) => {
    if (!reopen || acceptance === undefined) {
      const dir = await newRoot();
      // A repair during the acceptance suite would be a bug: it fails the operation.
      const openStore = (logDir: string) =>
        openFileLogStore(logDir, {
          onWarning: (message) => {
            throw new Error(`unexpected repair: ${message}`);
          },
        });
      acceptance = ipcPair(createLedgerLogs({ dir, openStore }));
    }
    return openBridgeLogStore(acceptance.renderer, 'gpow-ledger-acceptance');
  },
  { hasInstance: true },
);

describe('the ledger logs of the desktop app', () => {
  let root: string;
  let logs: LedgerLogs;
  let stores: LogStore[];
  beforeEach(async () => {
    root = await newRoot();
    logs = createLedgerLogs({ dir: join(root, 'ledgers'), chunkRecords: 3, chunkBytes: 64 });
    stores = [];
  });
  afterEach(async () => {
    await Promise.allSettled(stores.map((store) => store.close()));
    await logs.closeAll();
  });
  const open = async (renderer: LogBridge, name = 'gpow-ledger-one'): Promise<LogStore> => {
    const store = await openBridgeLogStore(renderer, name);
    stores.push(store);
    return store;
  };

  it('say which networks are open, for main to sign a change of the witnesses only for those', async () => {
    const { renderer } = ipcPair(logs);
    const id = 'ab'.repeat(32);
    const one = await open(renderer, `gpow-ledger-${id}`);
    await open(renderer, 'gpow-ledger-not-a-network');
    expect(logs.openNetworks()).toEqual([id]);
    await one.close();
    stores.splice(stores.indexOf(one), 1);
    await expect.poll(() => logs.openNetworks()).toEqual([]);
  });

  it('keep each log in its own directory under userData/ledgers', async () => {
    const { renderer } = ipcPair(logs);
    const one = await open(renderer, 'gpow-ledger-one');
    const two = await open(renderer, 'gpow-ledger-two');
    await one.append([Uint8Array.of(1)]);
    await two.append([Uint8Array.of(2)]);
    expect((await readdir(join(root, 'ledgers'))).sort()).toEqual([
      'gpow-ledger-one',
      'gpow-ledger-two',
    ]);
    expect((await one.load()).records).toEqual([Uint8Array.of(1)]);
    expect((await two.load()).records).toEqual([Uint8Array.of(2)]);
  });

  it('read in bounded chunks, with progress in records', async () => {
    const { renderer } = ipcPair(logs);
    const store = await open(renderer);
    const records = Array.from({ length: 10 }, (_, i) => new Uint8Array(20).fill(i + 1));
    await store.append(records);
    const chunk = vi.spyOn(renderer, 'readLedgerLogChunk');
    const progress: [number, number][] = [];
    const loaded = await store.load((done, total) => progress.push([done, total]));
    expect(loaded.records).toEqual(records);
    // 64 bytes per chunk: three 20-byte records each, so four chunks.
    expect(chunk).toHaveBeenCalledTimes(4);
    expect(progress).toEqual([
      [3, 10],
      [6, 10],
      [9, 10],
      [10, 10],
    ]);
  });

  it('split a batch larger than one request into consecutive requests', async () => {
    const { renderer } = ipcPair(logs);
    const store = await open(renderer);
    const append = vi.spyOn(renderer, 'appendLedgerLog');
    const big = Array.from({ length: 9 }, (_, i) => new Uint8Array(1 << 20).fill(i));
    await store.append(big);
    expect(append).toHaveBeenCalledTimes(2); // 8 MiB per request
    expect((await store.load()).records).toEqual(big);
  });

  it('share one store between two handles of a log, closing it with the last', async () => {
    const { renderer } = ipcPair(logs);
    const first = await open(renderer);
    const second = await open(renderer);
    await first.append([Uint8Array.of(1)]);
    await second.append([Uint8Array.of(2)]);
    await first.close();
    expect((await second.load()).records).toEqual([Uint8Array.of(1), Uint8Array.of(2)]);
    await second.close();
    const third = await open(renderer);
    expect((await third.load()).records).toEqual([Uint8Array.of(1), Uint8Array.of(2)]);
  });

  it('refuse handles that were never given out or are closed', async () => {
    const { invoke } = ipcPair(logs);
    await expect(
      invoke('appendLedgerLog', { log: 77, records: [Uint8Array.of(1)] }),
    ).rejects.toThrow(/ledger log 77 is not open/u);
    await expect(invoke('readLedgerLogChunk', { read: 78 })).rejects.toThrow(
      /read 78 is not open/u,
    );
    const { log } = (await invoke('openLedgerLog', { name: 'gpow-ledger-x' })) as { log: number };
    await invoke('closeLedgerLog', { log });
    await expect(invoke('getLedgerMeta', { log, key: 'k' })).rejects.toThrow(/is not open/u);
  });

  it('close everything when the page goes away, and reopen cleanly after', async () => {
    const { renderer } = ipcPair(logs);
    const store = await open(renderer);
    await store.append([Uint8Array.of(5)]);
    await logs.closeAll();
    // The old page's store is dead in main; its calls fail as storage errors.
    await expect(store.append([Uint8Array.of(6)])).rejects.toThrow(StorageError);
    await expect(store.append([Uint8Array.of(6)])).rejects.toThrow(/is not open/u);
    const fresh = await open(renderer);
    expect((await fresh.load()).records).toEqual([Uint8Array.of(5)]);
  });

  it('refuse foreign senders and bad payloads before touching a file', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const foreign = ipcPair(logs, { url: 'https://evil.example/', windowId: 1 });
    await expect(openBridgeLogStore(foreign.renderer, 'gpow-ledger-evil')).rejects.toThrow(
      /refused the openLedgerLog request: requests are only accepted from the app origin/u,
    );
    const otherWindow = ipcPair(logs, { url: 'app://gpow/index.html', windowId: 2 });
    await expect(otherWindow.invoke('openLedgerLog', { name: 'gpow-ledger-evil' })).rejects.toThrow(
      /windows of this app/u,
    );
    const { invoke } = ipcPair(logs);
    for (const name of ['../../etc', 'a/b', 'A', '.hidden', '']) {
      await expect(invoke('openLedgerLog', { name })).rejects.toThrow(/invalid arguments/u);
    }
    await expect(invoke('appendLedgerLog', { log: 1, records: ['text'] })).rejects.toThrow(
      /invalid arguments to appendLedgerLog/u,
    );
    await expect(readdir(join(root, 'ledgers'))).rejects.toThrow(/ENOENT/u);
    warn.mockRestore();
  });

  it('pass the recovery notes and the instance through, as the file log made them', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const logDir = join(root, 'ledgers', 'gpow-ledger-one');
    const direct = await openFileLogStore(logDir);
    const records = Array.from({ length: 6 }, (_, i) => new Uint8Array(30).fill(i + 1));
    await direct.append(records);
    await direct.close();
    const logPath = join(logDir, 'ledger.log');
    const bytes = await readFile(logPath);
    bytes.writeUInt8(0xff, 8 + 2 * 38 + 8 + 3); // a payload byte of record 2
    await writeFile(logPath, bytes);

    const { renderer } = ipcPair(logs);
    let store = await open(renderer);
    const loaded = await store.load();
    expect(loaded.records).toEqual(records.filter((_, i) => i !== 2));
    expect(loaded.recovery).toEqual({
      kind: 'damage',
      truncatedBytes: 38,
      regions: [{ offset: 84, bytes: 38 }],
      recordsKeptAfter: 3,
      savedCopy: expect.stringMatching(
        /gpow-ledger-one\/ledger\.log\.damaged-\d{8}T\d{6}Z$/u,
      ) as string,
      reason: expect.stringMatching(/ledger\.log was damaged: 38 bytes from offset 84/u) as string,
    });
    expect(warn).toHaveBeenCalledWith(loaded.recovery?.reason, 'GPoWStorageWarning');
    expect(loaded.instance).toEqual(expect.any(String));
    const again = await store.load();
    expect(again.recovery).toBeUndefined();
    expect(again.instance).toBe(loaded.instance);

    await store.close();
    await logs.closeAll();
    await truncate(logPath, (await readFile(logPath)).length - 5);
    store = await open(renderer);
    const torn = await store.load();
    expect(torn.records).toEqual(records.filter((_, i) => i !== 2 && i !== 5));
    expect(torn.recovery).toEqual({
      kind: 'torn-tail',
      truncatedBytes: 33,
      reason: expect.stringMatching(/^The last 33 bytes of .*ledger\.log/u) as string,
    });
    expect(torn.instance).toBe(loaded.instance); // cut in place: the same file
    warn.mockRestore();
  });

  it('refuse an answer from main that does not fit the contract', async () => {
    const note = { kind: 'torn-tail', truncatedBytes: 3, reason: 'The last 3 bytes were cut.' };
    const wrong: [unknown, RegExp][] = [
      [{ read: 1, total: 0, recovery: { ...note, kind: 'crash' } }, /\(recovery\.kind\)/u],
      [{ read: 1, total: 0, recovery: { ...note, truncatedBytes: -1 } }, /must not be negative/u],
      [{ read: 1, total: 0, recovery: { ...note, reason: 7 } }, /reason must be text/u],
      [
        {
          read: 1,
          total: 0,
          recovery: { ...note, kind: 'damage', regions: [], recordsKeptAfter: 0 },
        },
        /savedCopy/u,
      ],
      [{ read: 1, total: 0, instance: 42 }, /the log instance must be text/u],
      [{ read: 1, total: 0, secret: 'x' }, /nothing else/u],
    ];
    for (const [answer, message] of wrong) {
      const store = await openBridgeLogStore(fakeMain(answer), 'gpow-ledger-x');
      const attempt = store.load();
      await expect(attempt).rejects.toThrow(StorageError);
      await expect(attempt).rejects.toThrow(
        /^the main process gave invalid answer to startLedgerLogRead/u,
      );
      await expect(attempt).rejects.toThrow(message);
    }
    const good = await openBridgeLogStore(
      fakeMain({ read: 1, total: 0, recovery: note, instance: '1:2:3' }),
      'gpow-ledger-x',
    );
    expect(await good.load()).toEqual({ records: [], recovery: note, instance: '1:2:3' });
  });

  it('send a rewrite larger than one request in chunks, between a start and a commit', async () => {
    const { renderer } = ipcPair(logs);
    const store = await open(renderer);
    await store.append([Uint8Array.of(1)]);
    const write = vi.spyOn(renderer, 'writeLedgerLogRewrite');
    const commit = vi.spyOn(renderer, 'commitLedgerLogRewrite');
    const big = Array.from({ length: 9 }, (_, i) => new Uint8Array(1 << 20).fill(i + 1));
    const { instance } = await store.rewrite(big);
    expect(write).toHaveBeenCalledTimes(2); // 8 MiB per request
    expect(commit).toHaveBeenCalledExactlyOnceWith({ log: expect.any(Number) as number, total: 9 });
    const loaded = await store.load();
    expect(loaded.records).toEqual(big);
    expect(loaded.instance).toBe(instance);
  });

  it('change nothing for a rewrite the page abandons, and forget it', async () => {
    const { invoke } = ipcPair(logs);
    const { log } = (await invoke('openLedgerLog', { name: 'gpow-ledger-one' })) as { log: number };
    await invoke('appendLedgerLog', { log, records: [Uint8Array.of(1)] });
    await invoke('startLedgerLogRewrite', { log });
    await invoke('writeLedgerLogRewrite', { log, records: [Uint8Array.of(9)] });
    await logs.closeAll(); // the page went away before its commit
    await expect(invoke('commitLedgerLogRewrite', { log, total: 1 })).rejects.toThrow(
      /no rewrite of ledger log \d+ is under way/u,
    );
    const { renderer } = ipcPair(logs);
    const store = await open(renderer);
    expect((await store.load()).records).toEqual([Uint8Array.of(1)]);
  });

  it('refuse a rewrite commit that lost a request, or was never started', async () => {
    const { invoke, renderer } = ipcPair(logs);
    const { log } = (await invoke('openLedgerLog', { name: 'gpow-ledger-one' })) as { log: number };
    await invoke('appendLedgerLog', { log, records: [Uint8Array.of(1)] });
    await expect(invoke('startLedgerLogRewrite', { log: 99 })).rejects.toThrow(/99 is not open/u);
    await expect(
      invoke('writeLedgerLogRewrite', { log, records: [Uint8Array.of(2)] }),
    ).rejects.toThrow(/no rewrite of ledger log \d+ is under way: start one first/u);
    await invoke('startLedgerLogRewrite', { log });
    await invoke('writeLedgerLogRewrite', { log, records: [Uint8Array.of(2), Uint8Array.of(3)] });
    await expect(
      invoke('writeLedgerLogRewrite', { log, records: [new Uint8Array(0)] }),
    ).rejects.toThrow(/invalid arguments to writeLedgerLogRewrite/u);
    await expect(invoke('commitLedgerLogRewrite', { log, total: 3 })).rejects.toThrow(
      /3 records were sent but 2 arrived, so a request was lost on the way; the log is unchanged/u,
    );
    // The commit ended the rewrite, refused or not.
    await expect(invoke('commitLedgerLogRewrite', { log, total: 2 })).rejects.toThrow(
      /no rewrite/u,
    );
    const store = await open(renderer);
    expect((await store.load()).records).toEqual([Uint8Array.of(1)]);
  });

  it('drop an unfinished rewrite when the same handle starts another', async () => {
    const { invoke } = ipcPair(logs);
    const { log } = (await invoke('openLedgerLog', { name: 'gpow-ledger-one' })) as { log: number };
    await invoke('startLedgerLogRewrite', { log });
    await invoke('writeLedgerLogRewrite', { log, records: [Uint8Array.of(1)] });
    await invoke('startLedgerLogRewrite', { log });
    await invoke('writeLedgerLogRewrite', { log, records: [Uint8Array.of(2)] });
    const answer = await invoke('commitLedgerLogRewrite', { log, total: 1 });
    expect(answer).toEqual({ instance: expect.any(String) as string });
    const { read } = (await invoke('startLedgerLogRead', { log })) as { read: number };
    expect(await invoke('readLedgerLogChunk', { read })).toEqual({
      records: [Uint8Array.of(2)],
      done: true,
    });
  });

  it('refuse an answer to a rewrite commit that does not fit the contract', async () => {
    for (const [answer, message] of [
      [{ instance: 42 }, /\(instance\): the log instance must be text/u],
      [{ instance: '1:2', records: [] }, /nothing else/u],
      [null, /invalid answer to commitLedgerLogRewrite/u],
    ] as const) {
      const store = await openBridgeLogStore(fakeMain({}, answer), 'gpow-ledger-x');
      const attempt = store.rewrite([Uint8Array.of(1)]);
      await expect(attempt).rejects.toThrow(StorageError);
      await expect(attempt).rejects.toThrow(
        /^the main process gave invalid answer to commitLedgerLogRewrite/u,
      );
      await expect(attempt).rejects.toThrow(message);
    }
    const good = await openBridgeLogStore(fakeMain({}, { instance: '1:2' }), 'gpow-ledger-x');
    expect(await good.rewrite([])).toEqual({ instance: '1:2' });
  });

  it('cap the logs open at once', async () => {
    const { invoke } = ipcPair(logs);
    for (let i = 0; i < 8; i++) await invoke('openLedgerLog', { name: `log-${i}` });
    await expect(invoke('openLedgerLog', { name: 'log-8' })).rejects.toThrow(
      /at most 8 ledger logs/u,
    );
  });
});

/**
 * A main process whose read of any log starts with `answer` and delivers no records, and whose
 * rewrites stage nothing and answer `rewritten`.
 */
function fakeMain(answer: unknown, rewritten: unknown = {}): LogBridge {
  return {
    openLedgerLog: () => Promise.resolve({ log: 1 }),
    appendLedgerLog: () => Promise.resolve(),
    startLedgerLogRead: () => Promise.resolve(answer as never),
    readLedgerLogChunk: () => Promise.resolve({ records: [], done: true }),
    putLedgerMeta: () => Promise.resolve(),
    getLedgerMeta: () => Promise.resolve(null),
    closeLedgerLog: () => Promise.resolve(),
    startLedgerLogRewrite: () => Promise.resolve(),
    writeLedgerLogRewrite: () => Promise.resolve(),
    commitLedgerLogRewrite: () => Promise.resolve(rewritten as never),
  };
}
