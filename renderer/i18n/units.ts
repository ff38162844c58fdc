// A unit agreeing with its count: a service type's ("1 hour", "2 hours", "1 cost unit") or the
// network's money's, named at its genesis ("1 credit"). A unit is typed by whoever registered
// the type or founded the network, in the plural ("hours", "pages", "cost units"), and
// the screens printed it as it was, so a volume of one read "1 hours". It is free text in any
// language, so only the common English plural endings of its last word are undone, and only
// where the language's plural rules call the count singular; anything else is left as typed.
// The singular itself is shared with the CLI (shared/wallet/unitText.ts).
import { singularOf } from '../../shared/wallet/unitText.ts';

export { singularOf };

/** `unit` as it agrees with `count` under `rules` (the UI language's plural rules). */
export function unitFor(rules: Intl.PluralRules, unit: string, count: bigint): string {
  // PluralRules takes a number; a bigint beyond 2^53 is plural in every language anyway.
  const small = count <= 1_000_000n && count >= -1_000_000n ? Number(count) : 2;
  return rules.select(small) === 'one' ? singularOf(unit) : unit;
}
