// Pairing links are untrusted text from outside the app, like invitations: a round trip over
// generated links, every refusal with its sentence (links with a bad field are written here with
// a checksum computed independently, with node:crypto, so the field's own check is reached), and
// one-character changes, which are refused or are the same link spelled another way.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../shared/bytes.ts';
import type { KeyHex } from '../../shared/ids.ts';
import { formatInvitation, type Invitation } from '../../shared/net/invitation.ts';
import {
  formatPairingLink,
  MAX_PAIRING_BYTES,
  parsePairingLink,
  type PairingLink,
} from '../../shared/net/pairing.ts';

const SEED = 0x6770_0e01;
const MAX = 2n ** 63n - 1n;
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const INV: Invitation = {
  networkId: 'ab'.repeat(32),
  secret: b64(new Uint8Array(32).fill(7)),
  relays: ['wss://relay.example.org:443/signal'],
  name: 'Home',
};
const LINK: PairingLink = {
  invitation: INV,
  account: 'cd'.repeat(32) as KeyHex,
  secret: new Uint8Array(32).fill(3),
  name: 'Zoë’s phone',
  allowance: 2500n,
  cert: new Uint8Array(64).fill(9),
};

const DAMAGED = 'the pairing link is damaged or cut short: copy it again from the other device';
const NOT_PAIRING =
  'this is not a pairing link; a pairing link starts with gpow:pair? (make one on the other device)';
const JOIN = 'this is a network invitation, not a pairing link: use gpow join';
const remake = (problem: string) => `${problem}: make a new pairing link on the other device`;
const refused = (error: string) => ({ ok: false, error });
const accepted = (link: PairingLink) => ({ ok: true, link });

/** A link's fields as written, before percent-encoding. */
type Written = Record<'a' | 'k' | 'n' | 'l' | 's', string>;
const WRITTEN: Written = {
  a: LINK.account,
  k: b64(LINK.secret),
  n: LINK.name,
  l: '2500',
  s: b64(LINK.cert),
};

/** The checksum, computed here from its description with node:crypto. */
function checksum(w: Written, inv: Invitation = INV): string {
  const fields = [
    [inv.networkId, inv.secret, inv.relays, inv.name ?? null],
    w.a,
    w.k,
    w.n,
    w.l,
    w.s,
  ];
  return createHash('sha256')
    .update(`GPoW/pairing-link/v1\n${JSON.stringify(fields)}`)
    .digest()
    .subarray(0, 12)
    .toString('base64url');
}

/** A link with any written fields (valid or not) and a checksum that matches them. */
function craft(changes: Partial<Written> = {}): string {
  const w = { ...WRITTEN, ...changes };
  // Every value percent-encoded, as formatPairingLink does (a no-op on valid a, k, l and s).
  const e = Object.fromEntries(
    Object.entries(w).map(([key, value]) => [key, encodeURIComponent(value)]),
  ) as Written;
  const join = encodeURIComponent(formatInvitation(INV));
  return `gpow:pair?v=1&join=${join}&a=${e.a}&k=${e.k}&n=${e.n}&l=${e.l}&s=${e.s}&c=${checksum(w)}`;
}

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const deviceName = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 64 })
  .filter((n) => n.length <= 64 && n.trim() === n && !/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u.test(n));
const pairingLink: fc.Arbitrary<PairingLink> = fc.record({
  invitation: fc.record(
    {
      networkId: bytes(32).map(toHex),
      secret: bytes(32).map(b64),
      relays: fc.constantFrom(
        [],
        ['ws://127.0.0.1:4444'],
        ['wss://a.example.org:443/s', 'ws://[::1]:1'],
      ),
      name: fc.constantFrom('Home', 'Café & Co', 'Ω'),
    },
    { requiredKeys: ['networkId', 'secret', 'relays'] },
  ),
  account: bytes(32).map((b) => toHex(b) as KeyHex),
  secret: bytes(32),
  name: deviceName,
  allowance: fc.oneof(fc.constantFrom(0n, 1n, MAX), fc.bigInt({ min: 0n, max: MAX })),
  cert: bytes(64),
});

