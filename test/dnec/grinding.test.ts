// A simulation of the attack the witnessed draw closes (docs/dnec-selection.md, "Grinding"): a
// consumer and a provider who collude know the reveal, so they can sign accept after accept
// offline and keep the one whose committee suits them. Each trial, the pair wants validator F
// (one of 8) to be the committee of one (chance: 1/8), and tries 64 accepts.
// - With the commit-reveal draw alone (v1) they win almost every time: the attack is real, and
//   this measurement sees it.
// - With the witnesses' beacons (v2) the committee depends on VRF outputs of honest witnesses
//   that do not exist when the accept is chosen: the pair wins at chance.
// - With one colluding witness, who may withhold its beacon after seeing the others, the pair
//   picks the better of two independent draws: at most 1 − (7/8)² (the bound 2^f draws).
// The trials are seeded, so the figures are the same on every run.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../shared/bytes.ts';
import { vrfOutput, vrfProve } from '../../shared/crypto/vrf.ts';
import { publicKeyOf } from '../../shared/crypto/ed25519.ts';
import { beaconAlpha, type Beacon } from '../../shared/dnec/draw.ts';
import { selectValidators, selectionSeed } from '../../shared/dnec/selection.ts';
import { keyHexOf, type KeyHex, type TxId } from '../../shared/ids.ts';
import { mulberry32 } from '../helpers/mulberry32.ts';

const TRIALS = 300;
const TRIES = 64;
const POOL = 8;

function bytesFrom(next: () => number, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
}

const next = mulberry32(20261207);
const pool: KeyHex[] = Array.from({ length: POOL }, () => keyHexOf(bytesFrom(next, 32)));
const target = pool[3] as KeyHex;
const witnesses = Array.from({ length: 4 }, () => bytesFrom(next, 32));
const witnessKey = (secret: Uint8Array) => keyHexOf(publicKeyOf(secret));

function beaconOf(secret: Uint8Array, accept: TxId): Beacon {
  const output = vrfOutput(vrfProve(secret, beaconAlpha(accept))) as Uint8Array;
  return { witness: witnessKey(secret), output };
}

interface Trial {
  readonly request: TxId;
  readonly reveal: Uint8Array;
  readonly accepts: readonly TxId[];
}

function trial(): Trial {
  return {
    request: toHex(bytesFrom(next, 32)) as TxId,
    reveal: bytesFrom(next, 32),
    accepts: Array.from({ length: TRIES }, () => toHex(bytesFrom(next, 32)) as TxId),
  };
}

const committee = (t: Trial, accept: TxId, beacons?: Beacon[]) =>
  selectValidators(
    pool,
    1,
    selectionSeed({
      requestId: t.request,
      reveal: t.reveal,
      acceptTxId: accept,
      ...(beacons ? { beacons } : {}),
    }),
  )[0] as KeyHex;

/** The pair's best guess without the beacons: the first accept whose v1 draw is F. */
const grind = (t: Trial): TxId =>
  t.accepts.find((a) => committee(t, a) === target) ?? (t.accepts[0] as TxId);

describe('grinding accepts against the draw', () => {
  it('wins with the commit-reveal draw, is at chance with the beacons, and bounded with one colluding witness', () => {
    const trials = Array.from({ length: TRIALS }, trial);
    let v1 = 0;
    let v2 = 0;
    let withheld = 0;
    const counts = new Map<KeyHex, number>(pool.map((k) => [k, 0]));
    for (const t of trials) {
      const accept = grind(t);
      if (committee(t, accept) === target) v1++;
      const honest = witnesses.slice(0, 3).map((w) => beaconOf(w, accept));
      const all = [...honest, beaconOf(witnesses[3] as Uint8Array, accept)];
      const drawn = committee(t, accept, all);
      counts.set(drawn, (counts.get(drawn) ?? 0) + 1);
      if (drawn === target) v2++;
      // The colluding fourth witness gives or withholds its beacon, whichever draws F.
      if (drawn === target || committee(t, accept, honest) === target) withheld++;
    }
    const chance = 1 / POOL;
    const sigma = Math.sqrt((chance * (1 - chance)) / TRIALS);
    // Pearson's χ² of the committees over the 8 validators against uniform; 7 degrees of
    // freedom, 24.32 is the 0.1% critical value.
    const expected = TRIALS / POOL;
    const chi2 = [...counts.values()].reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    const report = {
      v1: v1 / TRIALS,
      v2: v2 / TRIALS,
      oneWitness: withheld / TRIALS,
      chance,
      chi2: Number(chi2.toFixed(2)),
    };
    expect(report.v1, JSON.stringify(report)).toBeGreaterThan(0.9);
    expect(Math.abs(report.v2 - chance), JSON.stringify(report)).toBeLessThan(4 * sigma);
    expect(chi2, JSON.stringify(report)).toBeLessThan(24.32);
    const bound = 1 - (1 - chance) ** 2;
    expect(report.oneWitness, JSON.stringify(report)).toBeLessThan(bound + 4 * sigma);
    expect(report.oneWitness).toBeGreaterThanOrEqual(report.v2);
  }, 60_000);
});
