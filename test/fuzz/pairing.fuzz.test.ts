// Fuzz target: pairing links (shared/net/pairing.ts). A gpow:pair? link is pasted, scanned or
// handed over by another program, so anyone can make a user parse any text. parsePairingLink
// must never throw, must answer a link or a short sentence, and a link it accepts must format
// back to a link that parses to the same fields. A valid link changed in any way parses to the
// same link (a harmless re-encoding) or is refused: the checksum lets no other identity, secret,
// name, allowance, certificate or network through.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyHex } from '../../shared/ids.ts';
import {
  formatPairingLink,
  MAX_PAIRING_BYTES,
  parsePairingLink,
  type PairingLink,
  type PairingParse,
} from '../../shared/net/pairing.ts';
import { fuzz, runs, Watchdog } from './harness.ts';

const watchdog = new Watchdog();
/** Changed links that still parsed (re-encodings): the mutation target's equality is exercised. */
let changedButAccepted = 0;
beforeAll(() => watchdog.install());
afterAll(() => watchdog.uninstall());

/** An error is a sentence for a person: short, whatever the input was (an invitation's inside). */
const MAX_ERROR_LENGTH = 500;
const MAX_ALLOWANCE = 2n ** 63n - 1n;

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');

const relayArb = fc
  .tuple(fc.constantFrom('ws', 'wss'), fc.ipV4(), fc.integer({ min: 1, max: 65535 }))
  .map(([scheme, host, port]) => `${scheme}://${host}:${port}`);
const nameOf = (max: number) =>
  fc
    .string({ minLength: 1, maxLength: max, unit: 'grapheme' })
    .filter(
      (n) => n.length <= max && n.trim() === n && !/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u.test(n),
    );

const linkArb: fc.Arbitrary<PairingLink> = fc.record({
  invitation: fc.record(
    {
      networkId: bytes(32).map(hex),
      secret: bytes(32).map(b64),
      relays: fc.uniqueArray(relayArb, { maxLength: 3 }),
      name: nameOf(64),
    },
    { requiredKeys: ['networkId', 'secret', 'relays'] },
  ),
  account: bytes(32).map((b) => hex(b) as KeyHex),
  secret: bytes(32),
  name: nameOf(64),
  allowance: fc.oneof(
    fc.constantFrom(0n, MAX_ALLOWANCE),
    fc.bigInt({ min: 0n, max: MAX_ALLOWANCE }),
  ),
  cert: bytes(64),
});

/** What holds for any answer to any input. */
function checkAnswer(answer: PairingParse): void {
  if (answer.ok) {
    // Accepted: it formats to a link that parses to the same fields.
    expect(parsePairingLink(formatPairingLink(answer.link))).toEqual(answer);
  } else {
    expect(typeof answer.error).toBe('string');
    expect(answer.error.length).toBeGreaterThan(0);
    expect(answer.error.length).toBeLessThanOrEqual(MAX_ERROR_LENGTH);
  }
}

const parse = (input: unknown): PairingParse => {
  let answer: PairingParse | undefined;
  expect(() => (answer = parsePairingLink(input))).not.toThrow();
  return answer as PairingParse;
};

/** Pieces of links, so that random text gets past the first checks now and then. */
const TOKENS = [
  'gpow:pair?',
  'GPOW://PAIR?',
  'gpow:join?',
  'v=1',
  'v=2',
  '&',
  '=',
  'join=',
  'a=',
  'k=',
  'n=',
  'l=',
  's=',
  'c=',
  '%',
  '%2',
  '%25',
  '%C3%A9',
  '%E2%80%AE',
  '%00',
  'gpow%3Ajoin%3Fv%3D2',
  '9223372036854775807',
  '9223372036854775808',
  '-0',
  'ab'.repeat(32),
  'A'.repeat(43),
  'A'.repeat(86),
  'A'.repeat(16),
  '#',
  '\u202e',
  ' ',
  '\n',
];

const textArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 200, unit: 'binary' }) },
  {
    weight: 3,
    arbitrary: fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }).map((t) => t.join('')),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: MAX_PAIRING_BYTES - 2, max: 3 * MAX_PAIRING_BYTES })
      .map((n) => `gpow:pair?v=1&n=${'%C3%A9'.repeat(Math.ceil(n / 6))}`.slice(0, n)),
  },
  { weight: 1, arbitrary: fc.anything() },
);

