// What a person must know about the group, as sentences for every status (docs/protocol.md §13):
// payments stuck for want of witnesses, naming them, and re-foundings announced on this network.
import { fromHex } from '../shared/bytes.ts';
import { encodeAddress } from '../shared/identity/address.ts';
import type { KeyHex } from '../shared/ids.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
import { refoundings, refoundSentence } from '../shared/net/refound.ts';
import { members } from '../shared/wallet/members.ts';
import { finalityDiagnosis, stuckSentence } from '../shared/wallet/witnessReport.ts';
import type { ClockPort } from './ports.ts';
import { FINALITY_CHECK_MS } from './timing.ts';

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

/** A member as a sentence names them: their signed name where they have one, and the address. */
function namerOf(ledger: Ledger): (key: KeyHex) => string {
  const labels = new Map(members(ledger).map((m) => [m.key, m.name === null ? null : m.label]));
  return (key) => {
    const address = encodeAddress(fromHex(key));
    const label = labels.get(key);
    return label ? `${label} (${address})` : address;
  };
}