describe('formatPairingLink and parsePairingLink', () => {
  it('write the documented format, the checksum last', () => {
    expect(formatPairingLink(LINK)).toBe(craft());
    expect(craft()).toContain('&n=Zo%C3%AB%E2%80%99s%20phone&l=2500&');
    expect(parsePairingLink(craft())).toEqual(accepted(LINK));
  });

  it('round-trip generated links, with spaces around them and in both scheme forms', () => {
    fc.assert(
      fc.property(pairingLink, (link) => {
        const text = formatPairingLink(link);
        expect(parsePairingLink(text)).toEqual(accepted(link));
        expect(parsePairingLink(` \t${text}\r\n`)).toEqual(accepted(link));
        expect(parsePairingLink(text.replace('gpow:pair?', 'GPOW://PAIR?'))).toEqual(
          accepted(link),
        );
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('round-trip unicode names and the smallest and largest allowances', () => {
    const names = ['x', 'Laptop', 'Téléphone de Zoë', '日本語の端末', '🦊 fox den', 'a'.repeat(64)];
    for (const name of names) {
      for (const allowance of [0n, 1n, MAX]) {
        const link = { ...LINK, name, allowance };
        expect(parsePairingLink(formatPairingLink(link))).toEqual(accepted(link));
      }
    }
    expect(formatPairingLink({ ...LINK, allowance: MAX })).toContain('&l=9223372036854775807&');
  });

  it('accept re-encodings: parameters reordered, escapes in lower case or added', () => {
    const text = craft();
    const [head, query] = text.split('?') as [string, string];
    expect(parsePairingLink(`${head}?${query.split('&').reverse().join('&')}`)).toEqual(
      accepted(LINK),
    );
    expect(parsePairingLink(text.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()))).toEqual(
      accepted(LINK),
    );
    expect(parsePairingLink(text.replace('&l=2500', '&l=%32500'))).toEqual(accepted(LINK));
  });

  it('refuse what is not a pairing link, with a sentence that says what it is', () => {
    for (const input of [42, null, undefined, {}, ['gpow:pair?'], new Uint8Array(3)]) {
      expect(parsePairingLink(input)).toEqual(refused('a pairing link must be text'));
    }
    for (const input of ['', 'hello', 'https://example.org/?v=1', 'gpow:pay?v=1', `x${craft()}`]) {
      expect(parsePairingLink(input)).toEqual(refused(NOT_PAIRING));
    }
    const invitation = formatInvitation(INV);
    for (const input of [invitation, ` ${invitation}\n`, invitation.replace('gpow:', 'GPOW://')]) {
      expect(parsePairingLink(input)).toEqual(refused(JOIN));
    }
    const tooLong = `the pairing link is longer than ${MAX_PAIRING_BYTES} bytes: copy it again`;
    expect(parsePairingLink(`${craft()}${'a'.repeat(MAX_PAIRING_BYTES)}`)).toEqual(
      refused(tooLong),
    );
    // Fewer UTF-16 units than the bound, more UTF-8 bytes.
    expect(parsePairingLink(`gpow:pair?n=${'é'.repeat(4100)}`)).toEqual(refused(tooLong));
    for (const input of [craft().replace('&a=', ' &a='), craft().replace('&a=', '\u200b&a=')]) {
      expect(parsePairingLink(input)).toEqual(
        refused('the pairing link contains spaces, control or invisible characters: copy it again'),
      );
    }
  });

  it('refuse a missing, repeated or unknown version, and unknown or repeated parameters', () => {
    const link = craft();
    expect(parsePairingLink(link.replace('v=1&', ''))).toEqual(
      refused('the pairing link is missing its version (v): copy it again from the other device'),
    );
    const newer =
      'this pairing link is of a version this app does not understand (it knows version 1): update the app, or make a new link on the other device';
    for (const version of ['2', '01', '', '%31']) {
      expect(parsePairingLink(link.replace('v=1', `v=${version}`))).toEqual(refused(newer));
    }
    expect(parsePairingLink(link.replace('v=1&', 'v=1&v=1&'))).toEqual(
      refused(remake('the parameter "v" appears more than once')),
    );
    expect(parsePairingLink(link.replace('&c=', '&x=1&c='))).toEqual(
      refused(remake('the pairing link has an unknown parameter "x"')),
    );
    expect(parsePairingLink(link.replace('&c=', '&%E2%80%AE=1&c='))).toEqual(
      refused(remake('the pairing link has an unknown parameter (with an unreadable name)')),
    );
    expect(parsePairingLink(link.replace('&c=', '&n=Other&c='))).toEqual(
      refused(remake('the parameter "n" appears more than once')),
    );
  });

  it('refuse a link with a parameter missing, naming it', () => {
    const link = craft();
    const cases = {
      join: 'the network invitation (join)',
      a: 'the identity (a)',
      k: 'the pairing secret (k)',
      n: 'the device name (n)',
      l: 'the allowance (l)',
      s: 'the certificate (s)',
    };
    for (const [key, meaning] of Object.entries(cases)) {
      const without = link.replace(new RegExp(`&${key}=[^&]*`), '');
      expect(parsePairingLink(without)).toEqual(
        refused(remake(`the pairing link is missing ${meaning}`)),
      );
    }
    expect(parsePairingLink(link.replace(/&c=.*$/, ''))).toEqual(refused(DAMAGED));
  });

  it('refuse an invitation that parseInvitation refuses, with its sentence', () => {
    const join = encodeURIComponent(formatInvitation(INV));
    expect(parsePairingLink(craft().replace(join, 'nonsense'))).toEqual(
      refused(
        'the network invitation in this pairing link is refused: not a GPoW invitation (it should start with gpow:join?)',
      ),
    );
    expect(parsePairingLink(craft().replace(join, join.replace('%26c%3D', '%26c%3DA')))).toEqual(
      refused(
        'the network invitation in this pairing link is refused: this invitation is damaged or incomplete (its checksum does not match): copy it again or ask for a new one',
      ),
    );
  });

  it('refuse each invalid field, with its sentence, even under a matching checksum', () => {
    const account = remake('the identity (a) must be 64 lowercase hex characters');
    const secret = remake('the pairing secret (k) must be 32 bytes in base64url');
    const nameLength = remake('the device name must be 1 to 64 characters');
    const invisible = remake('the device name contains control or invisible characters');
    const allowance = remake(
      'the allowance (l) must be a whole number from 0 to 9223372036854775807, digits only',
    );
    const cert = remake('the certificate (s) must be 64 bytes in base64url');
    const cases: [Partial<Written>, string][] = [
      [{ a: 'CD'.repeat(32) }, account],
      [{ a: 'cd'.repeat(31) }, account],
      [{ a: `${'cd'.repeat(31)}zz` }, account],
      [{ k: b64(new Uint8Array(31)) }, secret],
      [{ k: b64(new Uint8Array(33)) }, secret],
      [{ k: `${WRITTEN.k.slice(0, -1)}B` }, secret], // nonzero trailing bits: a second spelling
      [{ k: `${WRITTEN.k}A` }, secret],
      [{ n: '' }, nameLength],
      [{ n: '   ' }, nameLength],
      [{ n: 'a'.repeat(65) }, nameLength],
      [{ n: '🦊'.repeat(33) }, nameLength], // 66 UTF-16 units, as the device transaction counts
      [{ n: 'evil\u202egnp.exe' }, invisible],
      [{ n: 'bell\u0007' }, invisible],
      [{ n: 'zero\u200bwidth' }, invisible],
      [{ n: ' Laptop' }, remake('the device name must not start or end with a space')],
      [{ l: '' }, allowance],
      [{ l: '01' }, allowance],
      [{ l: '-1' }, allowance],
      [{ l: '+1' }, allowance],
      [{ l: '1.5' }, allowance],
      [{ l: '1e3' }, allowance],
      [{ l: '9223372036854775808' }, allowance],
      [{ l: '99999999999999999999' }, allowance],
      [{ s: b64(new Uint8Array(63)) }, cert],
      [{ s: b64(new Uint8Array(65)) }, cert],
    ];
    for (const [change, error] of cases) {
      expect(parsePairingLink(craft(change))).toEqual(refused(error));
    }
    expect(parsePairingLink(craft({ l: '0' })).ok).toBe(true);
    expect(parsePairingLink(craft({ l: '9223372036854775807' })).ok).toBe(true);
  });

  it('say that a changed, cut or mangled link is damaged', () => {
    const link = craft();
    const changed = [
      link.replace('&l=2500', '&l=2501'),
      link.replace('&l=2500', '&l=25000'),
      link.replace(`&a=${WRITTEN.a}`, `&a=${'cd'.repeat(31)}ce`),
      link.replace('phone', 'phony'),
      link.replace(`&s=${WRITTEN.s}`, `&s=${WRITTEN.s.replace('J', 'K')}`),
      link.slice(0, -1),
      `${link}#fragment`,
      link.replace('&a=', '&&a='),
      `${link}&`,
      link.replace('&l=2500', '&l'),
      link.replace('&l=2500', '&l=%zz'),
      link.replace('&l=2500', '&l=%C3'),
      link.replace('&l=2500', '&l=25:00'),
    ];
    for (const text of changed) {
      expect(text).not.toBe(link);
      expect(parsePairingLink(text)).toEqual(refused(DAMAGED));
    }
  });

  it('refuse a link with any one character changed, or cut short anywhere, unless it is the same', () => {
    fc.assert(
      fc.property(
        pairingLink,
        fc.nat(),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
        (link, at, ch) => {
          const text = formatPairingLink(link);
          const i = at % text.length;
          fc.pre(text[i] !== ch);
          const result = parsePairingLink(text.slice(0, i) + ch + text.slice(i + 1));
          // Harmless changes exist: the scheme's case, or another spelling of an escape.
          if (result.ok) expect(result.link).toEqual(link);
          expect(parsePairingLink(text.slice(0, i)).ok).toBe(false);
        },
      ),
      { seed: SEED + 1, numRuns: 1000 },
    );
  });

  it('refuse to format an invalid link', () => {
    const cannot = (problem: string) => `Cannot format the pairing link: ${problem}.`;
    expect(() => formatPairingLink({ ...LINK, account: 'CD'.repeat(32) as KeyHex })).toThrow(
      cannot('the identity (a) must be 64 lowercase hex characters'),
    );
    expect(() => formatPairingLink({ ...LINK, secret: new Uint8Array(31) })).toThrow(
      cannot('the pairing secret (k) must be 32 bytes in base64url'),
    );
    expect(() => formatPairingLink({ ...LINK, name: 'lone \ud800' })).toThrow(
      cannot('the device name contains control or invisible characters'),
    );
    for (const allowance of [-1n, MAX + 1n]) {
      expect(() => formatPairingLink({ ...LINK, allowance })).toThrow(/the allowance \(l\)/);
    }
    expect(() => formatPairingLink({ ...LINK, cert: new Uint8Array(32) })).toThrow(
      cannot('the certificate (s) must be 64 bytes in base64url'),
    );
    expect(() => formatPairingLink({ ...LINK, invitation: { ...INV, networkId: 'x' } })).toThrow(
      /Cannot format the invitation/,
    );
  });
});
