// Which link a peer asks for what it lacks, and what it forwards to each link. Our y-webrtc
// patch (patches/y-webrtc+10.3.0.patch) calls this, given as the provider option `syncPolicy`.
//
// Unpatched, y-webrtc asks every link for what it lacks (sync step 1, with its state vector)
// the moment the link opens, and forwards every update it applies to every other link. A joiner
// meeting five holders therefore received the whole doc five times, and sent each holder the
// docs of the others, which they had (bench s9: 9.6× the bytes of a join from one holder).
//
// - One ask at a time. A link that opens while another's answer (sync step 2) is awaited waits,
//   and is asked once that answer came, the link closed, or `stallMs` passed; it is then asked
//   with the state vector the peer has by then, so it sends only what the first did not.
// - Forward only what a link lacks, for large updates (the bulk of a sync; live ones of up to
//   LIVE_UPDATE_BYTES go to every link as they are). None goes to a link before it asks (the
//   answer to its ask carries everything it lacks then). Each link's state vector is learnt from its ask,
//   and kept up to date with the updates that went either way; an update is cut to what the
//   link lacks (Y.diffUpdate), and not sent at all when that is nothing.
//
// Why the second is safe: the vector kept for a link never claims more than the link holds.
// Its ask states what it held. An update that link sent, it holds. An update we sent it, it
// holds once applied, and we count it only where it continues what the link held for that
// client (an update from a Yjs transaction is one run of clocks per client: [before, after)),
// so it applies whole. Cutting by a vector that claims no more than the link holds never
// withholds anything it lacks. (A link whose screen refused our message would break that; the
// screens of two honest peers agree, and a new connection asks again in full.)
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { answerPieces, PIECE_BYTES } from './syncPieces.ts';

/** y-protocols' sync message types. */
const STEP1 = 0;
const STEP2 = 1;
const UPDATE = 2;
/** An update with no structs and no deletions: what Y.diffUpdate gives when nothing is new. */
const EMPTY_UPDATE_BYTES = 2;

/** How long an ask may go unanswered before the next link is asked anyway. */
export const SYNC_STALL_MS = 15_000;
/** Updates up to this size are live traffic: sent to every link as they are (see outgoing). */
export const LIVE_UPDATE_BYTES = 64 * 1024;
/** How long a link may go without asking before it is sent every update again. */
export const UNASKED_MS = 2 * SYNC_STALL_MS;
/**
 * A link's state vector with more clients than this is not kept (the link is then treated as
 * unknown, and sent everything, as unpatched y-webrtc does): an ask may be as large as a
 * message, and what a link states must not hold our memory for as long as it stays connected.
 */
export const MAX_KEPT_CLIENTS = 100_000;

interface LinkState {
  /** Whether the link has asked us for what it lacks (sync step 1). */
  asked: boolean;
  /** What the link holds, as far as we know; null until it asked, or when it is too large. */
  vector: Map<number, number> | null;
  /** Cancels the safety net's timer (see connected). */
  stopWaiting?: () => void;
  /** Whether it said it opened (see connected). */
  opened?: boolean;
  /** Whether we asked it already, inside our answer to its early ask (see answer). */
  askedEarly?: boolean;
}

export interface SyncPolicyOptions {
  readonly after: (ms: number, callback: () => void) => () => void;
  readonly stallMs?: number;
  /** Live updates, sent as they are: LIVE_UPDATE_BYTES unless a test wants every update cut. */
  readonly liveBytes?: number;
  /** The size of an answer's pieces (syncPieces.ts): PIECE_BYTES unless a test wants more. */
  readonly pieceBytes?: number;
}

export class SyncPolicy {
  // Weak: a message that arrives after a link closed must not keep its state alive.
  readonly #links = new WeakMap<object, LinkState>();
  readonly #waiting: Array<{ link: object; ask: () => void }> = [];
  readonly #options: SyncPolicyOptions;
  #asking: { readonly link: object; stop: () => void } | null = null;
  /** Whether our asks wait (hold): links that open are queued and asked on release. */
  #held = false;
  /** Updates cut or left out because the link had them, and the bytes saved (tests read it). */
  readonly saved = { updates: 0, bytes: 0 };

