// The validator selection function P: the seed is the specified hash, the committee depends
// only on the eligible set, m and the seed, every committee is equally likely, and a consumer
// cannot swap its reveal after seeing the provider's accept.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../shared/bytes.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import {
  commitmentOf,
  seedStream,
  selectionSeed,
  selectValidators,
  uniformBelow,
  verifyCommitment,
  verifySelection,
  type SelectionClaim,
} from '../../shared/dnec/selection.ts';

const sha = (...parts: (string | Uint8Array)[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const key = (label: string): KeyHex => toHex(sha('validator', label)) as KeyHex;
const txId = (label: string): TxId => toHex(sha('tx', label)) as TxId;
/** Seeds for statistics: a fixed generator, so every run sees the same sample. */
const seedNo = (i: number): Uint8Array => sha('selection-test-seed', String(i));

const validators = Array.from({ length: 10 }, (_, i) => key(`v${i}`));
const requestId = txId('request');
const acceptTxId = txId('accept');
const reveal = sha('the consumer secret');

describe('commitment and seed', () => {
  it('commits with SHA-256 of a 32-byte reveal', () => {
    expect(toHex(commitmentOf(reveal))).toBe(toHex(sha(reveal)));
    expect(verifyCommitment(commitmentOf(reveal), reveal)).toBe(true);
    expect(() => commitmentOf(new Uint8Array(16))).toThrow(
      'the reveal must be exactly 32 random bytes',
    );
  });

  it('a reveal changed after the commitment no longer opens it', () => {
    const commitment = commitmentOf(reveal);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (other) => {
        fc.pre(toHex(other) !== toHex(reveal));
        expect(verifyCommitment(commitment, other)).toBe(false);
      }),
    );
    // Wrong lengths are simply not a match.
    expect(verifyCommitment(commitment, reveal.subarray(0, 31))).toBe(false);
    expect(verifyCommitment(commitment.subarray(0, 31), reveal)).toBe(false);
  });

  it('is SHA-256 of the domain tag, request id, reveal and accept id', () => {
    const expected = sha(utf8('GPoW/P/v1'), fromHex(requestId), reveal, fromHex(acceptTxId));
    expect(toHex(selectionSeed({ requestId, reveal, acceptTxId }))).toBe(toHex(expected));
  });

  it('changes with every input', () => {
    const base = toHex(selectionSeed({ requestId, reveal, acceptTxId }));
    expect(toHex(selectionSeed({ requestId: txId('other'), reveal, acceptTxId }))).not.toBe(base);
    expect(toHex(selectionSeed({ requestId, reveal: sha('x'), acceptTxId }))).not.toBe(base);
    expect(toHex(selectionSeed({ requestId, reveal, acceptTxId: txId('other') }))).not.toBe(base);
  });

  it('refuses malformed ids and reveals', () => {
    expect(() => selectionSeed({ requestId: 'abc' as TxId, reveal, acceptTxId })).toThrow(
      'the request id must be 64 lowercase hex characters, got "abc"',
    );
    expect(() =>
      selectionSeed({ requestId, reveal, acceptTxId: acceptTxId.toUpperCase() as TxId }),
    ).toThrow(/the accept transaction id must be 64 lowercase hex/);
    expect(() => selectionSeed({ requestId, reveal: new Uint8Array(33), acceptTxId })).toThrow(
      /exactly 32/,
    );
  });
});

describe('the random stream and unbiased draws', () => {
  it('reads SHA-256(seed || u64be(counter)) as big-endian 32-bit words', () => {
    const seed = seedNo(0);
    const next = seedStream(seed);
    const words = Array.from({ length: 9 }, () => next());
    const counter = (c: number) => fromHex(c.toString(16).padStart(16, '0'));
    const block0 = new DataView(sha(seed, counter(0)).buffer);
    const block1 = new DataView(sha(seed, counter(1)).buffer);
    expect(words.slice(0, 8)).toEqual(Array.from({ length: 8 }, (_, i) => block0.getUint32(4 * i)));
    expect(words[8]).toBe(block1.getUint32(0));
    expect(() => seedStream(new Uint8Array(31))).toThrow(
      'the selection seed must be exactly 32 bytes',
    );
  });

  it('rejects words in the biased tail and redraws', () => {
    // 2^32 = 3 × 1431655765 + 1: the one word 2^32 − 1 would favour remainder 0, so it is redrawn.
    const script = (words: number[]) => () => {
      const w = words.shift();
      if (w === undefined) throw new Error('drew more words than expected');
      return w;
    };
    expect(uniformBelow(script([0xffff_ffff, 0xffff_ffff, 5]), 3)).toBe(2);
    expect(uniformBelow(script([0xffff_fffe]), 3)).toBe(0xffff_fffe % 3);
    // 2^32 mod 10 = 6: the top six words are rejected.
    expect(uniformBelow(script([0xffff_fffa, 0xffff_fff9]), 10)).toBe(0xffff_fff9 % 10);
    // A power of two divides 2^32: nothing is rejected.
    expect(uniformBelow(script([0xffff_ffff]), 8)).toBe(7);
    expect(uniformBelow(script([0xdead_beef]), 2 ** 32)).toBe(0xdead_beef);
    // A bound of one needs no randomness.
    expect(uniformBelow(script([]), 1)).toBe(0);
    for (const bad of [0, -1, 1.5, 2 ** 32 + 1]) {
      expect(() => uniformBelow(script([1]), bad)).toThrow(
        `a draw needs an integer bound from 1 to 2^32, got ${bad}`,
      );
    }
  });
});

