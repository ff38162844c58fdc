// The Sync panel's line about checkpoints (docs/protocol.md §14): the latest certified one, with
// its state's size and the start of its root (two peers that agree show the same), and how many
// wait for the witnesses; or, before the first, how often witnesses make one. It says what
// `gpow status` says, from the same engine status, and, for a peer that started from a certified
// checkpoint (§14.10), that the history before it is not held here.
import type { CheckpointStatus } from '../../../engine/checkpointStatus.ts';
import { useI18n } from '../context.tsx';

export function CheckpointLine({
  view,
  base = null,
}: {
  view: CheckpointStatus | null;
  base?: number | null;
}) {
  const { t, tn, number } = useI18n();
  if (view === null) return null;
  const { latest } = view;
  const main = latest
    ? t('sync.checkpoint', {
        n: latest.n,
        // kB as `gpow status` prints them; a state always has some bytes.
        kb: number(BigInt(Math.max(1, Math.round(latest.size / 1000)))),
        root: latest.root.slice(0, 8),
      })
    : view.every > 0
      ? tn('sync.noCheckpoint', view.every, { every: number(BigInt(view.every)) })
      : t('sync.noCheckpointHere');
  return (
    <p className="muted" data-testid="checkpoint">
      {main}
      {view.pending > 0 ? ` ${tn('sync.checkpointsPending', view.pending)}` : null}
      {base !== null ? ` ${t('sync.base', { n: base })}` : null}
    </p>
  );
}