  constructor(options: SyncPolicyOptions) {
    this.#options = options;
  }

  /**
   * Holds our asks until release: links that open wait in the queue, and no ask goes inside an
   * answer either. A newcomer weighing a certified state holds them in the network's room, so
   * that no holder sends it the whole history it may not need (engine/askHold.ts). Their asks
   * of us are answered as ever.
   */
  hold(): void {
    this.#held = true;
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#next();
  }

  /** A link opened: `ask` sends it our sync step 1, now or once the ask before it is answered. */
  connected(link: object, ask: () => void): void {
    // Its ask may have come first: simple-peer can hand on data before it says 'connect'.
    let state = this.#links.get(link);
    if (!state) this.#links.set(link, (state = { asked: false, vector: null }));
    // A safety net: a link that has not asked in this long is sent everything from then on, as
    // unpatched y-webrtc would, so that no link goes without our updates for good.
    const known = state;
    known.opened = true;
    known.stopWaiting = this.#options.after(UNASKED_MS, () => {
      known.asked = true;
    });
    if (known.askedEarly) return;
    this.#waiting.push({ link, ask });
    this.#next();
  }

  closed(link: object): void {
    this.#links.get(link)?.stopWaiting?.();
    this.#links.delete(link);
    const queued = this.#waiting.findIndex((w) => w.link === link);
    if (queued >= 0) this.#waiting.splice(queued, 1);
    if (this.#asking?.link === link) this.#release();
  }

  /**
   * A sync message arrived from `link`: `message` is the rest of it after the message type
   * (the sync type, then its payload). Never throws: a message y-protocols cannot read is its
   * concern, and it learns us nothing.
   */
  received(link: object, message: Uint8Array): void {
    try {
      const decoder = decoding.createDecoder(message);
      const kind = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      let state = this.#links.get(link);
      if (!state) this.#links.set(link, (state = { asked: false, vector: null }));
      if (kind === STEP1) {
        state.asked = true;
        state.vector = keptVector(payload);
      }
      if (kind === UPDATE && state.vector) advance(state.vector, payload);
      // An answer in pieces is still coming: the ask has not stalled.
      if (kind === UPDATE && this.#asking?.link === link) this.#restartStall();
      // The answer is applied after this returns (y-protocols reads it next): the next link
      // is asked once it is, so that our ask carries what the answer brought.
      if (kind === STEP2 && this.#asking?.link === link) this.#afterAnswer(link);
    } catch {
      // Unreadable: y-protocols refuses it on its own; we keep what we knew.
    }
  }

  /**
   * Our answer to `link`'s ask, when `message` is one: sync messages (what follows the message
   * type) of the pieces of what it lacks, each an update, the last the answer (sync step 2);
   * null for any other message, which y-protocols handles as it does. Call after `received`.
   */
  answer(link: object, doc: Y.Doc, message: Uint8Array): Uint8Array[] | null {
    let vector: Map<number, number>;
    try {
      const decoder = decoding.createDecoder(message);
      if (decoding.readVarUint(decoder) !== STEP1) return null;
      vector = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
    } catch {
      return null;
    }
    const pieces = answerPieces(doc, vector, this.#options.pieceBytes ?? PIECE_BYTES);
    const kept = this.#links.get(link)?.vector;
    const messages = pieces.map((piece, i) => {
      // The link holds each piece once it applied it: they continue what it stated, in order.
      if (kept) advance(kept, piece);
      return syncMessage(i === pieces.length - 1 ? STEP2 : UPDATE, piece);
    });
    const early = this.#askEarly(link, doc);
    return early ? [early, ...messages] : messages;
  }

  /**
   * Our ask, to go before our answer, when `link` asked before it said it opened: simple-peer
   * can hand on data before 'connect'. Asked only after, our ask would reach the link after
   * the last piece of our answer, and the link learns how much it is getting (its progress
   * total, see progress) only from our ask. Asked only when no other ask is out, to keep one
   * at a time; null when not.
   */
  #askEarly(link: object, doc: Y.Doc): Uint8Array | null {
    const state = this.#links.get(link);
    if (!state || state.opened || state.askedEarly || this.#asking || this.#held) return null;
    state.askedEarly = true;
    this.#asking = { link, stop: this.#stallTimer(link) };
    return syncMessage(STEP1, Y.encodeStateVector(doc));
  }

  /**
   * How far the answer we await has come: of the structs the link we asked said it holds
   * (in its own ask), how many we hold now (`ownVector`, read only when needed). Null when no ask is outstanding, the link has not
   * said, or nothing is missing. A link may state what it likes; this only feeds a progress bar.
   */
  progress(ownVector: () => ReadonlyMap<number, number>): { done: number; total: number } | null {
    const link = this.#asking?.link;
    const theirs = link === undefined ? null : this.#links.get(link)?.vector;
    if (!theirs) return null;
    // Read only now: this is asked after every applied update, and mostly no ask is out.
    const own = ownVector();
    let done = 0;
    let total = 0;
    for (const [client, clock] of theirs) {
      total += clock;
      done += Math.min(clock, own.get(client) ?? 0);
    }
    return done < total ? { done, total } : null;
  }

  /** What of `update` to send `link`: all of it, the part it lacks, or null for nothing. */
  outgoing(link: object, update: Uint8Array): Uint8Array | null {
    // A live update (a transaction, a vote) goes to every link as it is: cutting it saves
    // little, and measured, it made propagation slower (bench s3, p50 about 2x; not yet
    // understood). The bulk of a sync is what must not travel twice.
    if (update.length <= (this.#options.liveBytes ?? LIVE_UPDATE_BYTES)) return update;
    const state = this.#links.get(link);
    // A link that has not asked yet will, and our answer then carries everything it lacks, once.
    if (state && !state.asked) return null;
    const vector = state?.vector;
    if (!vector) return update;
    // Cut by the link's clocks for the clients this update has: the cost follows the update,
    // not the size of the link's whole vector.
    const { from } = Y.parseUpdateMeta(update);
    const relevant = new Map<number, number>();
    for (const client of from.keys()) relevant.set(client, vector.get(client) ?? 0);
    const part = Y.diffUpdate(update, Y.encodeStateVector(relevant));
    if (part.length < update.length) {
      this.saved.updates++;
      this.saved.bytes += update.length - part.length;
    }
    if (part.length <= EMPTY_UPDATE_BYTES) return null;
    advance(vector, part);
    return part;
  }

  #next(): void {
    if (this.#asking || this.#held) return;
    const first = this.#waiting.shift();
    if (!first) return;
    this.#asking = { link: first.link, stop: this.#stallTimer(first.link) };
    first.ask();
  }

  /** After `stallMs` without a word of the answer, the next link is asked anyway. */
  #stallTimer(link: object): () => void {
    return this.#options.after(this.#options.stallMs ?? SYNC_STALL_MS, () => {
      if (this.#asking?.link === link) this.#release();
    });
  }

  #restartStall(): void {
    const asking = this.#asking;
    if (!asking) return;
    asking.stop();
    asking.stop = this.#stallTimer(asking.link);
  }

  #afterAnswer(link: object): void {
    this.#options.after(0, () => {
      if (this.#asking?.link === link) this.#release();
    });
  }

  #release(): void {
    this.#asking?.stop();
    this.#asking = null;
    this.#next();
  }
}

function syncMessage(kind: number, update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, kind);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

function keptVector(payload: Uint8Array): Map<number, number> | null {
  const vector = Y.decodeStateVector(payload);
  return vector.size > MAX_KEPT_CLIENTS ? null : vector;
}

/** Counts `update` into `vector` for each client whose run of clocks continues what it held. */
function advance(vector: Map<number, number>, update: Uint8Array): void {
  const { from, to } = Y.parseUpdateMeta(update);
  for (const [client, start] of from) {
    const held = vector.get(client) ?? 0;
    const end = to.get(client) ?? start;
    if (start <= held && end > held) vector.set(client, end);
  }
}
