// The market's reveal port (engine/market/ports.ts) in the browser and the desktop app: the
// secrets in the network's log store, as meta values, so a reload or a crash can still reveal.
// Node's adapter is node/platform/nodeReveals.ts.
import { toHex } from '../../shared/bytes.ts';
import type { LogStore } from '../../shared/storage/port.ts';
import type { RevealPort } from '../../engine/market/ports.ts';

/** Meta keys are at most 64 characters: 57 hex digits of the commitment are plenty. */
const revealKey = (commitment: Uint8Array): string => `reveal-${toHex(commitment).slice(0, 57)}`;

export function metaReveals(store: Pick<LogStore, 'putMeta' | 'getMeta'>): RevealPort {
  return {
    save: (commitment, reveal) => store.putMeta(revealKey(commitment), reveal),
    load: (commitment) => store.getMeta(revealKey(commitment)),
  };
}
