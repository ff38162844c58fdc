// A peer's base (docs/protocol.md §14.10): the certified state it started from, taken from the
// snapshot room's best offer that checks out, kept beside its log, and read back at each start.
// engine/fastForward.ts holds the snapshot room's side of it.
import type { SignatureVerifier } from '../shared/crypto/ed25519.ts';
import {
  checkCertificate,
  decodeCertificate,
  type Certificate,
} from '../shared/ledger/certificate.ts';
import { checkpointOf } from '../shared/ledger/checkpoints.ts';
import { fromCertified, type FastForwardOptions } from '../shared/ledger/fastForward.ts';
import type { CutCover } from '../shared/ledger/cutCover.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
import {
  assembleState,
  MAX_SNAPSHOT_STATE_BYTES,
  type OfferedSnapshot,
} from '../shared/replication/snapshotDoc.ts';
import {
  loadCheckpointState,
  saveCheckpointState,
  type StateStore,
} from '../shared/storage/checkpointState.ts';
import type { GenesisBody } from '../shared/tx/genesis.ts';
import type { VerifiedTx } from '../shared/tx/registry.ts';
import { registry } from './intake.ts';

const BASE_STATE = 'base-state';
const BASE_CERTIFICATE = 'base-certificate';

/** The certified state a peer started from. */
export interface Base {
  readonly n: number;
  readonly certificate: Certificate;
  readonly certificateBytes: Uint8Array;
  readonly state: Uint8Array;
}

export type Taken =
  | { readonly ledger: Ledger; readonly base: Base; readonly cover: CutCover }
  | { readonly ledger: null; readonly refusals: readonly string[] };

/** The ledger of the highest offer that checks out, or why none did. Never throws. */
export async function takeOffer(
  genesis: VerifiedTx,
  offers: readonly OfferedSnapshot[],
  verifier: SignatureVerifier,
  against: Pick<FastForwardOptions, 'holds' | 'newerThan'> = {},
  pause: () => Promise<void> = () => Promise.resolve(),
): Promise<Taken> {
  const refusals: string[] = [];
  for (const offer of offers) {
    const taken = await take(genesis, offer, verifier, against, pause);
    if (typeof taken !== 'string') return taken;
    refusals.push(`checkpoint ${offer.n}: ${taken}`);
  }
  return { ledger: null, refusals };
}

async function take(
  genesis: VerifiedTx,
  offer: OfferedSnapshot,
  verifier: SignatureVerifier,
  against: Pick<FastForwardOptions, 'holds' | 'newerThan'>,
  pause: () => Promise<void>,
): Promise<{ ledger: Ledger; base: Base; cover: CutCover } | string> {
  if (genesis.type !== 'genesis') return 'the genesis is not one';
  const decoded = await decodeCertificate(offer.certificate, registry, verifier);
  if (!decoded.ok) return decoded.error;
  const checked = checkCertificate(genesis as VerifiedTx<GenesisBody>, decoded.value);
  if (!checked.ok) return checked.error;
  if (checked.value.n !== offer.n)
    return `it is offered as checkpoint ${offer.n}, and it is ${checked.value.n}`;
  const state = assembleState(offer, checked.value.size);
  if (!state) return `its state (${checked.value.size} bytes) is not all there`;
  // Reading the state is one long step: on a page it shares the thread with the UI, so it gets
  // a task of its own rather than running on from whatever brought the offer.
  await pause();
  const started = fromCertified(
    genesis as VerifiedTx<GenesisBody>,
    registry,
    decoded.value,
    state,
    { ...against, maxBytes: MAX_SNAPSHOT_STATE_BYTES },
  );
  if (!started.ok) return started.error;
  await pause();
  const base = {
    n: started.n,
    certificate: decoded.value,
    certificateBytes: offer.certificate,
    state,
  };
  return { ledger: started.ledger, base, cover: started.cover };
}

/**
 * A peer's base, as a start of its ledger (engine/logReplay.ts's LedgerStart); `onCover` learns
 * what its cut covers once the state is read.
 */
export function startFromBase(
  base: Base,
  onCover: (cover: CutCover) => void = () => undefined,
): (genesis: VerifiedTx) => Ledger | string {
  return (genesis) => {
    if (genesis.type !== 'genesis') return 'the genesis is not one';
    const started = fromCertified(
      genesis as VerifiedTx<GenesisBody>,
      registry,
      base.certificate,
      base.state,
      { maxBytes: MAX_SNAPSHOT_STATE_BYTES },
    );
    if (!started.ok) return started.error;
    onCover(started.cover);
    return started.ledger;
  };
}

/** Keeps the base beside the log: the state first, the certificate (what names it) last. */
export async function saveBase(store: StateStore, base: Base): Promise<void> {
  const id = base.certificate.checkpoint.id;
  await saveCheckpointState(store, id, base.state, BASE_STATE);
  await saveCheckpointState(store, id, base.certificateBytes, BASE_CERTIFICATE);
}

/**
 * The base kept beside the log: null when the peer has none, a sentence when it has one that
 * cannot be read (then the history before it comes from the members again). Never throws.
 */
export async function loadBase(
  store: StateStore,
  verifier: SignatureVerifier,
): Promise<Base | string | null> {
  const certificate = await loadCheckpointState(store, BASE_CERTIFICATE);
  if (!certificate) return null;
  const state = await loadCheckpointState(store, BASE_STATE);
  if (!state || state.id !== certificate.id) return 'its saved state is not whole';
  const decoded = await decodeCertificate(certificate.bytes, registry, verifier);
  if (!decoded.ok) return decoded.error;
  const record = checkpointOf(decoded.value.checkpoint);
  if (!record) return 'its certificate names no checkpoint';
  return {
    n: record.n,
    certificate: decoded.value,
    certificateBytes: certificate.bytes,
    state: state.bytes,
  };
}
