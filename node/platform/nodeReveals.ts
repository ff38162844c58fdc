// The market's reveal port (engine/market/ports.ts) on Node: the secrets in the data
// directory's reveals.json (node/peer/revealStore.ts), by commitment in hex. The browser's
// adapter is renderer/platform/metaReveals.ts.
import { fromHex, toHex } from '../../shared/bytes.ts';
import type { RevealPort } from '../../engine/market/ports.ts';
import { RevealStore } from '../peer/revealStore.ts';

export function nodeReveals(dataDir: string): RevealPort {
  const store = new RevealStore(dataDir);
  return {
    save: (commitment, reveal) => store.save(toHex(commitment), toHex(reveal)),
    async load(commitment) {
      const reveal = (await store.load())[toHex(commitment)];
      return reveal === undefined ? undefined : fromHex(reveal);
    },
  };
}
