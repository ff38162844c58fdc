// The saved state of the latest certified checkpoint (engine/checkpointStore.ts): written in
// parts under the log store's 1 MiB bound, read back whole, and anything torn, damaged or foreign
// is read as nothing (the caller then computes the state again), never as a wrong state.
import { describe, expect, it } from 'vitest';
import {
  loadCheckpointState,
  saveCheckpointState,
  STATE_PART_BYTES,
  type StateStore,
} from '../../shared/storage/checkpointState.ts';
import { encodeCanonical } from '../../shared/codec/cbor.ts';
import type { TxId } from '../../shared/ids.ts';

function memory(): StateStore & { values: Map<string, Uint8Array> } {
  const values = new Map<string, Uint8Array>();
  return {
    values,
    putMeta: (key, value) => Promise.resolve(void values.set(key, value.slice())),
    getMeta: (key) => Promise.resolve(values.get(key)?.slice()),
  };
}

const id = 'ab'.repeat(32) as TxId;
const big = Uint8Array.from({ length: 2 * STATE_PART_BYTES + 123 }, (_, i) => (i * 7) & 0xff);

describe('the saved checkpoint state', () => {
  it('comes back whole, in parts under the bound', async () => {
    const store = memory();
    await saveCheckpointState(store, id, big);
    expect(store.values.size).toBe(4);
    for (const value of store.values.values())
      expect(value.length).toBeLessThanOrEqual(STATE_PART_BYTES);
    expect(await loadCheckpointState(store)).toEqual({ id, bytes: big });
    // A smaller state later replaces it.
    await saveCheckpointState(store, id, Uint8Array.of(1, 2, 3));
    expect(await loadCheckpointState(store)).toEqual({ id, bytes: Uint8Array.of(1, 2, 3) });
  });

  it('reads a torn, damaged or foreign one as nothing, and never throws', async () => {
    expect(await loadCheckpointState(memory())).toBeNull();
    const torn = memory();
    await saveCheckpointState(torn, id, big);
    torn.values.delete('certified-state-1');
    expect(await loadCheckpointState(torn)).toBeNull();
    const short = memory();
    await saveCheckpointState(short, id, big);
    short.values.set('certified-state-2', Uint8Array.of(1));
    expect(await loadCheckpointState(short)).toBeNull();
    for (const header of [
      Uint8Array.of(0xff, 0x00),
      encodeCanonical({ v: 2, id: new Uint8Array(32), size: 3, parts: 1 }),
      encodeCanonical({ v: 1, id: new Uint8Array(31), size: 3, parts: 1 }),
      encodeCanonical({ v: 1, id: new Uint8Array(32), size: 3, parts: 9 }),
    ]) {
      const store = memory();
      store.values.set('certified-state', header);
      store.values.set('certified-state-0', Uint8Array.of(1, 2, 3));
      expect(await loadCheckpointState(store)).toBeNull();
    }
    const failing: StateStore = {
      putMeta: () => Promise.reject(new Error('disk full')),
      getMeta: () => Promise.reject(new Error('gone')),
    };
    expect(await loadCheckpointState(failing)).toBeNull();
  });
});
