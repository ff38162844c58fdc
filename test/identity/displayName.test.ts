// Display names (docs/profiles.md): look-alikes share a skeleton, mixed scripts are flagged,
// names are tidied as the author signs them, and the skeleton is idempotent (seeded property).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  authorNameProblem,
  isMixedScript,
  nameProblem,
  scriptsOf,
  shownName,
  skeleton,
  tidyDisplayName,
} from '../../shared/identity/displayName.ts';

describe('the skeleton', () => {
  const alike: ReadonlyArray<readonly [string, string]> = [
    ['Ana', 'Аna'], // Cyrillic А
    ['Ana', 'ANA'], // case
    ['Paypal', 'Рауpal'], // Cyrillic Р, а, у
    ['Olga', '0lga'], // zero for O
    ['Ira', 'lra'], // capital I and small L
    ['ira', '1ra'], // one for i
    ['Omega', 'Οmega'], // Greek Omicron
    ['Paypal', 'Ｐａｙｐａｌ'], // fullwidth
    ['Ana', 'A\u200bna'], // zero-width space
    ['Ana', 'Ana\u0301'], // a combining accent
    ['Ana', 'Ａｎａ'],
    ['Kim', 'Kirn'], // rn for m
  ];

  it.each(alike)('makes %s and %s collide', (a, b) => {
    expect(skeleton(a)).toBe(skeleton(b));
  });

  it('keeps different names apart', () => {
    const names = ['Ana', 'Anna', 'Bob', 'Jo Ann', 'JoAnn', 'Otto', '山田', 'Мария'];
    expect(new Set(names.map(skeleton)).size).toBe(names.length);
  });

  it('is idempotent: a seeded property over mixed alphabets and look-alikes', () => {
    const pieces = fc.constantFrom(
      ...'aAоОoO0iIl1|ıİrnmМмКкεΕ ＡＢ０ﬁ™①ß\u0301\u200b\u00a0\u3000ǅ山田ひらがなカタカナ한국😀ﷺ'.split(
        '',
      ),
    );
    const text = fc.oneof(
      fc.string({ maxLength: 48 }),
      fc.string({ unit: 'grapheme', maxLength: 24 }),
      fc.array(pieces, { maxLength: 24 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, (name) => skeleton(skeleton(name)) === skeleton(name)),
      { seed: 1616, numRuns: 2000 },
    );
  });
});

describe('scripts', () => {
  it('flags names that mix scripts the way impersonation does', () => {
    expect(isMixedScript('Pаypal')).toBe(true); // Latin with a Cyrillic а
    expect(isMixedScript('Ωmega')).toBe(true);
    expect(scriptsOf('Pаypal')).toEqual(['Latin', 'Cyrillic']);
  });

  it('accepts one script, and Latin with one East Asian writing', () => {
    for (const name of ['Ana', 'Мария', 'Ελένη', '山田 Taro', 'やまだ 山田', '김 Kim', 'R2-D2 😀'])
      expect(isMixedScript(name), name).toBe(false);
    expect(isMixedScript('김 山田 やまだ')).toBe(true);
  });
});

describe('names as signed and shown', () => {
  it('tidies what a person typed', () => {
    expect(tidyDisplayName('  Ｊｏ \u00a0\t Ann ')).toBe('Jo Ann');
    expect(authorNameProblem(tidyDisplayName(' Ａｎａ '))).toBeNull();
  });

  it('asks the author for NFKC form, which the ledger rule cannot check', () => {
    expect(nameProblem('Ｊｏ')).toBeNull();
    expect(authorNameProblem('Ｊｏ')).toMatch(/NFKC form/);
  });

  it('counts characters as code points', () => {
    expect(nameProblem('😀'.repeat(48))).toBeNull();
    expect(nameProblem('😀'.repeat(49))).toMatch(/at most 48 characters, not 49/);
  });

  it('shows the NFKC form, cut to the limit', () => {
    expect(shownName('Ｊｏ')).toBe('Jo');
    expect([...shownName('ﷺ'.repeat(48))].length).toBe(49);
  });
});
