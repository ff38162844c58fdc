// The DNEC market's host and ports (engine/market/market.ts). The market has effects only
// through these: the engine it acts for (its `act`, ledger, identity and SSK session), the
// clock, random and timer ports every engine module gets, and two of its own:
//
//   work      pow and compute off the caller's thread   Node: node/platform/nodeWork.ts (worker
//                                                       threads); browser: renderer/runtime/work.ts
//   reveals   the consumer's selection secrets, durable  Node: node/platform/nodeReveals.ts
//                                                       (reveals.json); browser:
//                                                       renderer/platform/metaReveals.ts (the
//                                                       log store's meta values)
import type { ComputeJob } from '../../shared/dnec/compute.ts';
import type { PowJob } from '../../shared/dnec/pow.ts';
import type { CborValue } from '../../shared/codec/cbor.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { UnsignedTx } from '../../shared/tx/envelope.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import type { Within } from '../../shared/wallet/market.ts';
import type { Compose } from '../events.ts';
import type { ClockPort, RandomPort, TimerPort } from '../ports.ts';
import type { SskSession } from '../ssk.ts';

export interface ComputeRun {
  readonly output: Uint8Array;
  /** computeResultHash(output): what the delivery publishes. */
  readonly hash: Uint8Array;
}

/** Machine work, off the thread the engine runs on. */
export interface WorkRunner {
  /** Finds a nonce; onProgress gets the hashes tried so far, about every chunk. */
  pow(job: PowJob, onProgress?: (tried: number) => void): Promise<Uint8Array>;
  compute(job: ComputeJob): Promise<ComputeRun>;
}

/**
 * The consumer's selection secrets (docs/dnec-selection.md). `save` resolves only once the
 * secret is durable: the market publishes the commitment after it, so a crash cannot lose it.
 */
export interface RevealPort {
  save(commitment: Uint8Array, reveal: Uint8Array): Promise<void>;
  /** The secret for a commitment, or undefined when it is not on this device. */
  load(commitment: Uint8Array): Promise<Uint8Array | undefined>;
}

/** What the market acts for: PeerEngine (and so node's Peer and the browser's NetworkRuntime). */
export interface MarketEngine {
  /** The identity that signs here, or null: the market then refuses actions and automates nothing. */
  readonly address: KeyHex | null;
  /** The ledger once the log is replayed. */
  readonly ledger: Ledger | null;
  ready(): Promise<Ledger>;
  /** Null when SSK is not available: sensitive fields and sealed deliveries are refused. */
  readonly ssk: SskSession | null;
  act<T extends { ok: true; tx: UnsignedTx }>(
    compose: Compose<T>,
  ): Promise<{ composed: T; tx: VerifiedTx } | null>;
}

export interface MarketPorts {
  readonly clock: ClockPort;
  readonly random: RandomPort;
  readonly timers: TimerPort;
  readonly work: WorkRunner;
  readonly reveals: RevealPort;
}

export type MarketEvent =
  | { readonly kind: 'accepted' | 'declined' | 'revealed'; readonly request: TxId }
  | {
      readonly kind: 'delivered';
      readonly request: TxId;
      /** How the machine work went (hashes, milliseconds), for logs. */
      readonly detail?: string;
    }
  | { readonly kind: 'settled'; readonly request: TxId; readonly outcome: string }
  | { readonly kind: 'verdict'; readonly request: TxId; readonly pass: boolean }
  | {
      readonly kind: 'failed';
      readonly request: TxId;
      readonly action: MarketAction;
      readonly message: string;
    };

/** What the automation does on its own, and may report failing at. */
export type MarketAction = 'settle' | 'reveal' | 'respond' | 'work' | 'verdict';

export interface Automation {
  /** Services provided automatically (machine work for pow and compute). */
  readonly provide: readonly string[];
  /** Give verdicts on pow and compute deliveries when selected. */
  readonly validate: boolean;
}

export interface MarketOptions {
  readonly automation?: Automation;
  /** How often the automation looks again when nothing arrives (deadlines pass on their own). */
  readonly intervalMs?: number;
  /** After the market's own state changed (work progress, an event). */
  readonly onChange?: () => void;
  readonly onEvent?: (event: MarketEvent) => void;
  /** A pass that failed outside any one instance (it is tried again on the next). */
  readonly onWarning?: (message: string) => void;
}

export interface WorkProgress {
  readonly request: TxId;
  readonly kind: 'pow' | 'compute';
  /** Hashes tried (pow); 0 for compute, which reports only when done. */
  readonly done: number;
  /** Expected hashes (pow) or the job's cost; the search may take more or fewer. */
  readonly expected: number;
}

export interface NegotiationInput {
  readonly service: string;
  readonly volume: bigint;
  readonly maxRate?: bigint;
  readonly minReputation?: number;
  readonly exclude?: readonly KeyHex[];
  /** Validators wanted (m); 0 when absent. */
  readonly validators?: number;
  /** Each validator's fee; 0 when absent. */
  readonly fee?: bigint;
  /** Verdicts that decide (k of m); the smallest majority when absent. */
  readonly k?: number;
}

export interface RequestInput extends NegotiationInput {
  readonly job: Record<string, CborValue>;
  /** Without a provider, negotiation picks the recommended one. */
  readonly provider?: KeyHex;
  /** Seconds from now to each deadline: accept, deliver, review, evaluate. */
  readonly within?: Within;
  /** Sensitive form fields: sealed for the provider with SSK (a key is shared first if needed). */
  readonly sensitive?: Readonly<Record<string, string>>;
}