/** P restated with node:crypto and bigints, independently of the implementation. */
function referenceSelect(eligible: readonly KeyHex[], m: number, seed: Uint8Array): KeyHex[] {
  const pool = [...eligible].sort();
  let counter = 0n;
  let words: bigint[] = [];
  const nextWord = (): bigint => {
    if (words.length === 0) {
      const block = sha(seed, fromHex(counter.toString(16).padStart(16, '0')));
      counter++;
      words = Array.from({ length: 8 }, (_, i) =>
        BigInt(`0x${toHex(block.subarray(4 * i, 4 * i + 4))}`),
      );
    }
    return words.shift() as bigint;
  };
  const k = Math.min(m, pool.length);
  for (let i = 0; i < k; i++) {
    const bound = BigInt(pool.length - i);
    let j = 0n;
    if (bound > 1n) {
      const limit = 2n ** 32n - (2n ** 32n % bound);
      let w = nextWord();
      while (w >= limit) w = nextWord();
      j = w % bound;
    }
    const at = i + Number(j);
    [pool[i], pool[at]] = [pool[at] as KeyHex, pool[i] as KeyHex];
  }
  return pool.slice(0, k);
}

describe('selectValidators', () => {
  const seed = seedNo(1);

  it('matches an independent restatement of the algorithm', () => {
    for (let i = 0; i < 300; i++) {
      const eligible = validators.slice(0, 1 + (i % validators.length));
      const m = i % 7;
      expect(selectValidators(eligible, m, seedNo(i))).toEqual(
        referenceSelect(eligible, m, seedNo(i)),
      );
    }
  });

  it('pins the reference output, so other implementations can check themselves', () => {
    const pinned = selectValidators(validators, 4, seed).map((k) => validators.indexOf(k));
    expect(pinned).toEqual(PINNED_INDICES);
  });

  it('is deterministic and ignores the order the eligible keys are listed in', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(validators, { minLength: validators.length }),
        fc.integer({ min: 0, max: 12 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (shuffled, m, s) => {
          expect(selectValidators(shuffled, m, s)).toEqual(selectValidators(validators, m, s));
        },
      ),
    );
  });

  it('picks min(m, n) distinct eligible validators', () => {
    fc.assert(
      fc.property(
        fc.subarray(validators),
        fc.integer({ min: 0, max: 12 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (eligible, m, s) => {
          const picked = selectValidators(eligible, m, s);
          expect(picked).toHaveLength(Math.min(m, eligible.length));
          expect(new Set(picked).size).toBe(picked.length);
          for (const k of picked) expect(eligible).toContain(k);
        },
      ),
    );
  });

  it('returns every eligible validator when fewer than m are eligible', () => {
    const few = validators.slice(0, 3);
    const picked = selectValidators(few, 7, seed);
    expect([...picked].sort()).toEqual([...few].sort());
    expect(selectValidators([], 3, seed)).toEqual([]);
    expect(selectValidators(validators, 0, seed)).toEqual([]);
  });

  it('the committee of k is the first k of the committee of k + 1', () => {
    for (let i = 0; i < 50; i++) {
      const s = seedNo(i);
      const five = selectValidators(validators, 5, s);
      expect(selectValidators(validators, 4, s)).toEqual(five.slice(0, 4));
    }
  });

  it('refuses malformed input', () => {
    expect(() => selectValidators([validators[0]!, validators[0]!], 1, seed)).toThrow(
      `validator ${validators[0]} is listed twice among the eligible`,
    );
    expect(() => selectValidators(['zz' as KeyHex], 1, seed)).toThrow(
      'eligible validator 0 must be 64 lowercase hex characters, got "zz"',
    );
    expect(() => selectValidators(validators, -1, seed)).toThrow(
      'the number of validators m must be a non-negative integer, got -1',
    );
    expect(() => selectValidators(validators, 2.5, seed)).toThrow(/got 2.5/);
    expect(() => selectValidators(validators, 2, new Uint8Array(8))).toThrow(/exactly 32 bytes/);
  });
});

/** Pearson's statistic of observed counts against a uniform expectation. */
function chiSquare(counts: Map<string, number>, categories: number, samples: number): number {
  expect(counts.size).toBe(categories);
  const expected = samples / categories;
  let sum = 0;
  for (const observed of counts.values()) sum += (observed - expected) ** 2 / expected;
  return sum;
}

describe('selectValidators is uniform', () => {
  // Critical values of χ² at p = 0.001; the samples come from a fixed seed generator, so the
  // outcome is the same on every run, and a biased sampler lands far above these bounds.
  it('every ordered pair of 6 validators is equally likely', () => {
    const six = validators.slice(0, 6);
    const samples = 30_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < samples; i++) {
      const pair = selectValidators(six, 2, seedNo(i)).join('>');
      counts.set(pair, (counts.get(pair) ?? 0) + 1);
    }
    expect(chiSquare(counts, 30, samples)).toBeLessThan(59.7); // 29 degrees of freedom
  });

  it('every order of 4 validators is equally likely when all are chosen', () => {
    const four = validators.slice(0, 4);
    const samples = 24_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < samples; i++) {
      const order = selectValidators(four, 4, seedNo(i)).join('>');
      counts.set(order, (counts.get(order) ?? 0) + 1);
    }
    expect(chiSquare(counts, 24, samples)).toBeLessThan(49.7); // 23 degrees of freedom
  });

  it('each of 10 validators sits on a committee of 3 about 3/10 of the time', () => {
    const samples = 20_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < samples; i++) {
      for (const v of selectValidators(validators, 3, seedNo(i))) {
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
    }
    expect(chiSquare(counts, 10, samples * 3)).toBeLessThan(27.9); // 9 degrees of freedom
  });

  it('the same check rejects the classic biased shuffle (it has teeth)', () => {
    // Swapping position i with any position in [0, n) instead of [i, n) gives n^n equally
    // likely runs for n! orders; 256 is not a multiple of 24, so some orders come up more often.
    const four = [...validators.slice(0, 4)].sort();
    const samples = 24_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < samples; i++) {
      const next = seedStream(seedNo(i));
      const pool = [...four];
      for (let k = 0; k < pool.length; k++) {
        const j = uniformBelow(next, pool.length);
        [pool[k], pool[j]] = [pool[j] as KeyHex, pool[k] as KeyHex];
      }
      const order = pool.join('>');
      counts.set(order, (counts.get(order) ?? 0) + 1);
    }
    expect(chiSquare(counts, 24, samples)).toBeGreaterThan(49.7);
  });
});

