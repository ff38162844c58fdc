// The state of the latest certified checkpoint, kept in the log store's named values so that a
// witness that restarts builds the next checkpoint's state on it instead of computing the whole
// chain of states again from the first (docs/protocol.md §14.1: each state is built on the one
// before). A named value holds at most 1 MiB, so the state is written in parts, the parts first
// and the header naming them last. What is read back is a cache: it is used only when its root
// and size are the ones the checkpoint states, so a torn write or damage costs a recomputation,
// never a wrong state.
import * as v from 'valibot';
import { decodeCanonical, encodeCanonical } from '../codec/cbor.ts';
import { txIdOf, type TxId } from '../ids.ts';
import type { LogStore } from './port.ts';
import { concat, fromHex } from '../bytes.ts';

/** The name the latest certified state is kept under; a base (engine/fastForward.ts) has others. */
export const CERTIFIED_STATE = 'certified-state';
const partKey = (name: string, i: number) => `${name}-${i}`;
/** Half the store's bound on a named value. */
export const STATE_PART_BYTES = 512 * 1024;

const headerSchema = v.strictObject({
  v: v.literal(1),
  id: v.pipe(v.instance(Uint8Array), v.length(32)),
  size: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  parts: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
});

export type StateStore = Pick<LogStore, 'putMeta' | 'getMeta'>;

/** Saves the state of checkpoint `id`. */
export async function saveCheckpointState(
  store: StateStore,
  id: TxId,
  bytes: Uint8Array,
  name = CERTIFIED_STATE,
): Promise<void> {
  const parts = Math.max(1, Math.ceil(bytes.length / STATE_PART_BYTES));
  for (let i = 0; i < parts; i++)
    await store.putMeta(
      partKey(name, i),
      bytes.slice(i * STATE_PART_BYTES, (i + 1) * STATE_PART_BYTES),
    );
  await store.putMeta(name, encodeCanonical({ v: 1, id: fromHex(id), size: bytes.length, parts }));
}

/** The saved state and the checkpoint it is of, or null when none can be read. Never throws. */
export async function loadCheckpointState(
  store: StateStore,
  name = CERTIFIED_STATE,
): Promise<{ readonly id: TxId; readonly bytes: Uint8Array } | null> {
  try {
    const raw = await store.getMeta(name);
    if (!raw) return null;
    const decoded = decodeCanonical(raw, 256);
    const header = decoded.ok ? v.safeParse(headerSchema, decoded.value) : null;
    if (!header?.success) return null;
    const { id, size, parts } = header.output;
    if (parts !== Math.max(1, Math.ceil(size / STATE_PART_BYTES))) return null;
    // The parts are read before anything is allocated: a damaged header's size means nothing.
    const read: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; i < parts; i++) {
      const part = await store.getMeta(partKey(name, i));
      if (!part || total + part.length > size) return null;
      read.push(part);
      total += part.length;
    }
    return total === size ? { id: txIdOf(id), bytes: concat(...read) } : null;
  } catch {
    return null;
  }
}
