// The engine's witness agent (engine/witnessSets.ts, docs/protocol.md §13) as the app's screens
// use it. The engine proposes and backs; this file only adapts: it previews a change with the
// same planner the engine proposes with, turns refusals into the planner's own sentences, and
// reads the engine's stuck-finality problem back as a diagnosis the UI can put names on.
import type { KeyHex, TxId } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import {
  finalityDiagnosis,
  type FinalityDiagnosis,
  type WitnessReport,
} from '../../shared/wallet/witnessReport.ts';
import { planWitnessChange, quorumFor, type WitnessChange } from '../../shared/wallet/witnesses.ts';
import type { PeerEngine } from '../../engine/peer.ts';
import { EngineError } from '../../engine/events.ts';

export type {
  ChangeRow,
  FinalityDiagnosis,
  WitnessReport,
  WitnessRow,
} from '../../shared/wallet/witnessReport.ts';
export type { WitnessChange } from '../../shared/wallet/witnesses.ts';

/** What the UI needs of a peer: its ledger, its clock, and the witness agent. */
type WitnessHost = Pick<PeerEngine, 'ledger' | 'ports' | 'witnessSets'>;

/** What a change would do, as its confirmation step says it. */
export interface ChangePreview {
  readonly change: WitnessChange;
  readonly before: readonly KeyHex[];
  readonly after: readonly KeyHex[];
  /** How many of the current witnesses must back it. */
  readonly needed: number;
  /** The quorum of the set it makes. */
  readonly quorumAfter: number;
}

/**
 * A refusal as the one sentence the engine or planner wrote. The engine attaches a rejection
 * code ('invalid-body') to planner refusals; the generic sentence for that code would only
 * hide what the planner says.
 */
function plainRefusal(error: unknown): unknown {
  return error instanceof EngineError ? new EngineError(error.message) : error;
}

/** The witnesses, their last votes and the changes proposed; null until the ledger arrived. */
export function witnessReportOf(host: WitnessHost): WitnessReport | null {
  return host.witnessSets.report();
}

/** Checks a change by the planner the engine proposes with; throws its refusal sentence. */
export function previewChange(ledger: Ledger, me: KeyHex, change: WitnessChange): ChangePreview {
  const planned = planWitnessChange(ledger, me, change);
  if (!planned.ok) throw new EngineError(planned.rejection.message);
  const { before, witnesses } = planned.plan;
  return {
    change,
    before,
    after: witnesses,
    needed: quorumFor(before),
    quorumAfter: quorumFor(witnesses),
  };
}

/** Proposes the change as this witness (the engine backs it at once); returns its id. */
export async function proposeChange(host: WitnessHost, change: WitnessChange): Promise<TxId> {
  try {
    const { tx } = await host.witnessSets.propose(change);
    return tx.id;
  } catch (error) {
    throw plainRefusal(error);
  }
}

/** Backs another witness's proposal (by id, or a prefix of 8 hex digits or more). */
export function backChange(host: WitnessHost, idOrPrefix: string): void {
  try {
    // This peer's next vote says so: the witness duty casts it.
    host.witnessSets.approve(idOrPrefix);
  } catch (error) {
    throw plainRefusal(error);
  }
}

/**
 * How the engine's stuck-finality problem begins (stuckSentence in
 * shared/wallet/witnessReport.ts; test/renderer/witnesses.test.ts keeps the two in step).
 */
export const STUCK_PREFIX = 'Finality is stuck:';

/**
 * The diagnosis behind the engine's stuck-finality problem, or null when the engine reports
 * none. The engine decides, on its own schedule (it walks the ledger, so not on every change);
 * the diagnosis is recomputed here only then, to name the missing witnesses.
 */
export function stuckFinality(
  host: WitnessHost,
  problems: readonly string[],
): FinalityDiagnosis | null {
  if (!problems.some((problem) => problem.startsWith(STUCK_PREFIX))) return null;
  const ledger = host.ledger;
  return ledger ? finalityDiagnosis(ledger, host.ports.clock.now()) : null;
}
