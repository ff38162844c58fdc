// Ticket links (gpow:join?v=3, docs/protocol.md §13.9) are untrusted text like every invitation:
// a round trip over generated valid tickets, every refusal with its sentence, the checksum over
// each field (computed here from its description with node:crypto, an independent SHA-256), the
// hand-over between parseJoinLink and parseInvitation, and the expiry check.
import { createHash } from 'node:crypto';
import { base64urlnopad } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../shared/bytes.ts';
import {
  formatInvitation,
  MAX_INVITATION_BYTES,
  parseInvitation,
  type Invitation,
} from '../../shared/net/invitation.ts';
import {
  formatTicket,
  isKeyText,
  MAX_TICKET_DAYS,
  MAX_TICKET_MS,
  parseJoinLink,
  ticketChecksumOf,
  ticketExpiredError,
  type TicketInvitation,
} from '../../shared/net/ticket.ts';

const SEED = 0x6770_0309;
const NET = 'ab'.repeat(32);
const T = base64urlnopad.encode(new Uint8Array(32).fill(1));
const D = base64urlnopad.encode(new Uint8Array(32).fill(2));
/** 2027-01-15 08:00:00 UTC. */
const EXP = Date.UTC(2027, 0, 15, 8, 0, 0);
const BASE: TicketInvitation = {
  networkId: NET,
  ticket: T,
  door: D,
  expires: EXP,
  once: false,
  relays: [],
};
const FULL: TicketInvitation = {
  networkId: NET,
  ticket: T,
  door: D,
  expires: EXP,
  once: true,
  relays: ['wss://relay.example.org:443/signal', 'ws://[::1]:4444'],
  name: 'Café & Co',
};

const DAMAGED = (why: string) =>
  `this invitation is damaged or incomplete (${why}): copy it again or ask for a new one`;
const MISMATCH = DAMAGED('its checksum does not match');
const TICKET_LINK =
  'this is a single-use or time-limited invitation: open it with "gpow join" or the Join screen, which redeem it with the inviter';

/** The version 3 checksum from its description, with node:crypto. `expires` may be NaN (null). */
function checksum(t: TicketInvitation): string {
  const fields = [t.networkId, t.ticket, t.door, t.expires, t.once, t.relays, t.name ?? null];
  return createHash('sha256')
    .update(`GPoW/invitation/v3\n${JSON.stringify(fields)}`)
    .digest()
    .subarray(0, 12)
    .toString('base64url');
}

/**
 * A link written by hand, parameter by parameter (raw, not escaped), so a test can give it any
 * field and still a matching checksum, or none.
 */
function link(params: ReadonlyArray<readonly [string, string]>): string {
  return `gpow:join?${params.map(([k, v]) => `${k}=${v}`).join('&')}`;
}

/** The parameters of a ticket as formatTicket orders them, with a checksum over `sum`. */
function paramsOf(
  t: TicketInvitation,
  overrides: Partial<Record<'net' | 't' | 'd' | 'exp', string>> = {},
  sum: TicketInvitation = t,
): Array<[string, string]> {
  const params: Array<[string, string]> = [
    ['v', '3'],
    ['net', overrides.net ?? t.networkId],
    ['t', overrides.t ?? t.ticket],
    ['d', overrides.d ?? t.door],
    ['exp', overrides.exp ?? String(t.expires / 1000)],
  ];
  if (t.once) params.push(['once', '1']);
  for (const relay of t.relays) params.push(['relay', encodeURIComponent(relay)]);
  if (t.name !== undefined) params.push(['name', encodeURIComponent(t.name)]);
  params.push(['c', checksum(sum)]);
  return params;
}

const refused = (error: string) => ({ ok: false, error });
const ticketOf = (ticket: TicketInvitation) => ({ ok: true, link: { kind: 'ticket', ticket } });
const secretOf = (invitation: Invitation) => ({ ok: true, link: { kind: 'secret', invitation } });

