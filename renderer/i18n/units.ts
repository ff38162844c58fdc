// A service type's unit agreeing with its count: "1 hour", "2 hours", "1 cost unit". A unit is
// typed by whoever registered the type, in the plural ("hours", "pages", "cost units"), and
// the screens printed it as it was, so a volume of one read "1 hours". It is free text in any
// language, so only the common English plural endings of its last word are undone, and only
// where the language's plural rules call the count singular; anything else is left as typed.

/** The singular of an English plural noun phrase (its last word); unchanged when unsure. */
export function singularOf(unit: string): string {
  const match = /^(.*?)([A-Za-z]+)$/.exec(unit);
  if (match === null) return unit;
  const [, head = '', word = ''] = match;
  const lower = word.toLowerCase();
  const singular =
    lower.endsWith('ies') && word.length > 4
      ? `${word.slice(0, -3)}y`
      : /(?:ches|shes|sses|xes|zes)$/.test(lower)
        ? word.slice(0, -2)
        : lower.endsWith('s') && !/(?:ss|us|is)$/.test(lower) && word.length > 2
          ? word.slice(0, -1)
          : word;
  return head + singular;
}

/** `unit` as it agrees with `count` under `rules` (the UI language's plural rules). */
export function unitFor(rules: Intl.PluralRules, unit: string, count: bigint): string {
  // PluralRules takes a number; a bigint beyond 2^53 is plural in every language anyway.
  const small = count <= 1_000_000n && count >= -1_000_000n ? Number(count) : 2;
  return rules.select(small) === 'one' ? singularOf(unit) : unit;
}