type Edit =
  | { readonly kind: 'delete' | 'case'; readonly at: number; readonly length: number }
  | { readonly kind: 'insert' | 'replace'; readonly at: number; readonly text: string }
  | { readonly kind: 'truncate' | 'escape'; readonly at: number }
  | { readonly kind: 'swap'; readonly first: number; readonly second: number }
  | { readonly kind: 'duplicate'; readonly which: number };

const piece = fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 3, unit: 'binary' }));
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('delete' as const, 'case' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 20 }),
  }),
  fc.record({
    kind: fc.constantFrom('insert' as const, 'replace' as const),
    at: fc.nat(),
    text: piece,
  }),
  fc.record({ kind: fc.constantFrom('truncate' as const, 'escape' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), first: fc.nat(), second: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), which: fc.nat() }),
);

/** The link's parameters, to reorder or repeat. */
function parameters(link: string): { head: string; parts: string[] } {
  const q = link.indexOf('?');
  return { head: link.slice(0, q + 1), parts: link.slice(q + 1).split('&') };
}

function applyEdit(link: string, edit: Edit): string {
  const at = 'at' in edit ? edit.at % (link.length + 1) : 0;
  switch (edit.kind) {
    case 'delete':
      return link.slice(0, at) + link.slice(at + edit.length);
    case 'case': {
      const flipped = [...link.slice(at, at + edit.length)]
        .map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()))
        .join('');
      return link.slice(0, at) + flipped + link.slice(at + edit.length);
    }
    case 'insert':
      return link.slice(0, at) + edit.text + link.slice(at);
    case 'replace':
      return link.slice(0, at) + edit.text + link.slice(at + 1);
    case 'truncate':
      return link.slice(0, at);
    case 'escape': {
      // Percent-encode one character, in either case: the same link to a careful parser.
      const c = link.charCodeAt(at);
      if (Number.isNaN(c) || c > 0x7f) return link;
      const code = c.toString(16).padStart(2, '0');
      return `${link.slice(0, at)}%${at % 2 === 0 ? code.toUpperCase() : code}${link.slice(at + 1)}`;
    }
    case 'swap': {
      const { head, parts } = parameters(link);
      const i = edit.first % parts.length;
      const j = edit.second % parts.length;
      [parts[i], parts[j]] = [parts[j] as string, parts[i] as string];
      return head + parts.join('&');
    }
    case 'duplicate': {
      const { head, parts } = parameters(link);
      const i = edit.which % parts.length;
      parts.splice(i, 0, parts[i] as string);
      return head + parts.join('&');
    }
  }
}

describe('fuzz: pairing links', () => {
  it('formats every valid link to text that parses back to it', async () => {
    await fuzz(
      'pairing round trip',
      fc.asyncProperty(linkArb, (link) =>
        watchdog.run('a pairing link round trip', () => {
          const text = formatPairingLink(link);
          expect(parse(text)).toEqual({ ok: true, link });
          // Surrounding whitespace from a copy and paste is forgiven.
          expect(parse(`  ${text}\n`)).toEqual({ ok: true, link });
        }),
      ),
      1401,
      1_000,
    );
  });

  it('answers any input with a link or a short sentence, and never throws', async () => {
    await fuzz(
      'pairing text',
      fc.asyncProperty(textArb, (input) =>
        watchdog.run('an arbitrary pairing link', () => checkAnswer(parse(input))),
      ),
      1402,
      4_000,
    );
  });

  it('refuses a changed link unless it is the same link', async () => {
    await fuzz(
      'pairing mutations',
      fc.asyncProperty(linkArb, fc.array(editArb, { minLength: 1, maxLength: 3 }), (link, edits) =>
        watchdog.run('a changed pairing link', () => {
          const text = formatPairingLink(link);
          const changed = edits.reduce(applyEdit, text);
          const answer = parse(changed);
          checkAnswer(answer);
          if (answer.ok) {
            expect(answer.link).toEqual(link);
            if (changed !== text) changedButAccepted++;
          }
        }),
      ),
      1403,
      4_000,
    );
  });

  it(`ran ${runs(1_000) + runs(4_000) + runs(4_000)} cases`, () => {
    expect(watchdog.cases).toBe(runs(1_000) + runs(4_000) + runs(4_000));
    expect(changedButAccepted).toBeGreaterThan(0);
  });
});
