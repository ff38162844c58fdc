// What the fuzz targets of link parsers share (invitations, ticket links, pairing links): random
// text built from a link's own pieces, valid links changed in every way a copy and paste (or an
// attacker) can change them, and what must hold for any answer: a parser never throws, answers
// a link that formats back to itself or a short sentence, and takes a changed link as the same
// link or refuses it.
import fc from 'fast-check';
import { expect } from 'vitest';
import { fuzz, type Watchdog } from './harness.ts';

/** A link parser's answer: what it accepted, or a sentence for a person. */
export type Parse = { readonly ok: true } | { readonly ok: false; readonly error: string };
export type Accepted<A extends Parse> = Extract<A, { ok: true }>;

/** One parser under fuzzing. */
export interface LinkTarget<A extends Parse> {
  readonly watchdog: Watchdog;
  readonly parse: (input: unknown) => A;
  /** The link of an accepted answer, formatted again. */
  readonly reformat: (answer: Accepted<A>) => string;
  /** The longest sentence a refusal may be. */
  readonly maxError: number;
  /** Hears of every answer checked (a target's counts of what it saw). */
  readonly saw?: (answer: A) => void;
}

/** What `call` returns; a throw fails the case. */
export function withoutThrowing<R>(call: () => R): R {
  let result: R | undefined;
  expect(() => (result = call())).not.toThrow();
  return result as R;
}

/** The parser's answer to `input`; a throw fails the case. */
export const parsed = <A extends Parse>(target: LinkTarget<A>, input: unknown): A =>
  withoutThrowing(() => target.parse(input));

/** What holds for any answer to any input: accepted formats back to itself, or a sentence. */
export function checkAnswer<A extends Parse>(target: LinkTarget<A>, answer: A): void {
  target.saw?.(answer);
  if (answer.ok) {
    expect(target.parse(target.reformat(answer as Accepted<A>))).toEqual(answer);
  } else {
    expect(typeof answer.error).toBe('string');
    expect(answer.error.length).toBeGreaterThan(0);
    expect(answer.error.length).toBeLessThanOrEqual(target.maxError);
  }
}

/** The link of `value`, or null where `format` refuses it (too long, say). */
export function linkOrNull<V>(format: (value: V) => string, value: V): string | null {
  try {
    return format(value);
  } catch {
    return null;
  }
}

/** The link of `value`, or null where `format` refuses it, which it may only as too long. */
export function linkOrTooLong<V>(format: (value: V) => string, value: V): string | null {
  const link = linkOrNull(format, value);
  if (link === null) expect(() => format(value)).toThrow(/longer than/);
  return link;
}

/** Bytes as lower-case hex. */
export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** One label of a host name. */
export const dnsLabel = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);

/** A name a link may carry: 1 to 64 graphemes, no surrounding space, no control characters. */
export const linkNameArb = fc
  .string({ minLength: 1, maxLength: 64, unit: 'grapheme' })
  .filter((n) => n.trim() === n && !/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u.test(n));

/** A weighted choice of fc.oneof. */
type Weighted = { readonly weight: number; readonly arbitrary: fc.Arbitrary<unknown> };

/**
 * Text for a parser: binary strings, strings of the link's `tokens` (so that random text gets
 * past the first checks now and then), the target's own `extras`, and any value at all.
 */
export const linkTextArb = (
  tokens: readonly string[],
  tokenWeight: number,
  ...extras: Weighted[]
): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 200, unit: 'binary' }) },
    {
      weight: tokenWeight,
      arbitrary: fc.array(fc.constantFrom(...tokens), { maxLength: 30 }).map((t) => t.join('')),
    },
    ...extras,
    { weight: 1, arbitrary: fc.anything() },
  );

/** One change to a link's text. */
export type LinkEdit =
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'replace'; readonly at: number; readonly text: string }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'case'; readonly at: number; readonly length: number }
  | { readonly kind: 'swap'; readonly first: number; readonly second: number }
  | { readonly kind: 'duplicate'; readonly which: number }
  | { readonly kind: 'drop'; readonly which: number }
  | { readonly kind: 'escape'; readonly at: number };

/** Changes of every kind (dropping a parameter only with `drop`), inserting `tokens` too. */
export function linkEditArb(
  tokens: readonly string[],
  { drop }: { readonly drop: boolean },
): fc.Arbitrary<LinkEdit> {
  return fc.oneof(
    fc.record({
      kind: fc.constant('delete' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 4 }),
    }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      text: fc.oneof(fc.constantFrom(...tokens), fc.string({ maxLength: 3, unit: 'binary' })),
    }),
    fc.record({
      kind: fc.constant('replace' as const),
      at: fc.nat(),
      text: fc.oneof(fc.constantFrom(...tokens), fc.string({ minLength: 1, maxLength: 1 })),
    }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('case' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 20 }),
    }),
    fc.record({ kind: fc.constant('swap' as const), first: fc.nat(), second: fc.nat() }),
    fc.record({ kind: fc.constant('duplicate' as const), which: fc.nat() }),
    ...(drop ? [fc.record({ kind: fc.constant('drop' as const), which: fc.nat() })] : []),
    fc.record({ kind: fc.constant('escape' as const), at: fc.nat() }),
  );
}

