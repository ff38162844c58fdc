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
import { runs, Watchdog } from './harness.ts';
import {
  dnsLabel,
  fuzzChangedLinks,
  fuzzRoundTrip,
  fuzzText,
  hex,
  linkEditArb,
  linkNameArb,
  linkOrNull,
  linkOrTooLong,
  type LinkTarget,
  linkTextArb,
} from './links.ts';

const watchdog = new Watchdog();
/** Changed links that still parsed (re-encodings): the mutation target's equality is exercised. */
let changedButAccepted = 0;
beforeAll(() => watchdog.install());
afterAll(() => watchdog.uninstall());

/** An error is a sentence for a person: short, whatever the input was. */
const MAX_ERROR_LENGTH = 400;

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

const invitationArb: fc.Arbitrary<Invitation> = fc
  .record({
    networkId: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(hex),
    secret: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => base64urlnopad.encode(b)),
    relays: fc.uniqueArray(relayArb, { maxLength: 16 }),
    name: fc.option(linkNameArb, { nil: undefined }),
  })
  .map(({ name, ...rest }) => (name === undefined ? rest : { ...rest, name }));

const invitations: LinkTarget<InvitationParse> = {
  watchdog,
  parse: parseInvitation,
  reformat: (answer) => formatInvitation(answer.invitation),
  maxError: MAX_ERROR_LENGTH,
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

const textArb = linkTextArb(
  TOKENS,
  3,
  { weight: 1, arbitrary: fc.string({ minLength: 4000, maxLength: 4200 }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: MAX_INVITATION_BYTES - 2, max: 3 * MAX_INVITATION_BYTES })
      .map((n) => `gpow:join?v=2&name=${'%C3%A9'.repeat(Math.ceil(n / 6))}`.slice(0, n)),
  },
);

const accepted = (invitation: Invitation): InvitationParse => ({ ok: true, invitation });

describe('fuzz: invitations', () => {
  it('formats every valid invitation to a link that parses back to it', async () => {
    await fuzzRoundTrip(
      invitations,
      // Only a link over the bound may be refused.
      { values: invitationArb, link: (i) => linkOrTooLong(formatInvitation, i), accepted },
      { name: 'invitation round trip', label: 'an invitation round trip', seed: 701, base: 1_000 },
    );
  });

  it('answers any input with an invitation or a short sentence, and never throws', async () => {
    await fuzzText(invitations, textArb, {
      name: 'invitation text',
      label: 'an arbitrary invitation',
      seed: 702,
      base: 4_000,
    });
  });

  it('refuses a changed link unless it is the same invitation', async () => {
    await fuzzChangedLinks(
      invitations,
      { values: invitationArb, link: (i) => linkOrNull(formatInvitation, i), accepted },
      fc.array(linkEditArb(TOKENS, { drop: false }), { minLength: 1, maxLength: 3 }),
      () => changedButAccepted++,
      {
        name: 'invitation mutations',
        label: 'a changed invitation link',
        seed: 703,
        base: 4_000,
      },
    );
  });

  it(`ran ${runs(1_000) + runs(4_000) + runs(4_000)} cases`, () => {
    expect(watchdog.cases).toBe(runs(1_000) + runs(4_000) + runs(4_000));
    expect(changedButAccepted).toBeGreaterThan(0);
  });
});
