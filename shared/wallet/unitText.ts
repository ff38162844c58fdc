// An amount with the network's unit name, the unit agreeing with the count: "1 hour",
// "40 hours". A unit is typed by a person, in the plural ("hours", "pages", "cost units"), in
// any language, so only the common English plural endings of its last word are undone, and only
// where the count is singular; anything else is left as typed. The app picks singular or plural
// by the UI language's rules (renderer/i18n/units.ts); the CLI speaks English.

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

/** `amount unit` in English, as the CLI prints it: "1 hour", "-5 hours", "0 hours". */
export function amountWithUnit(amount: bigint | string, unit: string): string {
  const count = String(amount);
  return `${count} ${count === '1' || count === '-1' ? singularOf(unit) : unit}`;
}
