// General Proof of Work: the hash is exactly the specified SHA-256 (checked against Node's own
// implementation), the difficulty test is exactly "below 2^(256 − d)", and the range search
// returns the first solving nonce of its range and nothing outside it.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../shared/bytes.ts';
import {
  assertPowJob,
  expectedHashes,
  hasLeadingZeroBits,
  indexFromNonce,
  nonceFromIndex,
  POW_MAX_DATA_BYTES,
  powHash,
  powJobProblem,
  powTarget,
  solvePowRange,
  verifyPow,
  type PowJob,
} from '../../shared/dnec/pow.ts';

/** The specification, written independently with node:crypto. */
function referenceHash(data: Uint8Array, nonce: Uint8Array): Uint8Array {
  return new Uint8Array(
    createHash('sha256').update('GPoW/pow/v1', 'utf8').update(data).update(nonce).digest(),
  );
}
const asInteger = (hash: Uint8Array): bigint => BigInt(`0x${toHex(hash)}`);
const referenceValid = (job: PowJob, nonce: Uint8Array): boolean =>
  asInteger(referenceHash(job.data, nonce)) < 2n ** BigInt(256 - job.difficulty);

const job: PowJob = { data: utf8('hello, provider'), difficulty: 8 };

describe('powHash', () => {
  it('is SHA-256 over the domain tag, the data and the nonce', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: POW_MAX_DATA_BYTES }),
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        (data, nonce) => {
          expect(toHex(powHash(data, nonce))).toBe(toHex(referenceHash(data, nonce)));
        },
      ),
    );
  });

  it('refuses data over 1 KiB and nonces that are not 8 bytes', () => {
    expect(() => powHash(new Uint8Array(POW_MAX_DATA_BYTES + 1), new Uint8Array(8))).toThrow(
      'the PoW job data is 1025 bytes; at most 1024 are allowed',
    );
    expect(() => powHash(new Uint8Array(0), new Uint8Array(7))).toThrow(
      'a PoW nonce must be exactly 8 bytes',
    );
  });
});

