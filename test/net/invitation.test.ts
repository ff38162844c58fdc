// Invitations are untrusted text from outside the app: a round trip over generated valid
// invitations, every refusal with its sentence, and the hashes that keep the network id away
// from relays and the LAN (checked against node:crypto, an independent SHA-256).
import { createHash } from 'node:crypto';
import { base64urlnopad } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../shared/bytes.ts';
import {
  discoveryTagOf,
  formatInvitation,
  generateJoinSecret,
  parseInvitation,
  relayUrlError,
  roomNameOf,
  type Invitation,
} from '../../shared/net/invitation.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';

const SEED = 0x6770_0101;
const NET = 'ab'.repeat(32);
const SECRET = base64urlnopad.encode(new Uint8Array(32).fill(7));
/** A version 1 link (older versions of the app wrote these; they are still accepted). */
const BASE = `gpow:join?v=1&net=${NET}&secret=${SECRET}`;
const WRONG_SCHEME = 'not a GPoW invitation (it should start with gpow:join?)';
const DAMAGED = (why: string) =>
  `this invitation is damaged or incomplete (${why}): copy it again or ask for a new one`;

/** The version 2 checksum, computed here from its description with node:crypto. */
const checksum = (inv: Invitation): string =>
  createHash('sha256')
    .update(
      `GPoW/invitation/v2\n${JSON.stringify([inv.networkId, inv.secret, inv.relays, inv.name ?? null])}`,
    )
    .digest()
    .subarray(0, 12)
    .toString('base64url');
const V2 = (inv: Invitation = { networkId: NET, secret: SECRET, relays: [] }) =>
  formatInvitation(inv);

const refused = (error: string) => ({ ok: false, error });
const accepted = (invitation: Invitation) => ({ ok: true, invitation });

// ---- Generators of valid invitations -------------------------------------------------------

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/);
const hostName = fc
  .tuple(fc.array(label, { maxLength: 3 }), fc.stringMatching(/^[a-z]{2,6}$/))
  .map(([labels, tld]) => [...labels, tld].join('.'));