/** `link` with `edit` applied. */
export function applyLinkEdit(link: string, edit: LinkEdit): string {
  const at = 'at' in edit ? edit.at % (link.length + 1) : 0;
  const params = () => {
    const q = link.indexOf('?');
    return { head: link.slice(0, q + 1), parts: link.slice(q + 1).split('&') };
  };
  switch (edit.kind) {
    case 'delete':
      return link.slice(0, at) + link.slice(at + edit.length);
    case 'insert':
      return link.slice(0, at) + edit.text + link.slice(at);
    case 'replace':
      return link.slice(0, at) + edit.text + link.slice(at + 1);
    case 'truncate':
      return link.slice(0, at);
    case 'case': {
      const piece = link.slice(at, at + edit.length);
      const flipped = [...piece]
        .map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()))
        .join('');
      return link.slice(0, at) + flipped + link.slice(at + edit.length);
    }
    case 'swap': {
      const { head, parts } = params();
      const i = edit.first % parts.length;
      const j = edit.second % parts.length;
      [parts[i], parts[j]] = [parts[j] as string, parts[i] as string];
      return head + parts.join('&');
    }
    case 'duplicate': {
      const { head, parts } = params();
      const i = edit.which % parts.length;
      parts.splice(i, 0, parts[i] as string);
      return head + parts.join('&');
    }
    case 'drop': {
      const { head, parts } = params();
      parts.splice(edit.which % parts.length, 1);
      return head + parts.join('&');
    }
    case 'escape': {
      // Percent-encode one character, in either case: the same link to a careful parser.
      const c = link.charCodeAt(at);
      if (Number.isNaN(c) || c > 0x7f) return link;
      const code = c.toString(16).padStart(2, '0');
      const escaped = at % 2 === 0 ? code.toUpperCase() : code.toLowerCase();
      return `${link.slice(0, at)}%${escaped}${link.slice(at + 1)}`;
    }
  }
}

/** A fuzz target's name (for replays), the watchdog's label of a case, its seed and budget. */
export interface Run {
  readonly name: string;
  readonly label: string;
  readonly seed: number;
  readonly base: number;
}

/** The parser answers any input with a link or a short sentence, and never throws. */
export function fuzzText<A extends Parse>(
  target: LinkTarget<A>,
  text: fc.Arbitrary<unknown>,
  { name, label, seed, base }: Run,
): Promise<void> {
  return fuzz(
    name,
    fc.asyncProperty(text, (input) =>
      target.watchdog.run(label, () => checkAnswer(target, parsed(target, input))),
    ),
    seed,
    base,
  );
}

/** How a target's valid values become links, and what the parser must answer for them. */
export interface ValidLinks<V, A extends Parse> {
  readonly values: fc.Arbitrary<V>;
  /** The value's link; null ends the case (a value with no link). */
  readonly link: (value: V) => string | null;
  /** The parser's answer to the value's link. */
  readonly accepted: (value: V) => A;
}

/** Every valid value's link parses back to it, also with white space around it. */
export function fuzzRoundTrip<V, A extends Parse>(
  target: LinkTarget<A>,
  valid: ValidLinks<V, A>,
  { name, label, seed, base }: Run,
): Promise<void> {
  return fuzz(
    name,
    fc.asyncProperty(valid.values, (value) =>
      target.watchdog.run(label, () => {
        const link = valid.link(value);
        if (link === null) return;
        const answer = parsed(target, link);
        expect(answer).toEqual(valid.accepted(value));
        // Surrounding whitespace from a copy and paste is forgiven.
        expect(parsed(target, `  ${link}\n`)).toEqual(answer);
      }),
    ),
    seed,
    base,
  );
}

/**
 * A valid link changed by `edits` is the same link (a harmless re-encoding) or refused; unchanged
 * (no edits), it is accepted. `changedButAccepted` counts the re-encodings accepted.
 */
export function fuzzChangedLinks<V, A extends Parse>(
  target: LinkTarget<A>,
  valid: ValidLinks<V, A>,
  edits: fc.Arbitrary<LinkEdit[]>,
  changedButAccepted: () => void,
  { name, label, seed, base }: Run,
): Promise<void> {
  return fuzz(
    name,
    fc.asyncProperty(valid.values, edits, (value, edits) =>
      target.watchdog.run(label, () => {
        const link = valid.link(value);
        if (link === null) return;
        const changed = edits.reduce(applyLinkEdit, link);
        const answer = parsed(target, changed);
        checkAnswer(target, answer);
        if (edits.length === 0) expect(answer).toEqual(valid.accepted(value));
        if (answer.ok) {
          expect(answer).toEqual(valid.accepted(value));
          if (changed !== link) changedButAccepted();
        }
      }),
    ),
    seed,
    base,
  );
}