describe('verifySelection', () => {
  const commitment = commitmentOf(reveal);
  const seed = selectionSeed({ requestId, reveal, acceptTxId });
  const claim: SelectionClaim = {
    eligible: validators,
    m: 3,
    requestId,
    commitment,
    reveal,
    acceptTxId,
    selected: selectValidators(validators, 3, seed),
  };

  it('accepts the committee P chose', () => {
    expect(verifySelection(claim)).toEqual({ ok: true });
    expect(verifySelection({ ...claim, eligible: [...validators].reverse() })).toEqual({
      ok: true,
    });
  });

  it('refuses a different member, a different order, or a different size', () => {
    const [a, b, c] = claim.selected as [KeyHex, KeyHex, KeyHex];
    const outsider = validators.find((v) => !claim.selected.includes(v)) as KeyHex;
    for (const selected of [
      [a, b, outsider],
      [b, a, c],
      [a, b],
      [a, b, c, outsider],
    ]) {
      const result = verifySelection({ ...claim, selected });
      expect(result.ok).toBe(false);
      if (!result.ok)
        expect(result.error).toMatch(/^the claimed validators are not the ones P selects/);
    }
  });

  it('refuses a reveal swapped after the accept: the consumer cannot grind', () => {
    // A consumer who dislikes the committee tries other secrets. Each one gives a different
    // committee, but none of them opens the commitment it published before the accept existed.
    let differentCommittees = 0;
    for (let i = 0; i < 20; i++) {
      const other = sha('another secret', String(i));
      const selected = selectValidators(
        validators,
        3,
        selectionSeed({ requestId, reveal: other, acceptTxId }),
      );
      if (selected.join() !== claim.selected.join()) differentCommittees++;
      expect(verifySelection({ ...claim, reveal: other, selected })).toEqual({
        ok: false,
        error: "the reveal does not open the request's commitment",
      });
    }
    expect(differentCommittees).toBeGreaterThan(15);
  });

  it('the committee changes with the accept, which the consumer cannot foresee', () => {
    const other = selectValidators(
      validators,
      3,
      selectionSeed({ requestId, reveal, acceptTxId: txId('another accept') }),
    );
    expect(other).not.toEqual(claim.selected);
    expect(verifySelection({ ...claim, acceptTxId: txId('another accept') }).ok).toBe(false);
  });
});

// Reference output for `pins the reference output`: indices into `validators` chosen from
// validators[0..9] with m = 4 and seed SHA-256("selection-test-seed" || "1").
const PINNED_INDICES = [6, 3, 8, 5];
