// Which replication epochs a peer opens (docs/protocol.md §14.11, engine/epochs.ts): at start,
// the one of its latest certified checkpoint and the one before; later, the next one its ledger
// certifies. Each comes with the cover of its checkpoint's cut (shared/ledger/cutCover.ts),
// extended from the one below so that only what each cut adds is walked.
import { CutCover } from '../shared/ledger/cutCover.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
import { parentsOf } from '../shared/ledger/validate.ts';
import type { VerifiedTx } from '../shared/tx/registry.ts';

/** An epoch to open: its number and the cover of its checkpoint's cut. */
export interface EpochPlan {
  readonly n: number;
  readonly cover: CutCover;
}

/** The certified checkpoint numbered `n` (the lowest id among equals), if the ledger has one. */
function certifiedAt(ledger: Ledger, n: number): VerifiedTx | undefined {
  const ids = ledger
    .checkpoints()
    .filter((c) => c.certified && c.n === n)
    .map((c) => c.id)
    .sort();
  const id = ids[0];
  return id === undefined ? undefined : (ledger.get(id) as VerifiedTx | undefined);
}

/**
 * The epochs a peer opens at start: the one of its latest certified checkpoint and the one
 * before (for peers a checkpoint behind), each with the cover of its cut. `base` is the
 * checkpoint a peer started from and its cover: nothing below it can be opened.
 */
export function planEpochs(
  ledger: Ledger,
  base: EpochPlan | null,
): { plan: EpochPlan[]; problem?: string } {
  const floor = base ?? { n: 0, cover: CutCover.none };
  const latest = Math.max(ledger.latestCertified()?.n ?? 0, floor.n);
  if (latest === floor.n) return { plan: [floor] };
  const steps = [floor];
  for (const n of latest - 1 > floor.n ? [latest - 1, latest] : [latest]) {
    const checkpoint = certifiedAt(ledger, n);
    const below = steps[steps.length - 1] as EpochPlan;
    const cover = checkpoint ? below.cover.extend(ledger, parentsOf(checkpoint)) : null;
    if (cover === null || typeof cover === 'string')
      return {
        plan: [below],
        problem: `The replication room of checkpoint ${n} cannot be opened (${cover ?? 'it is not certified here'}); this peer stays in the room of checkpoint ${below.n}.`,
      };
    steps.push({ n, cover });
  }
  return { plan: steps.slice(-2) };
}

/** The plan of moving on to the latest certified checkpoint, when it is above `from`. */
export function nextEpoch(ledger: Ledger, from: EpochPlan): EpochPlan | string | null {
  const latest = ledger.latestCertified();
  if (!latest || latest.n <= from.n) return null;
  const checkpoint = ledger.get(latest.id) as VerifiedTx | undefined;
  if (!checkpoint) return null;
  const cover = from.cover.extend(ledger, parentsOf(checkpoint));
  return typeof cover === 'string' ? cover : { n: latest.n, cover };
}
