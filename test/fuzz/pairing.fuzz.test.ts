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
import { runs, Watchdog } from './harness.ts';
import {
  fuzzChangedLinks,
  fuzzRoundTrip,
  fuzzText,
  linkTextArb,
  type LinkEdit,
  type LinkTarget,
} from './links.ts';

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

const pairings: LinkTarget<PairingParse> = {
  watchdog,
  parse: parsePairingLink,
  reformat: (answer) => formatPairingLink(answer.link),
  maxError: MAX_ERROR_LENGTH,
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

const textArb = linkTextArb(TOKENS, 3, {
  weight: 1,
  arbitrary: fc
    .integer({ min: MAX_PAIRING_BYTES - 2, max: 3 * MAX_PAIRING_BYTES })
    .map((n) => `gpow:pair?v=1&n=${'%C3%A9'.repeat(Math.ceil(n / 6))}`.slice(0, n)),
});

const piece = fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 3, unit: 'binary' }));
/** Changes to a link (its own mix: longer deletions, longer replacements, no dropping). */
const editArb: fc.Arbitrary<LinkEdit> = fc.oneof(
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

const valid = {
  values: linkArb,
  link: formatPairingLink,
  accepted: (link: PairingLink): PairingParse => ({ ok: true, link }),
};

describe('fuzz: pairing links', () => {
  it('formats every valid link to text that parses back to it', async () => {
    await fuzzRoundTrip(pairings, valid, {
      name: 'pairing round trip',
      label: 'a pairing link round trip',
      seed: 1401,
      base: 1_000,
    });
  });

  it('answers any input with a link or a short sentence, and never throws', async () => {
    await fuzzText(pairings, textArb, {
      name: 'pairing text',
      label: 'an arbitrary pairing link',
      seed: 1402,
      base: 4_000,
    });
  });

  it('refuses a changed link unless it is the same link', async () => {
    await fuzzChangedLinks(
      pairings,
      valid,
      fc.array(editArb, { minLength: 1, maxLength: 3 }),
      () => changedButAccepted++,
      { name: 'pairing mutations', label: 'a changed pairing link', seed: 1403, base: 4_000 },
    );
  });

  it(`ran ${runs(1_000) + runs(4_000) + runs(4_000)} cases`, () => {
    expect(watchdog.cases).toBe(runs(1_000) + runs(4_000) + runs(4_000));
    expect(changedButAccepted).toBeGreaterThan(0);
  });
});
