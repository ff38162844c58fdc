// Checkpoints on the command line (docs/protocol.md §14): `gpow run --checkpoint-every N`, and
// the line `gpow status` prints about them.
import * as v from 'valibot';
import type { CheckpointView } from '../../shared/control/contract.ts';
import { CliError } from './home.ts';

/** A whole number of transactions; the cap keeps it a safe integer with room to count. */
const everySchema = v.pipe(
  v.string(),
  v.regex(/^[0-9]{1,12}$/),
  v.transform(Number),
  v.safeInteger(),
);

/** The --checkpoint-every a person typed, or a sentence saying what it must be. */
export function checkpointEveryOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const parsed = v.safeParse(everySchema, text.trim());
  if (!parsed.success)
    throw new CliError(
      `--checkpoint-every must be a whole number of transactions (0 for no checkpoints), not "${text}"`,
    );
  return parsed.output;
}

/** `--prune-after N`: records a prune must drop, at least 1. */
export function pruneAfterOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const parsed = v.safeParse(everySchema, text.trim());
  if (!parsed.success || parsed.output < 1)
    throw new CliError(
      `--prune-after must be a whole number of records, at least 1, not "${text}"`,
    );
  return parsed.output;
}

/** Bytes as a person reads them: 512 bytes, 218 kB, 4.2 MB. */
export function sizeText(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  if (bytes < 1_000_000) return `${Math.round(bytes / 1000)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** `Checkpoint 3 certified (state 218 kB, root 4f2a91c0…), 1 pending`, or why there is none. */
export function checkpointLine(view: CheckpointView | null | undefined): string {
  if (!view) return 'No checkpoint yet (no genesis yet)';
  const pending = view.pending > 0 ? `, ${view.pending} pending` : '';
  const { latest } = view;
  if (latest)
    return `Checkpoint ${latest.n} certified (state ${sizeText(latest.size)}, root ${latest.root.slice(0, 8)}…)${pending}`;
  const when =
    view.every > 0
      ? `witnesses make one every ${view.every.toLocaleString('en')} transactions`
      : 'this peer proposes none: --checkpoint-every 0';
  return `No checkpoint yet (${when})${pending}`;
}
