// What a person must know about the group, as sentences for every status (docs/protocol.md §13):
// payments stuck for want of witnesses, naming them, re-foundings announced on this network, and
// nobody answering for a while, which after a rotation of the join secret is all an old
// invitation sees (§13.8).
import { fromHex } from '../shared/bytes.ts';
import { encodeAddress } from '../shared/identity/address.ts';
import type { KeyHex } from '../shared/ids.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
import { refoundings, refoundSentence } from '../shared/net/refound.ts';
import { members } from '../shared/wallet/members.ts';
import { finalityDiagnosis, stuckSentence } from '../shared/wallet/witnessReport.ts';
import type { ClockPort } from './ports.ts';
import { FINALITY_CHECK_MS, NOBODY_ANSWERED_MS } from './timing.ts';

export class GroupNotices {
  readonly #clock: ClockPort;
  #finality: { at: number; problem: string | null } | null = null;

  constructor(clock: ClockPort) {
    this.#clock = clock;
  }

  /** The sentences for this ledger now; empty when nothing needs saying. */
  of(ledger: Ledger | null): string[] {
    if (!ledger) return [];
    const stuck = this.#finalityProblem(ledger);
    return [...(stuck ? [stuck] : []), ...refoundings(ledger.indexes).map(refoundSentence)];
  }

  /** Names the witnesses not seen when payments stay pending for want of them (§13.4). */
  #finalityProblem(ledger: Ledger): string | null {
    // It walks the ledger, and a status is asked for often: once every FINALITY_CHECK_MS.
    const now = this.#clock.now();
    if (this.#finality && now - this.#finality.at < FINALITY_CHECK_MS)
      return this.#finality.problem;
    const diagnosis = finalityDiagnosis(ledger, now);
    const problem = diagnosis?.stuck ? stuckSentence(diagnosis, namerOf(ledger)) : null;
    this.#finality = { at: now, problem };
    return problem;
  }
}

/**
 * The sentence for a peer that has reached no member for `unansweredMs` (null: it is connected,
 * or not trying), or null. A peer with the old join secret lands in the right room but nobody
 * can read it, and unless a member happens to announce itself meanwhile (which the signaling
 * check would then name), it just sees no peers: this says why that may be. A peer alone in a
 * network that holds nobody else (a founder before anyone joined) is told nothing.
 */
export function nobodyAnswered(
  unansweredMs: number | null,
  ledger: Ledger | null,
  me: KeyHex | null,
): string | null {
  if (unansweredMs === null || unansweredMs < NOBODY_ANSWERED_MS) return null;
  const minutes = Math.floor(unansweredMs / 60_000);
  const since = minutes <= 1 ? 'a minute' : `${minutes} minutes`;
  if (ledger === null) {
    return (
      `Nobody in this network has answered for ${since}. If no member is online, wait for one; ` +
      'if your invitation is not new, the group may have changed its join secret since it was ' +
      'made (it does after removing a member): ask a member for a new invitation.'
    );
  }
  const self = me === null ? null : ledger.identityOf(me);
  if (!ledger.activeIdentities().some((key) => key !== self)) return null;
  return (
    `No other member has answered for ${since}. If no member is online, wait for one; if you ` +
    'were away for a while, the group may have changed its join secret meanwhile (it does ' +
    'after removing a member): ask a member for a new invitation.'
  );
}

/** A member as a sentence names them: their signed name where they have one, and the address. */
function namerOf(ledger: Ledger): (key: KeyHex) => string {
  const labels = new Map(members(ledger).map((m) => [m.key, m.name === null ? null : m.label]));
  return (key) => {
    const address = encodeAddress(fromHex(key));
    const label = labels.get(key);
    return label ? `${label} (${address})` : address;
  };
}
