// The witnesses' part of the validator draw (docs/protocol.md §11.5, docs/dnec-selection.md).
//
// A consumer and a provider who collude know both inputs of the commit-reveal seed, so alone it
// lets them try accepts offline until the committee suits them. In a network whose genesis asks
// for it (`witnessedDraw`), each witness adds randomness that neither party can know when the
// accept is signed: a `beacon` transaction on its chain carrying an ECVRF proof over the
// accept's id (shared/crypto/vrf.ts). A VRF output is unique for a key and an input, so a
// witness can withhold its output but never choose it.
//
// Which outputs count is decided by witness time, as every deadline is (witnessTime.ts): a
// witness's beacon counts when a quorum of witnesses saw it by the delivery deadline, and not
// when n − q + 1 closed views did not. The draw is decided once every witness's beacon is
// decided either way, so a beacon withheld, or a witness offline, only delays the draw until the
// witnesses date their views past the delivery deadline (they tick there). Every peer reaches
// the same set from any evidence that decides it, for the reason every sighting does.
import { concat, fromHex, utf8 } from '../bytes.ts';
import { vrfOutput } from '../crypto/vrf.ts';
import type { KeyHex, TxId } from '../ids.ts';
import type { Tx } from '../tx/envelope.ts';
import type { LedgerReader } from '../tx/types.ts';
import type { BeaconBody } from './bodies.ts';
import { idOf, type MarketIndex, type RequestInfo } from './market.ts';
import { sighting, type Evidence } from './witnessTime.ts';

export const BEACON_DOMAIN = 'GPoW/P/beacon/v1';
const BEACON_DOMAIN_BYTES = utf8(BEACON_DOMAIN);

/** One witness's output in a draw: its key and the 64-byte VRF output. */
export interface Beacon {
  readonly witness: KeyHex;
  readonly output: Uint8Array;
}

/** What a witness proves its VRF over for an accept: the domain, then the accept's id. */
export function beaconAlpha(accept: TxId): Uint8Array {
  return concat(BEACON_DOMAIN_BYTES, fromHex(accept));
}

/** The beacon transactions `witness` signed for `accept` (more than one only on a forked chain). */
export function beaconsBy(
  reader: LedgerReader,
  market: MarketIndex,
  request: RequestInfo,
  accept: TxId,
  witness: KeyHex,
): TxId[] {
  return market.actions(request.id, 'beacon').filter((id) => {
    const tx = reader.valid(id) as Tx<BeaconBody> | undefined;
    return tx?.author === witness && idOf(tx.body.accept) === accept;
  });
}

/**
 * The beacons that count for `accept`'s draw, in witness key order, or undefined while the
 * evidence does not decide every witness's beacon yet. `deadline` is the request's deliverBy.
 */
export function drawOf(
  reader: LedgerReader,
  market: MarketIndex,
  request: RequestInfo,
  accept: TxId,
  evidence: Evidence,
  deadline: number,
): Beacon[] | undefined {
  const out: Beacon[] = [];
  for (const witness of reader.witnesses) {
    const candidates = beaconsBy(reader, market, request, accept, witness);
    const seen = sighting(reader, evidence, candidates, deadline);
    if (seen === undefined) return undefined;
    if ('absent' in seen) continue;
    // Two beacons of one forked witness carry the same output (a VRF's is unique), so whichever
    // the quorum saw gives the same bytes; the rule checked the proof when it was applied.
    const proof = (reader.valid(seen.seen) as Tx<BeaconBody>).body.proof;
    const output = vrfOutput(proof);
    if (output) out.push({ witness, output });
  }
  return out;
}

/** The witnesses whose beacon the draw of `accept` still waits for, with this evidence. */
export function drawWaitingFor(
  reader: LedgerReader,
  market: MarketIndex,
  request: RequestInfo,
  accept: TxId,
  evidence: Evidence,
): KeyHex[] {
  const deadline = request.body.deadlines[1];
  return reader.witnesses.filter(
    (w) =>
      sighting(reader, evidence, beaconsBy(reader, market, request, accept, w), deadline) ===
      undefined,
  );
}