describe('the difficulty test', () => {
  it('hasLeadingZeroBits agrees with hash < 2^(256 − d) for every difficulty', () => {
    // Hashes with a random number of leading zero bytes, so both sides of each boundary occur.
    const hash = fc
      .tuple(fc.integer({ min: 0, max: 9 }), fc.uint8Array({ minLength: 32, maxLength: 32 }))
      .map(([zeros, bytes]) => {
        bytes.fill(0, 0, zeros);
        return bytes;
      });
    fc.assert(
      fc.property(hash, fc.integer({ min: 1, max: 64 }), (h, d) => {
        expect(hasLeadingZeroBits(h, d)).toBe(asInteger(h) < powTarget(d));
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts a hash exactly one below the target and refuses the target itself', () => {
    for (const d of [1, 7, 8, 9, 33, 64]) {
      const target = powTarget(d);
      const bytes = (n: bigint) =>
        Uint8Array.from(Buffer.from(n.toString(16).padStart(64, '0'), 'hex'));
      expect(hasLeadingZeroBits(bytes(target - 1n), d)).toBe(true);
      expect(hasLeadingZeroBits(bytes(target), d)).toBe(false);
    }
  });

  it('expectedHashes is 2^difficulty and the target is 2^(256 − difficulty)', () => {
    expect(expectedHashes(1)).toBe(2n);
    expect(expectedHashes(20)).toBe(1_048_576n);
    expect(expectedHashes(64)).toBe(2n ** 64n);
    expect(powTarget(1)).toBe(2n ** 255n);
    expect(powTarget(64)).toBe(2n ** 192n);
  });

  it('refuses difficulties outside 1..64 and non-integers', () => {
    for (const bad of [0, 65, -1, 1.5, Number.NaN, Infinity]) {
      expect(() => expectedHashes(bad)).toThrow(
        /the PoW difficulty must be an integer number of leading zero bits from 1 to 64/,
      );
      expect(() => powTarget(bad)).toThrow(RangeError);
    }
    expect(() => expectedHashes('8' as unknown as number)).toThrow(/got 8/);
  });
});

describe('job validation', () => {
  it('names what is wrong', () => {
    expect(powJobProblem(job)).toBeNull();
    expect(powJobProblem(null)).toBe('a PoW job must be an object');
    expect(powJobProblem({ data: [1, 2], difficulty: 8 })).toBe(
      'the PoW job data must be a Uint8Array',
    );
    expect(powJobProblem({ data: new Uint8Array(2000), difficulty: 8 })).toMatch(/2000 bytes/);
    expect(powJobProblem({ data: new Uint8Array(0), difficulty: 65 })).toMatch(/got 65/);
    expect(powJobProblem({ data: new Uint8Array(POW_MAX_DATA_BYTES), difficulty: 64 })).toBeNull();
    expect(() => assertPowJob({ data: new Uint8Array(0), difficulty: 0 })).toThrow(RangeError);
  });
});

describe('verifyPow and solvePowRange', () => {
  it('finds the first solving nonce of the range, and every earlier nonce fails', () => {
    const nonce = solvePowRange(job, 0n, 100_000);
    expect(nonce).not.toBeNull();
    const found = nonce as Uint8Array;
    expect(verifyPow(job, found)).toBe(true);
    expect(referenceValid(job, found)).toBe(true);
    for (let i = 0n; i < indexFromNonce(found); i++) {
      expect(verifyPow(job, nonceFromIndex(i))).toBe(false);
    }
  });

  it('agrees with the reference on every nonce, including across the 32-bit carry', () => {
    const easy: PowJob = { data: utf8('carry'), difficulty: 3 };
    for (const start of [0n, 2n ** 32n - 40n, 2n ** 63n - 20n, 2n ** 64n - 60n]) {
      for (let i = start; i < start + 60n; i++) {
        const nonce = nonceFromIndex(i);
        expect(verifyPow(easy, nonce)).toBe(referenceValid(easy, nonce));
      }
    }
  });

  it('returns exactly the first solution in [start, start + count), or null', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(0n, 2n ** 32n - 30n, 2n ** 64n - 200n),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (data, difficulty, base, offset, count) => {
          const j = { data, difficulty };
          const start = base + BigInt(offset);
          let expected: string | null = null;
          for (let i = start; i < start + BigInt(count); i++) {
            if (referenceValid(j, nonceFromIndex(i))) {
              expected = toHex(nonceFromIndex(i));
              break;
            }
          }
          const got = solvePowRange(j, start, count);
          expect(got === null ? null : toHex(got)).toBe(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('finds solutions at the rate the difficulty says', () => {
    // Difficulty 4: one nonce in 16 solves. 8192 nonces give 512 ± 3σ (σ ≈ 22).
    const easy: PowJob = { data: utf8('rate'), difficulty: 4 };
    let solutions = 0;
    for (let i = 0n; i < 8192n; i++) if (verifyPow(easy, nonceFromIndex(i))) solutions++;
    expect(solutions).toBeGreaterThan(512 - 66);
    expect(solutions).toBeLessThan(512 + 66);
  });

  it('binds the solution to the data and the difficulty', () => {
    const nonce = solvePowRange(job, 0n, 100_000) as Uint8Array;
    expect(verifyPow({ data: utf8('hello, provider!'), difficulty: 8 }, nonce)).toBe(false);
    // The nonce that solves 8 bits solves every lower difficulty, and higher ones only by luck.
    for (let d = 1; d <= 8; d++) expect(verifyPow({ ...job, difficulty: d }, nonce)).toBe(true);
    for (let d = 9; d <= 64; d++) {
      expect(verifyPow({ ...job, difficulty: d }, nonce)).toBe(
        referenceValid({ ...job, difficulty: d }, nonce),
      );
    }
  });

  it('searches nothing for an empty range and refuses ranges past 2^64', () => {
    expect(solvePowRange({ data: new Uint8Array(0), difficulty: 1 }, 5n, 0)).toBeNull();
    const last = 2n ** 64n - 1n;
    const easiest = { data: new Uint8Array(0), difficulty: 1 };
    expect(() => solvePowRange(easiest, last, 1)).not.toThrow();
    expect(() => solvePowRange(easiest, last, 2)).toThrow(
      'the nonce range runs past 2^64 − 1, the last 8-byte nonce',
    );
    expect(() => solvePowRange(easiest, 2n ** 64n, 1)).toThrow(/first nonce index/);
    expect(() => solvePowRange(easiest, -1n, 1)).toThrow(/first nonce index/);
    expect(() => solvePowRange(easiest, 0n, -1)).toThrow(/non-negative safe integer, got -1/);
    expect(() => solvePowRange(easiest, 0n, 1.5)).toThrow(/got 1.5/);
    expect(() => solvePowRange({ data: new Uint8Array(0), difficulty: 0 }, 0n, 1)).toThrow(
      /difficulty/,
    );
  });

  it('refuses a malformed nonce instead of calling it invalid work', () => {
    expect(() => verifyPow(job, new Uint8Array(9))).toThrow('a PoW nonce must be exactly 8 bytes');
    expect(() => verifyPow({ data: job.data, difficulty: 99 }, new Uint8Array(8))).toThrow(
      /got 99/,
    );
  });
});

describe('nonce encoding', () => {
  it('is the 8-byte big-endian index, and reads from a subarray correctly', () => {
    expect(toHex(nonceFromIndex(0x0102030405060708n))).toBe('0102030405060708');
    const padded = new Uint8Array([0xff, 0, 0, 0, 0, 0, 0, 1, 0, 0xff]);
    expect(indexFromNonce(padded.subarray(1, 9))).toBe(2n ** 8n);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (i) => {
        expect(indexFromNonce(nonceFromIndex(i))).toBe(i);
      }),
    );
    expect(() => nonceFromIndex(2n ** 64n)).toThrow(/from 0 to 2\^64 − 1/);
    expect(() => nonceFromIndex(-1n)).toThrow(RangeError);
  });
});
