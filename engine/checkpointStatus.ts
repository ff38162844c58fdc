// What a peer's status says about checkpoints (docs/protocol.md §14): the latest certified one,
// the ones still waiting for certification, and how often this peer's witness duty proposes
// one. Every peer can say it, witness or not: the ledger indexes checkpoints and knows which
// are final.
import type { KeyHex } from '../shared/ids.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
import { CHECKPOINT_EVERY } from './timing.ts';

export interface CheckpointStatus {
  /** The certified checkpoint with the highest number, or null when there is none yet. */
  readonly latest: {
    readonly n: number;
    /** Hex of the state root: peers that agree print the same. */
    readonly root: string;
    /** Bytes of the compact state. */
    readonly size: number;
    readonly proposer: KeyHex;
  } | null;
  /**
   * Checkpoints numbered above the latest certified that are not certified yet. One whose root
   * is wrong stays here: honest witnesses never certify it.
   */
  readonly pending: number;
  /** Transactions between two checkpoints this peer's witness duty uses; 0: it proposes none. */
  readonly every: number;
}

export function checkpointStatus(ledger: Ledger, every = CHECKPOINT_EVERY): CheckpointStatus {
  const latest = ledger.latestCertified();
  const floor = latest?.n ?? 0;
  const pending = ledger.checkpoints().filter((c) => !c.certified && c.n > floor).length;
  return {
    latest: latest
      ? { n: latest.n, root: latest.root, size: latest.size, proposer: latest.author }
      : null,
    pending,
    every,
  };
}