// ---- generators of valid tickets --------------------------------------------------------------

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/);
const relayArb = fc
  .record({
    scheme: fc.constantFrom('ws', 'wss'),
    host: fc.oneof(
      fc
        .tuple(fc.array(label, { maxLength: 3 }), fc.stringMatching(/^[a-z]{2,6}$/))
        .map(([l, tld]) => [...l, tld].join('.')),
      fc.ipV4(),
      fc.ipV6().map((a) => `[${a}]`),
    ),
    port: fc.integer({ min: 1, max: 65535 }),
    path: fc.stringMatching(/^(?:\/[A-Za-z0-9\-._~!$&'()*+,;=:@]{0,6}){0,2}$/),
  })
  .map(({ scheme, host, port, path }) => `${scheme}://${host}:${port}${path}`);
const nameArb = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 64 })
  .filter(
    (n) => !/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u.test(n) && n.trim() === n && [...n].length <= 64,
  );
const ticketArb: fc.Arbitrary<TicketInvitation> = fc
  .record({
    networkId: bytes32.map(toHex),
    ticket: bytes32.map((b) => base64urlnopad.encode(b)),
    door: bytes32.map((b) => base64urlnopad.encode(b)),
    expires: fc.integer({ min: 1, max: 2 ** 40 - 1 }).map((s) => s * 1000),
    once: fc.boolean(),
    relays: fc.uniqueArray(relayArb, { maxLength: 8 }),
    name: fc.option(nameArb, { nil: undefined }),
  })
  .map(({ name, ...rest }) => (name === undefined ? rest : { ...rest, name }));

describe('formatTicket and parseJoinLink', () => {
  it('round-trip a bare ticket, a single-use one, and one with relays and a name', () => {
    const cases: TicketInvitation[] = [
      BASE,
      { ...BASE, once: true },
      { ...BASE, relays: ['ws://127.0.0.1:4444'] },
      { ...BASE, name: 'Allotment' },
      FULL,
    ];
    for (const t of cases) {
      const text = formatTicket(t);
      expect(parseJoinLink(text)).toEqual(ticketOf(t));
      expect(parseJoinLink(`  ${text}\r\n`)).toEqual(ticketOf(t));
      expect(parseJoinLink(text.replace('gpow:', 'GPOW://'))).toEqual(ticketOf(t));
    }
  });

  it('write the fields in a fixed order, percent-encode relays and the name, checksum last', () => {
    expect(formatTicket(BASE)).toBe(
      `gpow:join?v=3&net=${NET}&t=${T}&d=${D}&exp=${EXP / 1000}&c=${checksum(BASE)}`,
    );
    expect(formatTicket(FULL)).toBe(
      `gpow:join?v=3&net=${NET}&t=${T}&d=${D}&exp=${EXP / 1000}&once=1` +
        `&relay=wss%3A%2F%2Frelay.example.org%3A443%2Fsignal&relay=ws%3A%2F%2F%5B%3A%3A1%5D%3A4444` +
        `&name=Caf%C3%A9%20%26%20Co&c=${checksum(FULL)}`,
    );
    expect(ticketChecksumOf(FULL)).toBe(checksum(FULL));
    expect(ticketChecksumOf(FULL)).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('round-trip every generated valid ticket', () => {
    fc.assert(
      fc.property(ticketArb, (t) => {
        const text = formatTicket(t);
        expect(text.endsWith(`&c=${checksum(t)}`)).toBe(true);
        expect(parseJoinLink(text)).toEqual(ticketOf(t));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('accept the parameters in any order and a re-encoded escape', () => {
    const params = paramsOf(FULL);
    // Reversed, but for the relays, whose order is part of the ticket.
    const relays = params.filter(([k]) => k === 'relay');
    const others = params.filter(([k]) => k !== 'relay').reverse();
    expect(parseJoinLink(link([...others.slice(0, 3), ...relays, ...others.slice(3)]))).toEqual(
      ticketOf(FULL),
    );
    expect(parseJoinLink(link([...params].reverse()))).toEqual(refused(MISMATCH));
    expect(parseJoinLink(formatTicket(FULL).replaceAll('%3A', '%3a'))).toEqual(ticketOf(FULL));
    // One letter of the ticket escaped: the same decoded field, so the same checksum.
    const escaped = formatTicket(BASE).replace(
      `t=${T}`,
      `t=%${T.charCodeAt(0).toString(16)}${T.slice(1)}`,
    );
    expect(escaped).not.toBe(formatTicket(BASE));
    expect(parseJoinLink(escaped)).toEqual(ticketOf(BASE));
  });

  it('refuse a link missing its network id, ticket, door key or expiry, naming it', () => {
    const full = paramsOf(FULL);
    const without = (key: string) => link(full.filter(([k]) => k !== key));
    expect(parseJoinLink(without('net'))).toEqual(
      refused('the invitation is missing its network id (net)'),
    );
    expect(parseJoinLink(without('t'))).toEqual(
      refused('the invitation is missing its ticket (t)'),
    );
    expect(parseJoinLink(without('d'))).toEqual(
      refused('the invitation is missing its door key (d)'),
    );
    expect(parseJoinLink(without('exp'))).toEqual(
      refused('the invitation is missing its expiry (exp)'),
    );
    expect(parseJoinLink(without('c'))).toEqual(refused(DAMAGED('its checksum is missing')));
  });

  it('refuse "once" other than 1', () => {
    const base = paramsOf(BASE);
    for (const value of ['0', '2', 'true', 'yes', '11', '']) {
      expect(
        parseJoinLink(link([...base.slice(0, -1), ['once', value], ...base.slice(-1)])),
      ).toEqual(refused('the parameter "once" may only be 1'));
    }
    expect(parseJoinLink(`${formatTicket(BASE)}&once`)).toEqual(
      refused('the parameter "once" has no value'),
    );
    expect(
      parseJoinLink(formatTicket({ ...BASE, once: true }).replace('once=1', 'once=1&once=1')),
    ).toEqual(refused('the parameter "once" appears more than once'));
  });

  it('refuse a ticket or door key that is not 32 bytes of base64url, with a good checksum', () => {
    const bad = [
      T.slice(0, 42), // 42 characters
      `${T}A`, // 44 characters
      `${T.slice(0, 42)}B`, // 43 characters, but its last two bits are not zero
      `${T.slice(0, 42)}+`, // not base64url
      T.replaceAll('A', 'a').slice(0, 40), // short again
    ];
    for (const text of bad) {
      expect(isKeyText(text)).toBe(false);
      // A "+" is no percent-encoded character: that is the first refusal then.
      const plus = text.includes('+');
      const asTicket = { ...BASE, ticket: text };
      expect(parseJoinLink(link(paramsOf(asTicket)))).toEqual(
        refused(
          plus
            ? 'the parameter "t" is not properly percent-encoded'
            : 'the ticket must be 32 bytes in base64url (43 characters)',
        ),
      );
      const asDoor = { ...BASE, door: text };
      expect(parseJoinLink(link(paramsOf(asDoor)))).toEqual(
        refused(
          plus
            ? 'the parameter "d" is not properly percent-encoded'
            : 'the door key must be 32 bytes in base64url (43 characters)',
        ),
      );
    }
    expect(isKeyText(T)).toBe(true);
    expect(isKeyText(`${T.slice(0, 42)}E`)).toBe(true);
  });

  it('say that a malformed expiry is damage: 01, -5, 1e9, 1.5, 0, +5 or nothing', () => {
    // With the checksum of the link it came from: a typo. 14 digits is past what a link carries.
    for (const exp of ['01', '-5', '1e9', '1.5', '0', '%2B5', '', '0x10', '17000000000000']) {
      expect(parseJoinLink(link(paramsOf(BASE, { exp })))).toEqual(refused(MISMATCH));
    }
  });

  it('refuse a malformed expiry even with a checksum written over it', () => {
    // Anyone can compute a checksum: a malformed expiry reads as no time at all (NaN, which JSON
    // writes as null), and the field check refuses it.
    const nan = { ...BASE, expires: Number.NaN };
    for (const exp of ['01', '-5', '1e9', '1.5', '0', '']) {
      expect(parseJoinLink(link(paramsOf(BASE, { exp }, nan)))).toEqual(
        refused('the expiry must be a whole second after 1970'),
      );
    }
  });

  it('take expiries up to 2^40 seconds and refuse 2^40 as too far in the future', () => {
    const last = { ...BASE, expires: (2 ** 40 - 1) * 1000 };
    expect(parseJoinLink(formatTicket(last))).toEqual(ticketOf(last));
    expect(formatTicket(last)).toContain(`&exp=${2 ** 40 - 1}&`);
    const first = { ...BASE, expires: 1000 };
    expect(parseJoinLink(formatTicket(first))).toEqual(ticketOf(first));
    const far = { ...BASE, expires: 2 ** 40 * 1000 };
    expect(parseJoinLink(link(paramsOf(far)))).toEqual(
      refused('the expiry is too far in the future'),
    );
    const farther = { ...BASE, expires: 9_000_000_000_000 * 1000 };
    expect(parseJoinLink(link(paramsOf(farther)))).toEqual(
      refused('the expiry is too far in the future'),
    );
  });

  // Regression: exp=9999999999999 matches SECONDS (13 digits) and is past 2^40 seconds, but times
  // 1000 it is no safe integer; ticketError once answered "the expiry must be a whole second
  // after 1970" for it, because that check came first.
  it('say that an expiry of 13 nines is too far in the future, not before 1970', () => {
    const farthest = { ...BASE, expires: 9_999_999_999_999 * 1000 };
    expect(parseJoinLink(link(paramsOf(farthest)))).toEqual(
      refused('the expiry is too far in the future'),
    );
  });

  it('say that a link with any one field changed is damaged', () => {
    const text = formatTicket(FULL);
    const changed = [
      text.replace(`net=${NET}`, `net=${NET.slice(0, 10)}c${NET.slice(11)}`),
      text.replace(`net=${NET}`, `net=${NET.toUpperCase()}`),
      text.replace(`t=${T}`, `t=${T.slice(0, 5)}B${T.slice(6)}`),
      text.replace(`d=${D}`, `d=${D.slice(0, 5)}B${D.slice(6)}`),
      text.replace(`exp=${EXP / 1000}`, `exp=${EXP / 1000 + 1}`),
      text.replace(`exp=${EXP / 1000}`, `exp=${EXP / 1000 + 86_400 * 365}`),
      text.replace('&once=1', ''),
      text.replace('%3A4444', '%3A4445'),
      text.replace('&relay=ws%3A%2F%2F%5B%3A%3A1%5D%3A4444', ''),
      text.replace('&name=', '&relay=ws%3A%2F%2Fextra.org%3A1&name='),
      text.replace('Caf%C3%A9', 'Cafe'),
      text.replace(/&name=[^&]*/, ''),
      text.replace(/&c=[^&]*/, `&c=${'A'.repeat(16)}`),
      text.replace(/&c=[^&]*/, '&c=short'),
      text.slice(0, -3),
    ];
    for (const t of changed) {
      expect(t).not.toBe(text);
      expect(parseJoinLink(t)).toEqual(refused(MISMATCH));
    }
    const bare = formatTicket(BASE);
    expect(parseJoinLink(bare.replace('&c=', '&once=1&c='))).toEqual(refused(MISMATCH));
    expect(parseJoinLink(bare.replace('&c=', '&name=x&c='))).toEqual(refused(MISMATCH));
    // Cut inside the relays: no checksum at all.
    expect(parseJoinLink(text.slice(0, text.indexOf('4444') + 1))).toEqual(
      refused(DAMAGED('its checksum is missing')),
    );
  });

  it('refuse a fragment, a doubled version or field, an unknown parameter, or too much text', () => {
    const text = formatTicket(FULL);
    expect(parseJoinLink(`${text}#top`)).toEqual(
      refused('the invitation must not have a fragment (#)'),
    );
    expect(parseJoinLink(text.replace('v=3', 'v=3&v=3'))).toEqual(
      refused('the parameter "v" appears more than once'),
    );
    expect(parseJoinLink(text.replace('v=3', 'v=3&v=2'))).toEqual(
      refused('the parameter "v" appears more than once'),
    );
    // The first version decides who reads the link: version 2's parser refuses the same.
    expect(parseJoinLink(text.replace('v=3', 'v=2&v=3'))).toEqual(
      refused('the parameter "v" appears more than once'),
    );
    expect(parseJoinLink(text.replace(`t=${T}`, `t=${T}&t=${T}`))).toEqual(
      refused('the parameter "t" appears more than once'),
    );
    expect(parseJoinLink(text.replace('&c=', `&secret=${T}&c=`))).toEqual(
      refused('unknown parameter "secret"'),
    );
    expect(parseJoinLink(text.replace('&c=', '&x=1&c='))).toEqual(refused('unknown parameter "x"'));
    expect(parseJoinLink(text.replace('&c=', '&&c='))).toEqual(
      refused('the invitation has an empty parameter (a doubled or trailing &)'),
    );
    expect(parseJoinLink(text.replace('&c=', '&=1&c='))).toEqual(
      refused('the invitation has a parameter without a name'),
    );
    expect(parseJoinLink(text.replace('Caf%C3%A9', 'Caf%E2%80%AE'))).toEqual(
      refused('the parameter "name" contains control or invisible characters'),
    );
    expect(parseJoinLink(text.replace('Caf%C3%A9', 'Caf%C3'))).toEqual(
      refused('the parameter "name" is not properly percent-encoded'),
    );
    const long = `${text}&relay=${'a'.repeat(MAX_INVITATION_BYTES)}`;
    expect(parseJoinLink(long)).toEqual(
      refused(`the invitation is longer than ${MAX_INVITATION_BYTES} bytes`),
    );
    expect(parseJoinLink(`${text}\u200b`)).toEqual(
      refused('the invitation contains spaces or invisible characters'),
    );
    expect(parseJoinLink(`${text}\u0000`)).toEqual(
      refused('the invitation contains control characters'),
    );
    expect(parseJoinLink(42)).toEqual(refused('an invitation must be text'));
    expect(parseJoinLink(null)).toEqual(refused('an invitation must be text'));
    expect(parseJoinLink(text.replace('gpow:', 'gpaw:'))).toEqual(
      refused('not a GPoW invitation (it should start with gpow:join?)'),
    );
  });

  it("refuse the shared fields' problems behind a good checksum, as version 2 does", () => {
    const cases: Array<[TicketInvitation, string]> = [
      [
        { ...BASE, networkId: NET.toUpperCase() },
        'the network id must be 64 lowercase hex characters',
      ],
      [{ ...BASE, networkId: NET.slice(2) }, 'the network id must be 64 lowercase hex characters'],
      [
        { ...BASE, relays: ['http://a.org:1'] },
        'relay 1 ("http://a.org:1") must start with ws:// or wss://',
      ],
      [
        { ...BASE, relays: ['ws://a.org:1', 'ws://a.org:1'] },
        'relay 2 ("ws://a.org:1") is listed twice',
      ],
      [
        { ...BASE, relays: Array.from({ length: 17 }, (_, i) => `ws://a.org:${i + 1}`) },
        'too many relays (at most 16)',
      ],
      [{ ...BASE, name: ' Co' }, 'the network name must not start or end with a space'],
      [{ ...BASE, name: 'x'.repeat(65) }, 'the network name must be 1 to 64 characters'],
      [{ ...BASE, name: '' }, 'the network name must be 1 to 64 characters'],
    ];
    for (const [t, sentence] of cases) {
      expect(parseJoinLink(link(paramsOf(t)))).toEqual(refused(sentence));
      expect(() => formatTicket(t)).toThrow(`Cannot format the invitation: ${sentence}.`);
    }
  });

  it('refuse to format invalid fields or a link too long to parse', () => {
    const cases: Array<[TicketInvitation, string]> = [
      [{ ...BASE, ticket: T.slice(1) }, 'the ticket must be 32 bytes in base64url (43 characters)'],
      [{ ...BASE, ticket: `${T}=` }, 'the ticket must be 32 bytes in base64url (43 characters)'],
      [{ ...BASE, door: 'x' }, 'the door key must be 32 bytes in base64url (43 characters)'],
      [{ ...BASE, expires: 0 }, 'the expiry must be a whole second after 1970'],
      [{ ...BASE, expires: -1000 }, 'the expiry must be a whole second after 1970'],
      [{ ...BASE, expires: EXP + 1 }, 'the expiry must be a whole second after 1970'],
      [{ ...BASE, expires: EXP + 0.5 }, 'the expiry must be a whole second after 1970'],
      [{ ...BASE, expires: Number.NaN }, 'the expiry must be a whole second after 1970'],
      [{ ...BASE, expires: Infinity }, 'the expiry is too far in the future'],
      [{ ...BASE, expires: 2 ** 40 * 1000 }, 'the expiry is too far in the future'],
    ];
    for (const [t, sentence] of cases) {
      expect(() => formatTicket(t)).toThrow(`Cannot format the invitation: ${sentence}.`);
    }
    // 16 relays whose paths percent-encode to three times their length.
    const relays = Array.from(
      { length: 16 },
      (_, i) => `wss://relay${i}.example.org:443/${'$'.repeat(160)}`,
    );
    expect(() => formatTicket({ ...BASE, relays })).toThrow(
      `Cannot format the invitation: it would be longer than ${MAX_INVITATION_BYTES} bytes; list fewer or shorter relays.`,
    );
    // Five of them fit, and parse back.
    const five = { ...BASE, relays: relays.slice(0, 5) };
    expect(parseJoinLink(formatTicket(five))).toEqual(ticketOf(five));
  });
});

describe('parseJoinLink and parseInvitation side by side', () => {
  const inv: Invitation = {
    networkId: NET,
    secret: T,
    relays: ['ws://127.0.0.1:4444'],
    name: 'Co-op',
  };

  it('parseInvitation refuses a ticket link, saying how to open it', () => {
    expect(parseInvitation(formatTicket(FULL))).toEqual(refused(TICKET_LINK));
    expect(parseInvitation(formatTicket(BASE))).toEqual(refused(TICKET_LINK));
  });

  it('parseJoinLink passes a version 2 or 1 link through as a secret invitation', () => {
    const v2 = formatInvitation(inv);
    expect(parseJoinLink(v2)).toEqual(secretOf(inv));
    expect(parseJoinLink(` ${v2}\n`)).toEqual(secretOf(inv));
    const v1 = `gpow:join?v=1&net=${NET}&secret=${T}`;
    expect(parseJoinLink(v1)).toEqual(secretOf({ networkId: NET, secret: T, relays: [] }));
  });

  it("parseJoinLink gives a version 2 link's refusal as parseInvitation words it", () => {
    const v2 = formatInvitation(inv);
    const broken = [
      v2.replace('Co-op', 'Co-oq'),
      `${v2}#x`,
      v2.replace('v=2', 'v=4'),
      v2.replace('v=2&', ''),
      v2.replace('&c=', '&t=x&c='),
      'gpow:join?',
    ];
    for (const text of broken) {
      const answer = parseInvitation(text);
      expect(answer.ok).toBe(false);
      expect(parseJoinLink(text)).toEqual(answer);
    }
    expect(parseJoinLink(v2.replace('v=2', 'v=4'))).toEqual(
      refused('unsupported invitation version "4" (this app understands versions 1, 2 and 3)'),
    );
    expect(parseJoinLink(v2.replace('v=2&', ''))).toEqual(
      refused('the invitation is missing its version (v)'),
    );
  });

  it('a version 2 link with v changed to 3 is no ticket', () => {
    const answer = parseJoinLink(formatInvitation(inv).replace('v=2', 'v=3'));
    expect(answer).toEqual(refused('unknown parameter "secret"'));
  });
});

describe('ticketExpiredError', () => {
  it('is null before the expiry, and a dated sentence at and after it', () => {
    const sentence = 'this invitation expired on 2027-01-15 08:00 UTC: ask for a new one';
    expect(ticketExpiredError(BASE, EXP - 1)).toBeNull();
    expect(ticketExpiredError(BASE, 0)).toBeNull();
    expect(ticketExpiredError(BASE, EXP)).toBe(sentence);
    expect(ticketExpiredError(BASE, EXP + 1)).toBe(sentence);
    expect(ticketExpiredError(BASE, EXP + MAX_TICKET_MS)).toBe(sentence);
  });

  it('names the minute in UTC', () => {
    const t = { ...BASE, expires: Date.UTC(2030, 11, 31, 23, 59, 59) };
    expect(ticketExpiredError(t, t.expires)).toBe(
      'this invitation expired on 2030-12-31 23:59 UTC: ask for a new one',
    );
  });

  it('MAX_TICKET_MS is 90 days', () => {
    expect(MAX_TICKET_DAYS).toBe(90);
    expect(MAX_TICKET_MS).toBe(90 * 86_400_000);
  });
});
