// What a peer learns from its signaling about its own invitation, and about others'.
//
// Every peer of a network meets in one relay room, named after the network id; what it says
// there is sealed with a key derived from the join secret. So a peer whose invitation has the
// right network id but a wrong secret (one character mistyped, or an old secret) lands in the
// right room and cannot read anyone, and nobody can read it. Our y-webrtc patch drops each such
// message and reports it (a 'signaling' event); this module turns those reports into sentences:
//
// - the peer with the wrong secret hears only messages it cannot open. Once it has heard at
//   least MISMATCH_AFTER of them and not one it could open, its invitation does not match.
// - an honest peer hears its peers, and now and then some it cannot open: someone in the room
//   has a wrong or stale secret. It keeps working, and says so at most once per WARN_EVERY_MS.
//
// A relay cannot tell who sent what it forwards, and nor can we for a message we cannot open,
// so the blame goes to the relay it came through, the only sender we can name.

export interface SignalingReport {
  readonly ok: boolean;
  /** 'announce' or 'signal' when ok; otherwise why it was dropped ('undecryptable', …). */
  readonly reason: string;
  /** The relay it came through. */
  readonly relay: string;
}

/** Messages that must fail to open, with none opening, before an invitation is called wrong. */
export const MISMATCH_AFTER = 2;
export const WARN_EVERY_MS = 60_000;

export const INVITATION_MISMATCH =
  'this invitation is not valid for this network: the members of its room use a different ' +
  'join secret, so no peer can be reached. Ask for a new invitation.';

export class SignalingHealth {
  #readable = 0;
  #dropped = 0;
  #droppedSinceWarning = 0;
  #lastWarningAt = -Infinity;
  readonly #byRelay = new Map<string, number>();

  /**
   * Records one report. Returns a warning to show the user, if one is due: for a peer that can
   * read its room, messages it could not open; never more than once per WARN_EVERY_MS.
   */
  record(report: SignalingReport, now: number): string | null {
    if (report.ok) {
      this.#readable += 1;
      return null;
    }
    this.#dropped += 1;
    this.#droppedSinceWarning += 1;
    this.#byRelay.set(report.relay, (this.#byRelay.get(report.relay) ?? 0) + 1);
    if (this.#readable === 0 || now - this.#lastWarningAt < WARN_EVERY_MS) return null;
    const count = this.#droppedSinceWarning;
    this.#droppedSinceWarning = 0;
    this.#lastWarningAt = now;
    return (
      `dropped ${count} signaling message${count === 1 ? '' : 's'} that could not be read ` +
      `(last one ${report.reason}, through the relay ${report.relay}): someone in this ` +
      `network's room has an invitation that does not match it (a mistyped or old join secret)`
    );
  }

  /** True while everything heard in the room was unreadable: our invitation does not match. */
  get invitationMismatch(): boolean {
    return this.#readable === 0 && this.#dropped >= MISMATCH_AFTER;
  }

  /** The sentence for the user while the invitation does not match, or null. */
  problem(): string | null {
    return this.invitationMismatch ? INVITATION_MISMATCH : null;
  }

  counts(): { readable: number; dropped: number } {
    return { readable: this.#readable, dropped: this.#dropped };
  }
}
