// What the market commands print (node/cli/marketText.ts): money in the network's unit, agreeing
// with the count, in a table whose Total column is as wide as its longest amount.
import { describe, expect, it } from 'vitest';
import type { NegotiationOut, Wire } from '../../shared/control/contract.ts';
import { bondText, describeNegotiation, offerText } from '../../node/cli/marketText.ts';

const BOB = `gpow1${'b'.repeat(59)}`;
const CAROL = `gpow1${'c'.repeat(59)}`;
const reputation = { completed: 0, failed: 0, disputesLost: 0, votedAgainstMajority: 0 };
const row = (provider: string, total: string, score: number) => ({
  provider,
  price: total,
  total,
  score,
  freeCapacity: '100000',
  reputation,
});

describe('the market commands’ text', () => {
  it('ranks providers with each total in the unit, the column aligned', () => {
    const ranking: Wire<NegotiationOut> = {
      ranked: [row(BOB, '1', 9), row(CAROL, '4096', 7)],
      excluded: [],
      recommended: BOB,
      unit: 'hours',
    };
    const lines = describeNegotiation(ranking).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`${BOB}      1 hour   100000      9  ← recommended`);
    expect(lines[2]).toContain(`${CAROL}  4096 hours   100000      7`);
    // Every Total cell ends where the header's does.
    const end = (lines[0] ?? '').indexOf('Total') + 'Total'.length;
    expect(lines[1]?.indexOf('1 hour') ?? 0).toBe(end - '1 hour'.length);
    expect(lines[2]?.indexOf('4096 hours') ?? 0).toBe(end - '4096 hours'.length);
  });

  it('says so when no provider can take the job', () => {
    const text = describeNegotiation({
      ranked: [],
      excluded: [],
      recommended: null,
      unit: 'units',
    });
    expect(text).toContain('(no provider can take this job)');
  });

  it('prints an offer’s rate and a bond in the unit', () => {
    expect(offerText('pow', '10', '1', { id: 'ab', unit: 'hours' })).toBe(
      'Offered pow: capacity 10, rate 1 hour.\nTransaction: ab',
    );
    expect(bondText('250', { id: 'cd', unit: 'credits' })).toBe(
      'Bonded 250 credits: you can now be drawn as a validator.\nTransaction: cd',
    );
  });
});
