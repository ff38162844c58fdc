// The behaviour every LogStore must share, whatever it stores into. Each implementation's test
// file calls describeLogStoreAcceptance with a way to open fresh storage (open(false)) and to
// reopen the storage of the previous open (open(true)), which is how persistence is checked.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES, StorageError, type LogStore } from '../../shared/storage/port.ts';
import { describeRewriteAcceptance } from './rewriteAcceptance.ts';

const encoder = new TextEncoder();
/** A recognisable record: the UTF-8 bytes of its label. */
const rec = (label: string): Uint8Array => encoder.encode(label);

const batchOf = (label: string, count: number): Uint8Array[] =>
  Array.from({ length: count }, (_, i) => rec(`${label} record ${i}`));

export interface AcceptanceOptions {
  /** Whether the store reports LoadedLog.instance (the file log does; others cannot). */
  readonly hasInstance: boolean;
}

export function describeLogStoreAcceptance(
  name: string,
  open: (reopen: boolean) => Promise<LogStore>,
  options: AcceptanceOptions,
): void {
  describe(`${name} (LogStore acceptance)`, () => {
    // Every store a test opens is closed afterwards, even when the test fails halfway.
    const opened: LogStore[] = [];
    const openStore = async (reopen: boolean): Promise<LogStore> => {
      const store = await open(reopen);
      opened.push(store);
      return store;
    };
    const reopen = async (store: LogStore): Promise<LogStore> => {
      await store.close();
      return openStore(true);
    };
    afterEach(async () => {
      await Promise.allSettled(opened.splice(0).map((store) => store.close()));
    });

    it('loads nothing from fresh storage', async () => {
      const store = await openStore(false);
      const loaded = await store.load();
      expect(loaded.records).toEqual([]);
      expect(loaded.recovery).toBeUndefined();
      expect(await store.getMeta('checkpoint')).toBeUndefined();
    });

    it('loads records in append order across batches, including the size bounds', async () => {
      const store = await openStore(false);
      const smallest = Uint8Array.of(0x2a);
      const largest = new Uint8Array(MAX_RECORD_BYTES).map((_, i) => (i * 13) & 0xff);
      const batches = [batchOf('first', 3), [smallest], batchOf('third', 1), [largest], []];
      for (const batch of batches) await store.append(batch);
      const { records } = await store.load();
      expect(records).toEqual(batches.flat());
      // A second load in the same session sees the same thing.
      expect((await store.load()).records).toEqual(batches.flat());
    });

    it('keeps records and meta across close and reopen', async () => {
      let store = await openStore(false);
      await store.append(batchOf('before', 2));
      await store.putMeta('checkpoint', Uint8Array.of(1, 2, 3));
      store = await reopen(store);
      expect((await store.load()).records).toEqual(batchOf('before', 2));
      expect(await store.getMeta('checkpoint')).toEqual(Uint8Array.of(1, 2, 3));

      await store.append(batchOf('after', 2));
      store = await reopen(store);
      const loaded = await store.load();
      expect(loaded.records).toEqual([...batchOf('before', 2), ...batchOf('after', 2)]);
      expect(loaded.recovery).toBeUndefined();
    });

    it(`${options.hasInstance ? 'keeps' : 'reports no'} instance across appends and reopens`, async () => {
      let store = await openStore(false);
      const first = (await store.load()).instance;
      expect(first === undefined).toBe(!options.hasInstance);
      await store.append(batchOf('more', 2));
      expect((await store.load()).instance).toBe(first);
      store = await reopen(store);
      expect((await store.load()).instance).toBe(first);
    });

    it('stores copies: callers mutating their arrays, before or after, change nothing', async () => {
      const store = await openStore(false);
      const input = rec('original');
      const batch = [input];
      const appended = store.append(batch);
      input.fill(0); // before the append has resolved
      batch.push(rec('smuggled'));
      await appended;
      input.fill(1);

      const first = await store.load();
      expect(first.records).toEqual([rec('original')]);
      first.records[0]?.fill(9);
      first.records.push(rec('pushed'));
      expect((await store.load()).records).toEqual([rec('original')]);

      const value = Uint8Array.of(5, 6, 7);
      const put = store.putMeta('settings', value);
      value.fill(0);
      await put;
      const got = await store.getMeta('settings');
      expect(got).toEqual(Uint8Array.of(5, 6, 7));
      got?.fill(0);
      expect(await store.getMeta('settings')).toEqual(Uint8Array.of(5, 6, 7));
    });

    it('returns plain Uint8Arrays even when given a Buffer', async () => {
      const store = await openStore(false);
      await store.append([Buffer.from('from a buffer')]);
      const [record] = (await store.load()).records;
      expect(record?.constructor).toBe(Uint8Array);
      expect(record).toEqual(rec('from a buffer'));
    });

    it('gets, puts and replaces meta values, each key on its own', async () => {
      const store = await openStore(false);
      expect(await store.getMeta('checkpoint')).toBeUndefined();
      await store.putMeta('checkpoint', Uint8Array.of(1));
      await store.putMeta('peer-list-2', Uint8Array.of(2, 2));
      expect(await store.getMeta('checkpoint')).toEqual(Uint8Array.of(1));
      await store.putMeta('checkpoint', Uint8Array.of(3, 3, 3));
      expect(await store.getMeta('checkpoint')).toEqual(Uint8Array.of(3, 3, 3));
      expect(await store.getMeta('peer-list-2')).toEqual(Uint8Array.of(2, 2));
      await store.putMeta('empty', new Uint8Array(0));
      expect(await store.getMeta('empty')).toEqual(new Uint8Array(0));
      expect((await store.load()).records).toEqual([]); // meta is not part of the log
    });

    it('refuses invalid meta keys and values, changing nothing', async () => {
      const store = await openStore(false);
      await store.putMeta('kept', Uint8Array.of(1));
      for (const key of ['', 'Upper', 'a/b', '../escape', 'has space', 'dot.ted', 'x'.repeat(65)]) {
        await expect(store.putMeta(key, Uint8Array.of(2))).rejects.toThrow(StorageError);
        await expect(store.getMeta(key)).rejects.toThrow(/invalid meta key/);
      }
      await expect(store.putMeta(42 as never, Uint8Array.of(2))).rejects.toThrow(StorageError);
      await expect(store.putMeta('kept', [2] as never)).rejects.toThrow(/not a Uint8Array/);
      await expect(store.putMeta('kept', new Uint8Array(MAX_RECORD_BYTES + 1))).rejects.toThrow(
        /over the 1048576-byte limit/,
      );
      expect(await store.getMeta('kept')).toEqual(Uint8Array.of(1));
    });

    it('runs concurrent calls in call order, losing nothing and never interleaving batches', async () => {
      const store = await openStore(false);
      const batches = Array.from({ length: 30 }, (_, b) => batchOf(`batch ${b}`, 1 + (b % 5)));
      const firstHalf = batches.slice(0, 15).map((batch) => store.append(batch));
      const midLoad = store.load();
      const secondHalf = batches.slice(15).map((batch) => store.append(batch));
      await Promise.all([...firstHalf, ...secondHalf]);
      expect((await midLoad).records).toEqual(batches.slice(0, 15).flat());
      expect((await store.load()).records).toEqual(batches.flat());
    });

    it('refuses invalid appends with StorageError and writes nothing of the batch', async () => {
      const store = await openStore(false);
      await store.append([rec('kept')]);
      const cases: [unknown, RegExp][] = [
        ['not an array', /takes an array of Uint8Array records, got a string/],
        [['text'], /record 0 of the batch is a string, not a Uint8Array/],
        [[null], /record 0 of the batch is null/],
        [[[1, 2]], /record 0 of the batch is an array/],
        [[new Uint16Array(2)], /record 0 of the batch is a Uint16Array/],
        [[new DataView(new ArrayBuffer(2))], /is a DataView/],
        [[new Uint8Array(0)], /record 0 of the batch is empty/],
        [[new Uint8Array(MAX_RECORD_BYTES + 1)], /1048577 bytes, over the 1048576-byte limit/],
        [[rec('good'), rec('good too'), new Uint8Array(0)], /record 2 of the batch is empty/],
      ];
      for (const [batch, message] of cases) {
        const attempt = store.append(batch as never);
        await expect(attempt).rejects.toThrow(StorageError);
        await expect(attempt).rejects.toThrow(message);
      }
      expect((await store.load()).records).toEqual([rec('kept')]);
      const reopened = await reopen(store);
      expect((await reopened.load()).records).toEqual([rec('kept')]);
    });

    it('refuses every operation after close, and closing twice is harmless', async () => {
      const store = await openStore(false);
      await store.append([rec('before close')]);
      await store.close();
      await expect(store.append([rec('late')])).rejects.toThrow(StorageError);
      await expect(store.load()).rejects.toThrow(/closed/);
      await expect(store.putMeta('key', Uint8Array.of(1))).rejects.toThrow(StorageError);
      await expect(store.getMeta('key')).rejects.toThrow(StorageError);
      await store.close();
      const reopened = await openStore(true);
      expect((await reopened.load()).records).toEqual([rec('before close')]);
    });

    it('reports load progress that only grows and ends at its total', async () => {
      const store = await openStore(false);
      const progressOf = async (): Promise<[number, number][]> => {
        const calls: [number, number][] = [];
        await store.load((done, total) => calls.push([done, total]));
        return calls;
      };
      const check = (calls: [number, number][]): void => {
        expect(calls.length).toBeGreaterThan(0);
        const total = calls[0]?.[1];
        let previous = -1;
        for (const [done, callTotal] of calls) {
          expect(callTotal).toBe(total); // the total is known up front and does not move
          expect(done).toBeGreaterThanOrEqual(previous);
          expect(done).toBeLessThanOrEqual(callTotal);
          previous = done;
        }
        expect(calls.at(-1)).toEqual([total, total]);
      };
      check(await progressOf()); // even an empty log reports completion
      for (let b = 0; b < 5; b++) await store.append(batchOf(`progress ${b}`, 500));
      const calls = await progressOf();
      check(calls);
      expect(calls.at(-1)?.[1]).toBeGreaterThan(0);
    });

    it('loads exactly what was appended, for any sequence of appends and reopens', async () => {
      type Command = { kind: 'append'; batch: Uint8Array[] } | { kind: 'reopen' };
      const command: fc.Arbitrary<Command> = fc.oneof(
        {
          weight: 3,
          arbitrary: fc
            .array(fc.uint8Array({ minLength: 1, maxLength: 96 }), { maxLength: 5 })
            .map((batch): Command => ({ kind: 'append', batch })),
        },
        { weight: 1, arbitrary: fc.constant<Command>({ kind: 'reopen' }) },
      );
      await fc.assert(
        fc.asyncProperty(fc.array(command, { maxLength: 12 }), async (commands) => {
          let store = await openStore(false);
          const model: Uint8Array[] = [];
          for (const step of commands) {
            if (step.kind === 'append') {
              await store.append(step.batch);
              model.push(...step.batch);
            } else {
              store = await reopen(store);
              expect((await store.load()).records).toEqual(model);
            }
          }
          const loaded = await store.load();
          expect(loaded.records).toEqual(model);
          expect(loaded.recovery).toBeUndefined();
          await store.close();
        }),
        { seed: 0x6770_6f77, numRuns: 40 },
      );
    });

    describe('rewrite', () => {
      describeRewriteAcceptance({ openStore, reopen, hasInstance: options.hasInstance });
    });
  });
}