const host = fc.oneof(
  hostName,
  fc.ipV4(),
  fc.ipV6().map((address) => `[${address}]`),
);
const path = fc.stringMatching(/^(?:\/[A-Za-z0-9\-._~!$&'()*+,;=:@]{0,6}){0,2}$/);
const relay = fc
  .record({
    scheme: fc.constantFrom('ws', 'wss'),
    host,
    port: fc.integer({ min: 1, max: 65535 }),
    path,
  })
  .map(({ scheme, host, port, path }) => `${scheme}://${host}:${port}${path}`);
const name = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 64 })
  .filter(
    (n) => !/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u.test(n) && n.trim() === n && [...n].length <= 64,
  );
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const invitation: fc.Arbitrary<Invitation> = fc.record(
  {
    networkId: bytes32.map(toHex),
    secret: bytes32.map((b) => base64urlnopad.encode(b)),
    relays: fc.uniqueArray(relay, { maxLength: 16 }),
    name,
  },
  { requiredKeys: ['networkId', 'secret', 'relays'] },
);

describe('formatInvitation and parseInvitation', () => {
  it('round-trip every valid invitation, in both link forms and with spaces around it', () => {
    fc.assert(
      fc.property(invitation, (inv) => {
        const link = formatInvitation(inv);
        expect(link.startsWith('gpow:join?v=2&net=')).toBe(true);
        expect(link.endsWith(`&c=${checksum(inv)}`)).toBe(true);
        expect(parseInvitation(link)).toEqual(accepted(inv));
        expect(parseInvitation(link.replace('gpow:', 'gpow://'))).toEqual(accepted(inv));
        expect(parseInvitation(`  ${link}\r\n`)).toEqual(accepted(inv));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('never throw on arbitrary text or on damaged links', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(typeof parseInvitation(text).ok).toBe('boolean');
        expect(typeof parseInvitation(`gpow:join?v=1&${text}`).ok).toBe('boolean');
        expect(typeof parseInvitation(`gpow:join?v=2&${text}`).ok).toBe('boolean');
      }),
      { seed: SEED + 1, numRuns: 500 },
    );
    fc.assert(
      fc.property(invitation, fc.nat(), fc.string({ maxLength: 3 }), (inv, at, insert) => {
        const link = formatInvitation(inv);
        const cut = at % (link.length + 1);
        const damaged = link.slice(0, cut) + insert + link.slice(cut + 1);
        const result = parseInvitation(damaged);
        if (result.ok) expect(formatInvitation(result.invitation).length).toBeGreaterThan(0);
        else expect(result.error.length).toBeGreaterThan(0);
      }),
      { seed: SEED + 2, numRuns: 300 },
    );
  });

  it('format version 2 in a fixed order, percent-encode relays and the name, checksum last', () => {
    const inv = {
      networkId: NET,
      secret: SECRET,
      relays: ['wss://relay.example.org:443/signal', 'ws://[::1]:4444'],
      name: 'Café & Co',
    };
    expect(formatInvitation(inv)).toBe(
      `gpow:join?v=2&net=${NET}&secret=${SECRET}&relay=wss%3A%2F%2Frelay.example.org%3A443%2Fsignal&relay=ws%3A%2F%2F%5B%3A%3A1%5D%3A4444&name=Caf%C3%A9%20%26%20Co&c=${checksum(inv)}`,
    );
    const bare = { networkId: NET, secret: SECRET, relays: [] };
    expect(V2()).toBe(`gpow:join?v=2&net=${NET}&secret=${SECRET}&c=${checksum(bare)}`);
    expect(checksum(bare)).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('accept parameters in any order, the scheme in any case, and re-encoded escapes', () => {
    const inv = { networkId: NET, secret: SECRET, relays: [], name: 'x' };
    expect(
      parseInvitation(`GPOW:JOIN?c=${checksum(inv)}&secret=${SECRET}&name=x&net=${NET}&v=2`),
    ).toEqual(accepted(inv));
    expect(parseInvitation(`GPOW:JOIN?secret=${SECRET}&name=x&net=${NET}&v=1`)).toEqual(
      accepted(inv),
    );
    const relayed = { networkId: NET, secret: SECRET, relays: ['ws://a.org:1'] };
    expect(parseInvitation(formatInvitation(relayed).replaceAll('%3A', '%3a'))).toEqual(
      accepted(relayed),
    );
  });

  it('still accept version 1 links (older versions wrote them), without a checksum', () => {
    expect(parseInvitation(`${BASE}&relay=ws%3A%2F%2Fa.org%3A1&name=x`)).toEqual(
      accepted({ networkId: NET, secret: SECRET, relays: ['ws://a.org:1'], name: 'x' }),
    );
  });

  it('refuse a version 2 link with any one character changed, or cut short anywhere', () => {
    fc.assert(
      fc.property(
        invitation,
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 1 }),
        (inv, at, ch) => {
          const link = formatInvitation(inv);
          // Past the scheme, whose case does not matter, and where the text really changes.
          const i = 'gpow:join?'.length + (at % (link.length - 'gpow:join?'.length));
          fc.pre(link[i] !== ch);
          const result = parseInvitation(link.slice(0, i) + ch + link.slice(i + 1));
          // A change may still be harmless: another spelling of the same escape (%3a for %3A).
          if (result.ok) expect(result.invitation).toEqual(inv);
          expect(parseInvitation(link.slice(0, i)).ok).toBe(false);
        },
      ),
      { seed: SEED + 4, numRuns: 1000 },
    );
  });

  it('say that a link with a changed network id, secret, relay or name is damaged', () => {
    const inv = { networkId: NET, secret: SECRET, relays: ['ws://127.0.0.1:4444'], name: 'Co-op' };
    const link = formatInvitation(inv);
    const changed = [
      link.replace(`net=${NET}`, `net=${NET.slice(0, 10)}c${NET.slice(11)}`),
      link.replace(`secret=${SECRET}`, `secret=${SECRET.slice(0, -2)}A${SECRET.slice(-1)}`),
      link.replace('4444', '4445'),
      link.replace('Co-op', 'Co-oq'),
      link.replace(`net=${NET}`, `net=${NET.toUpperCase()}`),
    ];
    for (const text of changed) {
      expect(text).not.toBe(link);
      expect(parseInvitation(text)).toEqual(refused(DAMAGED('its checksum does not match')));
    }
    const cutInPort = link.slice(0, link.indexOf('4444') + 1);
    expect(cutInPort.endsWith('%3A4')).toBe(true);
    expect(parseInvitation(cutInPort)).toEqual(refused(DAMAGED('its checksum is missing')));
    expect(parseInvitation(link.slice(0, -3))).toEqual(
      refused(DAMAGED('its checksum does not match')),
    );
  });

  it('refuse to format an invalid invitation or one too long to parse', () => {
    expect(() =>
      formatInvitation({ networkId: NET.toUpperCase(), secret: SECRET, relays: [] }),
    ).toThrow('Cannot format the invitation: the network id must be 64 lowercase hex characters.');
    const longRelays = Array.from(
      { length: 16 },
      (_, i) => `ws://relay${i}.example.org:4444/${':'.repeat(150)}`,
    );
    expect(() => formatInvitation({ networkId: NET, secret: SECRET, relays: longRelays })).toThrow(
      'it would be longer than 4096 bytes',
    );
    expect(() =>
      formatInvitation({ networkId: NET, secret: SECRET, relays: [], name: 'a\u202eb' }),
    ).toThrow(
      'Cannot format the invitation: the network name contains control or invisible characters.',
    );
  });
});

describe('parseInvitation refuses', () => {
  const cases: [string, unknown, string][] = [
    ['a number', 42, 'an invitation must be text'],
    ['null', null, 'an invitation must be text'],
    ['an object', { v: 1 }, 'an invitation must be text'],
    ['over 4 KiB', `${BASE}&name=${'a'.repeat(5000)}`, 'the invitation is longer than 4096 bytes'],
    // 2100 UTF-16 units, but 4200 UTF-8 bytes.
    [
      'over 4 KiB in UTF-8',
      `${BASE}&name=${'é'.repeat(2100)}`,
      'the invitation is longer than 4096 bytes',
    ],
    ['an empty string', '', WRONG_SCHEME],
    ['an https: link', `https://example.org/join?v=1&net=${NET}&secret=${SECRET}`, WRONG_SCHEME],
    ['another gpow: action', `gpow:open?v=1&net=${NET}&secret=${SECRET}`, WRONG_SCHEME],
    ['a y-webrtc room name', roomNameOf(NET), WRONG_SCHEME],
    ['a bare network id', NET, WRONG_SCHEME],
    [
      'a control character inside',
      `${BASE}\u0007&name=x`,
      'the invitation contains control characters',
    ],
    ['a tab inside', `gpow:join?v=1\t&net=${NET}`, 'the invitation contains control characters'],
    [
      'a space inside',
      `${BASE}&name=a b`,
      'the invitation contains spaces or invisible characters',
    ],
    [
      'a zero-width space',
      `${BASE}\u200b`,
      'the invitation contains spaces or invisible characters',
    ],
    ['a fragment', `${BASE}#top`, 'the invitation must not have a fragment (#)'],
    [
      'a missing version',
      `gpow:join?net=${NET}&secret=${SECRET}`,
      'the invitation is missing its version (v)',
    ],
    ['a doubled version', `${BASE}&v=1`, 'the parameter "v" appears more than once'],
    [
      'a newer version, even with parameters this one does not know',
      `gpow:join?v=4&net=${NET}&secret=${SECRET}&future=1`,
      'unsupported invitation version "4" (this app understands versions 1, 2 and 3)',
    ],
    [
      'a ticket link (version 3), which only the join paths redeem',
      `gpow:join?v=3&net=${NET}&t=x&c=y`,
      'this is a single-use or time-limited invitation: open it with "gpow join" or the Join screen, which redeem it with the inviter',
    ],
    [
      'an empty version',
      `gpow:join?v=&net=${NET}`,
      'unsupported invitation version "" (this app understands versions 1, 2 and 3)',
    ],
    [
      'a version 2 link without its checksum',
      `gpow:join?v=2&net=${NET}&secret=${SECRET}`,
      DAMAGED('its checksum is missing'),
    ],
    [
      'a version 2 link with a checksum of the wrong form',
      `gpow:join?v=2&net=${NET}&secret=${SECRET}&c=AAAA`,
      DAMAGED('its checksum does not match'),
    ],
    [
      'a version 2 link with two checksums',
      `${V2()}&c=AAAAAAAAAAAAAAAA`,
      'the parameter "c" appears more than once',
    ],
    [
      'a checksum in a version 1 link (it had none)',
      `${BASE}&c=AAAAAAAAAAAAAAAA`,
      'unknown parameter "c"',
    ],
    [
      'a missing network id',
      `gpow:join?v=1&secret=${SECRET}`,
      'the invitation is missing its network id (net)',
    ],
    [
      'a missing secret',
      `gpow:join?v=1&net=${NET}`,
      'the invitation is missing its join secret (secret)',
    ],
    ['a doubled network id', `${BASE}&net=${NET}`, 'the parameter "net" appears more than once'],
    [
      'a doubled secret',
      `${BASE}&secret=${SECRET}`,
      'the parameter "secret" appears more than once',
    ],
    ['a doubled name', `${BASE}&name=a&name=b`, 'the parameter "name" appears more than once'],
    ['an unknown parameter', `${BASE}&colour=red`, 'unknown parameter "colour"'],
    ['a parameter without a name', `${BASE}&=red`, 'the invitation has a parameter without a name'],
    [
      'an empty parameter',
      `gpow:join?v=1&&net=${NET}`,
      'the invitation has an empty parameter (a doubled or trailing &)',
    ],
    ['a trailing &', `${BASE}&`, 'the invitation has an empty parameter (a doubled or trailing &)'],
    ['a parameter without a value', `${BASE}&name`, 'the parameter "name" has no value'],
    [
      'an uppercase network id',
      `gpow:join?v=1&net=${NET.toUpperCase()}&secret=${SECRET}`,
      'the network id must be 64 lowercase hex characters',
    ],
    [
      'a short network id',
      `gpow:join?v=1&net=${NET.slice(2)}&secret=${SECRET}`,
      'the network id must be 64 lowercase hex characters',
    ],
    [
      'a non-hex network id',
      `gpow:join?v=1&net=${'zz'.repeat(32)}&secret=${SECRET}`,
      'the network id must be 64 lowercase hex characters',
    ],
    [
      'a short secret',
      `gpow:join?v=1&net=${NET}&secret=${SECRET.slice(1)}`,
      'the join secret must be 32 bytes in base64url without padding (43 characters)',
    ],
    [
      'a secret with (encoded) padding',
      `gpow:join?v=1&net=${NET}&secret=${SECRET}%3D`,
      'the join secret must be 32 bytes in base64url without padding (43 characters)',
    ],
    [
      'a secret in standard base64',
      `gpow:join?v=1&net=${NET}&secret=${'%2B'.repeat(43)}`,
      'the join secret must be 32 bytes in base64url without padding (43 characters)',
    ],
    [
      'a secret whose unused bits are set (a second spelling of the same bytes)',
      `gpow:join?v=1&net=${NET}&secret=${'_'.repeat(42)}9`,
      'the join secret must be 32 bytes in base64url without padding (43 characters)',
    ],
    ['a bad escape', `${BASE}&name=%zz`, 'the parameter "name" is not properly percent-encoded'],
    [
      'a truncated UTF-8 escape',
      `${BASE}&name=%E2%82`,
      'the parameter "name" is not properly percent-encoded',
    ],
    [
      'an encoded lone surrogate',
      `${BASE}&name=%ED%A0%80`,
      'the parameter "name" is not properly percent-encoded',
    ],
    [
      'an unencoded relay URL',
      `${BASE}&relay=ws://a.org:1`,
      'the parameter "relay" is not properly percent-encoded',
    ],
    ['a + for a space', `${BASE}&name=a+b`, 'the parameter "name" is not properly percent-encoded'],
    [
      'an encoded control character',
      `${BASE}&name=a%00b`,
      'the parameter "name" contains control or invisible characters',
    ],
    [
      'an encoded bidi override',
      `${BASE}&name=a%E2%80%AEb`,
      'the parameter "name" contains control or invisible characters',
    ],
    ['an empty name', `${BASE}&name=`, 'the network name must be 1 to 64 characters'],
    [
      'a name of 65 characters',
      `${BASE}&name=${'n'.repeat(65)}`,
      'the network name must be 1 to 64 characters',
    ],
    [
      'a name with a leading space',
      `${BASE}&name=%20n`,
      'the network name must not start or end with a space',
    ],
    ['an empty relay', `${BASE}&relay=`, 'relay 1 ("") must start with ws:// or wss://'],
    [
      'an http relay',
      `${BASE}&relay=ws%3A%2F%2Fa.org%3A1&relay=http%3A%2F%2Fa.org%3A80`,
      'relay 2 ("http://a.org:80") must start with ws:// or wss://',
    ],
    [
      'a relay without a port',
      `${BASE}&relay=wss%3A%2F%2Fa.org`,
      'relay 1 ("wss://a.org") needs an explicit port (such as :4444)',
    ],
    [
      'a relay with user info',
      `${BASE}&relay=ws%3A%2F%2Fme%3Apw%40a.org%3A1`,
      'relay 1 ("ws://me:pw@a.org:1") must not contain a user name or password (@)',
    ],
    [
      'a relay with a query',
      `${BASE}&relay=ws%3A%2F%2Fa.org%3A1%2F%3Fx%3D1`,
      'relay 1 ("ws://a.org:1/?x=1") must not have a query (?) or fragment (#)',
    ],
    [
      'a relay on port 0',
      `${BASE}&relay=ws%3A%2F%2Fa.org%3A0`,
      'relay 1 ("ws://a.org:0") has an invalid port (it must be a number from 1 to 65535)',
    ],
    [
      'the same relay twice',
      `${BASE}&relay=ws%3A%2F%2Fa.org%3A1&relay=ws%3A%2F%2Fa.org%3A1`,
      'relay 2 ("ws://a.org:1") is listed twice',
    ],
    [
      'a relay over 200 characters',
      `${BASE}&relay=ws%3A%2F%2Fa.org%3A1%2F${'p'.repeat(200)}`,
      `relay 1 ("ws://a.org:1/${'p'.repeat(67)}…") is longer than 200 characters`,
    ],
    [
      'seventeen relays',
      BASE + Array.from({ length: 17 }, (_, i) => `&relay=ws%3A%2F%2Fa.org%3A${i + 1}`).join(''),
      'too many relays (at most 16)',
    ],
  ];
  it.each(cases)('%s', (_title, input, error) => {
    expect(parseInvitation(input)).toEqual(refused(error));
  });
});

describe('relayUrlError', () => {
  it.each([
    'ws://localhost:4444',
    'wss://relay.example.org:443/signal',
    'ws://192.168.1.10:4444',
    'ws://[::1]:4444',
    'ws://[::ffff:192.0.2.1]:1',
    'ws://[2001:db8:0:0:0:0:0:1]:65535',
    'ws://Relay.Example.ORG:80/a%20b/c',
  ])('accepts %s', (url) => {
    expect(relayUrlError(url)).toBeNull();
  });

  it.each([
    [
      'ws://1.2.3.999:1',
      'has an invalid host (a name or IPv4 address; IPv6 addresses go in brackets)',
    ],
    [
      'ws://010.0.0.1:1',
      'has an invalid host (a name or IPv4 address; IPv6 addresses go in brackets)',
    ],
    [
      'ws://-a.org:1',
      'has an invalid host (a name or IPv4 address; IPv6 addresses go in brackets)',
    ],
    [
      'ws://a..org:1',
      'has an invalid host (a name or IPv4 address; IPv6 addresses go in brackets)',
    ],
    ['ws://:1', 'has an invalid host (a name or IPv4 address; IPv6 addresses go in brackets)'],
    [
      'ws://::1:4444',
      'has an invalid host (a name or IPv4 address; IPv6 addresses go in brackets)',
    ],
    [
      'ws://exämple.org:1',
      'has an invalid host (a name or IPv4 address; IPv6 addresses go in brackets)',
    ],
    ['ws://[fe80::1%25eth0]:1', 'has an invalid IPv6 address'],
    ['ws://[1:2:3:4:5:6:7:8:9]:1', 'has an invalid IPv6 address'],
    ['ws://[1::2::3]:1', 'has an invalid IPv6 address'],
    ['ws://[::1:1', 'has an IPv6 address without its closing ]'],
    ['ws://[::1]', 'needs an explicit port (such as :4444)'],
    ['ws://a.org:', 'has an invalid port (it must be a number from 1 to 65535)'],
    ['ws://a.org:04444', 'has an invalid port (it must be a number from 1 to 65535)'],
    ['ws://a.org:65536', 'has an invalid port (it must be a number from 1 to 65535)'],
    ['ws://a.org:1/a b', 'has an invalid path'],
    ['ws://a.org:1/%zz', 'has an invalid path'],
    ['ws://a.org:1#x', 'must not have a query (?) or fragment (#)'],
    ['WS://a.org:1', 'must start with ws:// or wss://'],
  ])('refuses %s: %s', (url, error) => {
    expect(relayUrlError(url)).toBe(error);
  });
});

describe('generateJoinSecret', () => {
  it('encodes 32 random bytes as 43 base64url characters that an invitation accepts', () => {
    const expected = deterministicRandom('join secret').bytes(32);
    const secret = generateJoinSecret(deterministicRandom('join secret'));
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(base64urlnopad.decode(secret)).toEqual(expected);
    expect(parseInvitation(`gpow:join?v=1&net=${NET}&secret=${secret}`).ok).toBe(true);
    expect(generateJoinSecret(deterministicRandom('another'))).not.toBe(secret);
  });

  it('refuses a random source that returns the wrong number of bytes', () => {
    expect(() => generateJoinSecret({ bytes: () => new Uint8Array(31) })).toThrow(
      'The random source returned 31 bytes instead of 32.',
    );
  });
});

describe('roomNameOf and discoveryTagOf', () => {
  const sha256Hex = (label: string, id: string): string =>
    createHash('sha256').update(label).update(Buffer.from(id, 'hex')).digest('hex');

  it('are domain-separated SHA-256 hashes of the network id', () => {
    expect(roomNameOf(NET)).toBe(`gpow-${sha256Hex('GPoW/room/v1\n', NET).slice(0, 32)}`);
    expect(discoveryTagOf(NET)).toBe(sha256Hex('GPoW/mdns/v1\n', NET).slice(0, 16));
  });

  it('are deterministic, differ from each other, and hide the network id', () => {
    fc.assert(
      fc.property(bytes32.map(toHex), bytes32.map(toHex), (id, other) => {
        const room = roomNameOf(id);
        const tag = discoveryTagOf(id);
        expect(room).toMatch(/^gpow-[0-9a-f]{32}$/);
        expect(tag).toMatch(/^[0-9a-f]{16}$/);
        expect(roomNameOf(id)).toBe(room);
        expect(discoveryTagOf(id)).toBe(tag);
        // Neither is a prefix of the other's hash, and no 16-character piece of the id shows.
        expect(room.slice(5, 21)).not.toBe(tag);
        for (let i = 0; i + 16 <= id.length; i += 8) {
          expect(room).not.toContain(id.slice(i, i + 16));
          expect(tag).not.toBe(id.slice(i, i + 16));
        }
        if (other !== id) {
          expect(roomNameOf(other)).not.toBe(room);
          expect(discoveryTagOf(other)).not.toBe(tag);
        }
      }),
      { seed: SEED + 3, numRuns: 100 },
    );
  });

  it('refuse anything but a 64-character lowercase hex network id', () => {
    for (const bad of [NET.toUpperCase(), NET.slice(1), `${NET}00`, 'zz'.repeat(32)]) {
      expect(() => roomNameOf(bad)).toThrow('A network id must be 64 lowercase hex characters.');
      expect(() => discoveryTagOf(bad)).toThrow(
        'A network id must be 64 lowercase hex characters.',
      );
    }
  });
});
