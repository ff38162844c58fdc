// Fuzz target: invitations (shared/net/invitation.ts). A gpow:join? link is pasted, scanned or
// handed over by another program: anyone can make a user parse any text. parseInvitation must
// never throw, must answer either an invitation or a short error sentence, and an invitation it
// accepts must format back to a link that parses to the same invitation. A valid link that was
// changed in any way parses to the same invitation (a harmless re-encoding) or is refused: the
// checksum leaves no way to get a different network, secret, relay or name through.
import { base64urlnopad } from '@scure/base';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatInvitation,
  MAX_INVITATION_BYTES,
  parseInvitation,
  type Invitation,
  type InvitationParse,
} from '../../shared/net/invitation.ts';
import { fuzz, runs, Watchdog } from './harness.ts';

const watchdog = new Watchdog();
/** Changed links that still parsed (re-encodings): the mutation target's equality is exercised. */
let changedButAccepted = 0;
beforeAll(() => watchdog.install());
afterAll(() => watchdog.uninstall());

/** An error is a sentence for a person: short, whatever the input was. */
const MAX_ERROR_LENGTH = 400;

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

const dnsLabel = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
const hostArb = fc.oneof(
  fc.array(dnsLabel, { minLength: 1, maxLength: 4 }).map((labels) => [...labels, 'org'].join('.')),
  fc.ipV4(),
  fc.ipV6().map((address) => `[${address}]`),
  fc.constantFrom('localhost', '127.0.0.1', '[::1]'),
);
const relayArb = fc
  .tuple(
    fc.constantFrom('ws', 'wss'),
    hostArb,
    fc.integer({ min: 1, max: 65535 }),
    fc.option(fc.stringMatching(/^(?:\/[A-Za-z0-9._~:@-]{0,8}){1,3}$/), { nil: '' }),
  )
  .map(([scheme, host, port, path]) => `${scheme}://${host}:${port}${path}`);

const nameArb = fc
  .string({ minLength: 1, maxLength: 64, unit: 'grapheme' })
  .filter((name) => name.trim() === name && !/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u.test(name));

const invitationArb: fc.Arbitrary<Invitation> = fc
  .record({
    networkId: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(hex),
    secret: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => base64urlnopad.encode(b)),
    relays: fc.uniqueArray(relayArb, { maxLength: 16 }),
    name: fc.option(nameArb, { nil: undefined }),
  })
  .map(({ name, ...rest }) => (name === undefined ? rest : { ...rest, name }));

/** The link of an invitation, or null if it cannot have one (too long, say). */
function linkOf(invitation: Invitation): string | null {
  try {
    return formatInvitation(invitation);
  } catch {
    return null;
  }
}

/** What holds for any answer to any input. */
function checkAnswer(answer: InvitationParse): void {
  if (answer.ok) {
    // Accepted: it formats to a link that parses to the same invitation.
    const link = formatInvitation(answer.invitation);
    expect(parseInvitation(link)).toEqual(answer);
  } else {
    expect(typeof answer.error).toBe('string');
    expect(answer.error.length).toBeGreaterThan(0);
    expect(answer.error.length).toBeLessThanOrEqual(MAX_ERROR_LENGTH);
  }
}

const parse = (input: unknown): InvitationParse => {
  let answer: InvitationParse | undefined;
  expect(() => (answer = parseInvitation(input))).not.toThrow();
  return answer as InvitationParse;
};

/** Pieces of links, so that random text gets past the first checks now and then. */
const TOKENS = [
  'gpow:join?',
  'GPOW://JOIN?',
  'v=1',
  'v=2',
  'v=3',
  '&',
  '=',
  'net=',
  'secret=',
  'relay=',
  'name=',
  'c=',
  '%',
  '%2',
  '%41',
  '%C3%A9',
  '%E2%80%AE',
  '%00',
  'ws%3A%2F%2F',
  'a.org%3A1',
  '#',
  '?',
  'ab'.repeat(32),
  'A'.repeat(43),
  'A'.repeat(16),
  '\u202e',
  '\u200b',
  ' ',
  '\n',
];

const textArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 200, unit: 'binary' }) },
  {
    weight: 3,
    arbitrary: fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }).map((t) => t.join('')),
  },
  { weight: 1, arbitrary: fc.string({ minLength: 4000, maxLength: 4200 }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: MAX_INVITATION_BYTES - 2, max: 3 * MAX_INVITATION_BYTES })
      .map((n) => `gpow:join?v=2&name=${'%C3%A9'.repeat(Math.ceil(n / 6))}`.slice(0, n)),
  },
  { weight: 1, arbitrary: fc.anything() },
);

type Edit =
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'replace'; readonly at: number; readonly text: string }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'case'; readonly at: number; readonly length: number }
  | { readonly kind: 'swap'; readonly first: number; readonly second: number }
  | { readonly kind: 'duplicate'; readonly which: number }
  | { readonly kind: 'escape'; readonly at: number };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 3, unit: 'binary' })),
  }),
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ minLength: 1, maxLength: 1 })),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('case' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 20 }),
  }),
  fc.record({ kind: fc.constant('swap' as const), first: fc.nat(), second: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), which: fc.nat() }),
  fc.record({ kind: fc.constant('escape' as const), at: fc.nat() }),
);

function applyEdit(link: string, edit: Edit): string {
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

describe('fuzz: invitations', () => {
  it('formats every valid invitation to a link that parses back to it', async () => {
    await fuzz(
      'invitation round trip',
      fc.asyncProperty(invitationArb, (invitation) =>
        watchdog.run('an invitation round trip', () => {
          const link = linkOf(invitation);
          if (link === null) {
            // Only a link over the bound may be refused.
            expect(() => formatInvitation(invitation)).toThrow(/longer than/);
            return;
          }
          const answer = parse(link);
          expect(answer).toEqual({ ok: true, invitation });
          // Surrounding whitespace from a copy and paste is forgiven.
          expect(parse(`  ${link}\n`)).toEqual(answer);
        }),
      ),
      701,
      1_000,
    );
  });

  it('answers any input with an invitation or a short sentence, and never throws', async () => {
    await fuzz(
      'invitation text',
      fc.asyncProperty(textArb, (input) =>
        watchdog.run('an arbitrary invitation', () => checkAnswer(parse(input))),
      ),
      702,
      4_000,
    );
  });

  it('refuses a changed link unless it is the same invitation', async () => {
    await fuzz(
      'invitation mutations',
      fc.asyncProperty(
        invitationArb,
        fc.array(editArb, { minLength: 1, maxLength: 3 }),
        (invitation, edits) =>
          watchdog.run('a changed invitation link', () => {
            const link = linkOf(invitation);
            if (link === null) return;
            const changed = edits.reduce(applyEdit, link);
            const answer = parse(changed);
            checkAnswer(answer);
            if (answer.ok) {
              expect(answer.invitation).toEqual(invitation);
              if (changed !== link) changedButAccepted++;
            }
          }),
      ),
      703,
      4_000,
    );
  });

  it(`ran ${runs(1_000) + runs(4_000) + runs(4_000)} cases`, () => {
    expect(watchdog.cases).toBe(runs(1_000) + runs(4_000) + runs(4_000));
    expect(changedButAccepted).toBeGreaterThan(0);
  });
});
