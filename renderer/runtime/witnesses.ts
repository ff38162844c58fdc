// The engine's witness agent (engine/witnessSets.ts, docs/protocol.md §13) as the app's screens
// use it. The engine proposes and backs; this file only adapts: it previews a change with the
// same planner the engine proposes with, turns refusals into the planner's own sentences, and
// reads the engine's stuck-finality problem back as a diagnosis the UI can put names on. The
// same for membership (§13.7: admitting, removing, closing an open network, all decided as a
// change of the witnesses) and for a new join secret (§13.8, engine/roomKeys.ts).
import type { KeyHex, TxId } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import {
  finalityDiagnosis,
  type ChangeRow as BaseChangeRow,
  type FinalityDiagnosis,
  type WitnessReport as BaseReport,
} from '../../shared/wallet/witnessReport.ts';
import { planWitnessChange, quorumFor, type WitnessChange } from '../../shared/wallet/witnesses.ts';
import type { PeerEngine } from '../../engine/peer.ts';
import type { Rotation } from '../../engine/roomKeys.ts';
import { EngineError } from '../../engine/events.ts';

export type { FinalityDiagnosis, WitnessRow } from '../../shared/wallet/witnessReport.ts';
export type { WitnessChange } from '../../shared/wallet/witnesses.ts';
export type { Rotation } from '../../engine/roomKeys.ts';

/** What a proposed change does to the members (§13.7), beside the witnesses it names. */
export interface MemberEffect {
  /** Identities it admits (for a change that closes the network: everyone who stays). */
  readonly admit: readonly KeyHex[];
  /** Identities it removes from the network. */
  readonly remove: readonly KeyHex[];
  /** It closes an open network. */
  readonly close: boolean;
}

/** A proposed change as the panels show it: the witnesses it makes and what it does to members. */
export type ChangeRow = BaseChangeRow;

export type WitnessReport = BaseReport;

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
  /** What it does to the members: for closing, `admit` is everyone who stays a member. */
  readonly members: MemberEffect;
}

/**
 * A refusal as the one sentence the engine or planner wrote. The engine attaches a rejection
 * code ('invalid-body') to planner refusals; the generic sentence for that code would only
 * hide what the planner says.
 */
function plainRefusal(error: unknown): unknown {
  return error instanceof EngineError ? new EngineError(error.message) : error;
}

/**
 * The witnesses, their last votes and the changes proposed, each with what it does to the
 * members (shared/wallet/witnessReport.ts); null until the ledger arrived.
 */
export function witnessReportOf(host: WitnessHost): WitnessReport | null {
  return host.witnessSets.report();
}

/** Who may sign in this network now (§13.7), as the Members panel shows it. */
export interface MemberStatus {
  /** A closed network: only its members (and its witnesses) sign. */
  readonly closed: boolean;
  /** Identities removed by a change and not admitted again. */
  readonly removed: ReadonlySet<KeyHex>;
  /** Whether an identity may sign now. */
  member(key: KeyHex): boolean;
}

export function memberStatusOf(ledger: Ledger): MemberStatus {
  const { membership } = ledger.epochs.open;
  return {
    closed: membership.closed,
    removed: membership.removed,
    member: (key) => ledger.mayActNow(key),
  };
}

/** Checks a change by the planner the engine proposes with; throws its refusal sentence. */
export function previewChange(ledger: Ledger, me: KeyHex, change: WitnessChange): ChangePreview {
  const planned = planWitnessChange(ledger, me, change);
  if (!planned.ok) throw new EngineError(planned.rejection.message);
  const { before, witnesses, admit, remove, close } = planned.plan;
  return {
    change,
    before,
    after: witnesses,
    needed: quorumFor(before),
    quorumAfter: quorumFor(witnesses),
    members: { admit, remove, close },
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
 * Makes a new join secret (§13.8) as this witness: sealed to every member's devices, so that
 * each moves there; an older invitation then reaches nobody. The platform keeps the secret (the
 * app's store hears of it at once), so an invitation made from now on carries it.
 */
export async function rotateJoinSecret(host: Pick<PeerEngine, 'roomKeys'>): Promise<Rotation> {
  try {
    return await host.roomKeys.rotate();
  } catch (error) {
    throw plainRefusal(error);
  }
}

/** Whether this key may make a new join secret now: a witness of the current set. */
export function mayRotate(ledger: Ledger | null, me: KeyHex | null): boolean {
  return ledger !== null && me !== null && ledger.isWitnessNow(me);
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
