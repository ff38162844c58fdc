// The engine's ports: everything the peer engine needs from the platform it runs on. The engine
// (this folder) runs anywhere and has effects only through these; node/ and renderer/ hold the
// adapters, named alike on both sides (node/platform/nodeTimers.ts, renderer/platform/webTimers.ts).
//
//   clock, timers, random   time and chance            ClockPort, TimerPort, RandomPort
//   store                   the durable log            LogStore (shared/storage/port.ts)
//   wrtc                    WebRTC                     WrtcLike (shared/replication/guardedWrtc.ts)
//   signer                  the identity's key         EngineSigner (never the key itself)
//   verify                  signature checks, pooled   VerifyPort
//   work, reveals           the DNEC market's ports    WorkRunner, RevealPort (engine/market/ports.ts)
import type { ClockPort, RandomPort } from '../shared/ports.ts';
import type { SignatureVerifier } from '../shared/crypto/ed25519.ts';
import type { KeyHex } from '../shared/ids.ts';
import type { BoxContext, OpenKeyResult } from '../shared/ssk/box.ts';
import type { LogStore } from '../shared/storage/port.ts';
import type { Tx, UnsignedTx } from '../shared/tx/envelope.ts';
import type { WrtcLike } from '../shared/replication/guardedWrtc.ts';

export type { ClockPort, RandomPort } from '../shared/ports.ts';
export type { LogStore } from '../shared/storage/port.ts';
export type { WrtcLike } from '../shared/replication/guardedWrtc.ts';

/** Cancels a timer; calling it twice, or after the timer fired, does nothing. */
export type Cancel = () => void;

/** Timers. The engine never touches setTimeout or setInterval itself. */
export interface TimerPort {
  /** Runs `callback` once after `ms`. */
  after(ms: number, callback: () => void): Cancel;
  /** Runs `callback` every `ms` until cancelled. */
  every(ms: number, callback: () => void): Cancel;
}

/** What signs for the identity. The secret key stays wherever the platform keeps it. */
export interface EngineSigner {
  /** The identity that signs, as the ledger names it. */
  readonly key: KeyHex;
  /** Signs and encodes one transaction. Throws once the signer is locked. */
  sign(unsigned: UnsignedTx): Uint8Array;
  /** Opens an SSK key box sealed to this identity; absent where the platform cannot. */
  openSskBox?(box: Uint8Array, ctx: BoxContext): OpenKeyResult;
  /** Signs raw bytes with `key` (a device authorising a revocation, docs/protocol.md §12). */
  signMessage?(message: Uint8Array): Uint8Array;
  /**
   * The VRF proof (RFC 9381, shared/crypto/vrf.ts) of `alpha` with the key that signs this chain,
   * `key`: its output is unique, so a witness can withhold it but not choose it. Throws once the
   * signer is locked; absent where the platform cannot prove.
   */
  proveVrf?(alpha: Uint8Array): Uint8Array;
  /**
   * The identity's own key, where this platform holds its 24 words: it certifies devices and
   * authorises revocations. On the identity's own chain it is `key` itself; absent on a device
   * that was paired without the words.
   */
  readonly identity?: IdentitySigner;
}

/** Signs raw bytes with the identity's key (never a transaction: devices do not sign its chain). */
export interface IdentitySigner {
  readonly key: KeyHex;
  signMessage(message: Uint8Array): Uint8Array;
}

/**
 * Signature checks. `verifier` checks one at a time on this thread; `verifyTransactions` checks
 * a batch, spread over the platform's threads where it has them (worker threads in Node, Web
 * Workers in the browser), and gives exactly the verdicts one-by-one checks would.
 */
export interface VerifyPort {
  readonly verifier: SignatureVerifier;
  verifyTransactions(txs: readonly Tx[]): Promise<boolean[]>;
  close(): Promise<void>;
}

export interface EnginePorts {
  readonly clock: ClockPort;
  readonly timers: TimerPort;
  readonly random: RandomPort;
  readonly store: LogStore;
  /**
   * Where the replication doc is kept across restarts (engine/replica.ts): a second log of the
   * same kind. Without it, each start exchanges the whole history with every link once.
   */
  readonly replica?: LogStore;
  readonly wrtc: WrtcLike;
  /** Null when this identity cannot sign here: the engine then only follows the ledger. */
  readonly signer: EngineSigner | null;
  readonly verify: VerifyPort;
}

/** What a platform's own timer functions look like (Node's and the browser's agree on this). */
export interface HostTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: never): void;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: never): void;
}

/** The timer port over a platform's own timer functions. */
export function timerPortOf(host: HostTimers): TimerPort {
  return {
    after(ms, callback) {
      const handle = host.setTimeout(callback, ms);
      return () => host.clearTimeout(handle as never);
    },
    every(ms, callback) {
      const handle = host.setInterval(callback, ms);
      return () => host.clearInterval(handle as never);
    },
  };
}
