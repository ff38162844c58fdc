// The door of a ticket link (docs/protocol.md §13.9) and the inviter's records of its tickets.
// shared/net/door.ts: a grant gives the knocker back the exact join secret and nobody else can
// read or forge one; refusals are signed too; every entry of the door room is parsed strictly
// (version, size, canonical CBOR, no extra fields); the room and its password are HKDF as the
// header describes (checked with node:crypto). shared/net/tickets.ts: the limits of
// createTicket, the rule of the door as a table, recordUse, keptTickets and parseTicketRecords.
import { createHash, hkdfSync } from 'node:crypto';
import { base64urlnopad } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../shared/bytes.ts';
import { decodeCanonical, encodeCanonical, type CborValue } from '../../shared/codec/cbor.ts';
import { publicKeyOf, signMessage } from '../../shared/crypto/ed25519.ts';
import {
  DOOR_VERSION,
  doorRoomOf,
  encodeGrant,
  encodeKnock,
  encodeRefusal,
  MAX_DOOR_ENTRY_BYTES,
  parseDoorEntry,
  readAnswer,
  refusalSentence,
  REFUSALS,
  type Answer,
  type DoorKey,
  type Refusal,
} from '../../shared/net/door.ts';
import { formatTicket, isKeyText, MAX_TICKET_MS, parseJoinLink } from '../../shared/net/ticket.ts';
import {
  findTicket,
  createTicket,
  decideKnock,
  doorPublicOf,
  isOpen,
  keptTickets,
  MAX_OPEN_TICKETS,
  MAX_TICKET_USES,
  parseTicketRecords,
  recordUse,
  TICKET_KEPT_MS,
  ticketFields,
  type TicketRecord,
} from '../../shared/net/tickets.ts';
import { openKey, sealKey, SSK_ALG_X25519_XCHACHA, type SskMeta } from '../../shared/ssk/box.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import { verifier } from '../helpers/network.ts';
import { bitFlips, junkInputs, rewrite } from '../ssk/parties.ts';

const NET = 'cd'.repeat(32);
const OTHER_NET = 'ef'.repeat(32);
const NOW = 1_700_000_000_000;
const NOT_SIGNED = 'an answer at the door is not signed by the inviter';

const keyOf = (name: string): DoorKey => {
  const secret = createHash('sha256').update(`door test key ${name}`).digest();
  const s = Uint8Array.from(secret);
  return { secret: s, public: publicKeyOf(s) };
};
const door = keyOf('door');
const otherDoor = keyOf('another door');
const bob = keyOf('bob knocks');
const carol = keyOf('carol knocks');
const JOIN_SECRET = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);

const grantFor = (to: DoorKey, key = door, net = NET, label = 'grant'): Uint8Array =>
  encodeGrant(net, key, to.public, JOIN_SECRET, NOW, deterministicRandom(label));

/** Parses an entry that must be an answer. */
function answerOf(bytes: Uint8Array): Answer {
  const parsed = parseDoorEntry(bytes);
  if (!parsed.ok) throw new Error(parsed.error);
  if (parsed.entry.kind !== 'answer') throw new Error('not an answer');
  return parsed.entry.answer;
}

/** What the door signs, written out from the header of door.ts. */
function signedPart(to: Uint8Array, said: { box: Uint8Array } | { why: string }, key = door) {
  return encodeCanonical({ d: 'GPoW/door/v1', net: fromHex(NET), door: key.public, to, ...said });
}

/** A grant made by hand: `box` signed by `key` as the header says. */
function handGrant(to: Uint8Array, box: Uint8Array, key = door): Answer {
  return { k: 'grant', to, box, sig: signMessage(key.secret, signedPart(to, { box }, key)) };
}

const read = (answer: Answer, mine: DoorKey, doorPublic = door.public, net = NET) =>
  readAnswer(answer, net, doorPublic, mine, verifier);

describe('door answers', () => {
  it('a grant gives the knocker back the exact 32-byte join secret', async () => {
    const bytes = grantFor(bob);
    expect(bytes.length).toBeLessThanOrEqual(MAX_DOOR_ENTRY_BYTES);
    const answer = answerOf(bytes);
    expect(answer.k).toBe('grant');
    expect(toHex(answer.to)).toBe(toHex(bob.public));
    const result = await read(answer, bob);
    expect(result).toEqual({ ok: true, secret: JOIN_SECRET });
    if (result.ok) expect(result.secret.length).toBe(32);
  });

  it('a grant is sealed to the knocker by the door, for this network, in a box of generation 1', () => {
    const answer = answerOf(grantFor(bob));
    if (answer.k !== 'grant') throw new Error('not a grant');
    const ctx = { network: fromHex(NET), sender: door.public, recipient: bob.public, epoch: 1 };
    const opened = openKey(answer.box, bob.secret, ctx);
    expect(opened.ok).toBe(true);
    if (opened.ok) {
      expect(opened.key).toEqual(JOIN_SECRET);
      expect(opened.meta).toEqual({ epoch: 1, alg: 1, created: NOW, purpose: 'join secret' });
    }
    // A ticket holder reading the room learns nothing from it.
    const ctxCarol = { ...ctx, recipient: carol.public };
    expect(openKey(answer.box, carol.secret, ctxCarol).ok).toBe(false);
    // The signature is over the documented part.
    const sig = signMessage(door.secret, signedPart(bob.public, { box: answer.box }));
    expect(toHex(answer.sig)).toBe(toHex(sig));
  });

  it('a refusal of each kind reads back as that refusal, and the sentence says what to do', async () => {
    const sentences: Record<Refusal, string> = {
      used: 'this invitation was for one person and has already been used: ask for a new one',
      expired: 'this invitation has expired: ask for a new one',
      revoked: 'the inviter withdrew this invitation: ask for a new one',
    };
    expect([...REFUSALS].sort()).toEqual(['expired', 'revoked', 'used']);
    for (const why of REFUSALS) {
      const bytes = encodeRefusal(NET, door, bob.public, why);
      const answer = answerOf(bytes);
      expect(answer).toMatchObject({ k: 'refuse', why });
      expect(await read(answer, bob)).toEqual({ ok: false, refused: why });
      expect(refusalSentence(why)).toBe(sentences[why]);
      // Signed as the header says.
      expect(toHex(answer.sig)).toBe(
        toHex(signMessage(door.secret, signedPart(bob.public, { why }))),
      );
    }
  });

  it('an answer signed by another key is not the inviter’s', async () => {
    const grant = answerOf(grantFor(bob, otherDoor));
    expect(await read(grant, bob)).toEqual({ ok: false, error: NOT_SIGNED });
    for (const why of REFUSALS) {
      const refusal = answerOf(encodeRefusal(NET, otherDoor, bob.public, why));
      expect(await read(refusal, bob)).toEqual({ ok: false, error: NOT_SIGNED });
    }
    // It does verify against the key that did sign it: the refusal above is about the key.
    expect((await read(grant, bob, otherDoor.public)).ok).toBe(true);
  });

  it("an answer for another knocker's key does not verify for me, whatever its `to` says", async () => {
    const forCarol = answerOf(grantFor(carol));
    expect((await read(forCarol, carol)).ok).toBe(true);
    expect(await read(forCarol, bob)).toEqual({ ok: false, error: NOT_SIGNED });
    expect(await read({ ...forCarol, to: bob.public }, bob)).toEqual({
      ok: false,
      error: NOT_SIGNED,
    });
    const refusal = answerOf(encodeRefusal(NET, door, carol.public, 'used'));
    expect(await read(refusal, bob)).toEqual({ ok: false, error: NOT_SIGNED });
  });

  it('an answer for another network, or with its reason or kind changed, does not verify', async () => {
    const grant = answerOf(grantFor(bob, door, OTHER_NET));
    expect(await read(grant, bob)).toEqual({ ok: false, error: NOT_SIGNED });
    expect((await read(grant, bob, door.public, OTHER_NET)).ok).toBe(true);
    const used = answerOf(encodeRefusal(NET, door, bob.public, 'used'));
    if (used.k !== 'refuse') throw new Error('not a refusal');
    expect(await read({ ...used, why: 'expired' }, bob)).toEqual({ ok: false, error: NOT_SIGNED });
    // A refusal's signature on a grant, and a grant's on a refusal.
    const real = answerOf(grantFor(bob));
    if (real.k !== 'grant') throw new Error('not a grant');
    expect(await read({ ...real, sig: used.sig }, bob)).toEqual({ ok: false, error: NOT_SIGNED });
    expect(await read({ ...used, sig: real.sig }, bob)).toEqual({ ok: false, error: NOT_SIGNED });
  });

  it('a grant whose box or signature was altered is refused with a sentence', async () => {
    const real = answerOf(grantFor(bob));
    if (real.k !== 'grant') throw new Error('not a grant');
    let altered = 0;
    for (const [, box] of bitFlips(real.box)) {
      expect(await read({ ...real, box }, bob)).toEqual({ ok: false, error: NOT_SIGNED });
      altered++;
    }
    for (const [, sig] of bitFlips(real.sig)) {
      expect(await read({ ...real, sig }, bob)).toEqual({ ok: false, error: NOT_SIGNED });
    }
    expect(altered).toBe(real.box.length * 2);
    // Altered bytes on the wire: refused by the parser, or by the signature.
    for (const [, bytes] of bitFlips(grantFor(bob))) {
      const parsed = parseDoorEntry(bytes);
      if (!parsed.ok) {
        expect(parsed.error).toMatch(/^(malformed|unsupported) door message/);
        continue;
      }
      if (parsed.entry.kind !== 'answer') continue;
      const result = await read(parsed.entry.answer, bob);
      // Only a change of `to`, which the signature does not need, can leave it intact.
      if (result.ok) expect(toHex(parsed.entry.answer.to)).not.toBe(toHex(bob.public));
      else expect('error' in result && result.error).toBe(NOT_SIGNED);
    }
  });

  it('a box the door did sign but that does not open for me is refused with a sentence', async () => {
    const meta: SskMeta = {
      epoch: 1,
      alg: SSK_ALG_X25519_XCHACHA,
      created: NOW,
      purpose: 'join secret',
    };
    const ctx = { network: fromHex(NET), sender: door.public, recipient: bob.public, epoch: 1 };
    const random = deterministicRandom('door test boxes');
    const boxes: Array<[string, Uint8Array]> = [
      [
        'another network',
        sealKey(JOIN_SECRET, meta, { ...ctx, network: fromHex(OTHER_NET) }, random),
      ],
      ['another sender', sealKey(JOIN_SECRET, meta, { ...ctx, sender: otherDoor.public }, random)],
      [
        'another recipient',
        sealKey(JOIN_SECRET, meta, { ...ctx, recipient: carol.public }, random),
      ],
      [
        'another generation',
        sealKey(JOIN_SECRET, { ...meta, epoch: 2 }, { ...ctx, epoch: 2 }, random),
      ],
      ['no box at all', utf8('not a box')],
      ['an empty box', new Uint8Array(0)],
    ];
    for (const [what, box] of boxes) {
      const result = await read(handGrant(bob.public, box), bob);
      expect(result.ok, what).toBe(false);
      if (result.ok || result.refused !== undefined) throw new Error(`${what} was not refused`);
      expect(result.error, what).toMatch(/^the inviter's answer does not open: .{10,}/);
    }
    // The same by hand with the right box opens: the refusals above are about the boxes.
    const good = sealKey(JOIN_SECRET, meta, ctx, random);
    expect(await read(handGrant(bob.public, good), bob)).toEqual({ ok: true, secret: JOIN_SECRET });
  });

  it('encodeGrant refuses a join secret of another length (a bug of the caller)', () => {
    const random = deterministicRandom('short');
    expect(() => encodeGrant(NET, door, bob.public, new Uint8Array(16), NOW, random)).toThrow();
  });
});

describe('parseDoorEntry', () => {
  const who = keyOf('bob identity').public;

  it('reads a knock with and without `who`', () => {
    // The knock comes back as parsed (its v and k too); what matters is `to` and `who`.
    const knockOf = (bytes: Uint8Array) => {
      const parsed = parseDoorEntry(bytes);
      if (!parsed.ok) throw new Error(parsed.error);
      if (parsed.entry.kind !== 'knock') throw new Error('not a knock');
      return parsed.entry.knock;
    };
    const bare = knockOf(encodeKnock({ to: bob.public }));
    expect(bare.to).toEqual(bob.public);
    expect(bare.who).toBeUndefined();
    const withWho = knockOf(encodeKnock({ to: bob.public, who }));
    expect(withWho.to).toEqual(bob.public);
    expect(withWho.who).toEqual(who);
    // The documented form, written out.
    expect(toHex(encodeKnock({ to: bob.public, who }))).toBe(
      toHex(encodeCanonical({ v: 1, k: 'knock', to: bob.public, who })),
    );
  });

  // Regression: a knock whose key decoded to no curve point was read, and sealing the grant to
  // it then threw inside the door keeper's Yjs observer, on a remote peer's update.
  it('refuses a knock whose key is not a usable public key, so no seal is ever tried', () => {
    const notAPoint = new Uint8Array(32).fill(0xff);
    notAPoint[31] = 0x7f;
    expect(() =>
      encodeGrant(NET, door, notAPoint, new Uint8Array(32), NOW, deterministicRandom('p')),
    ).toThrow();
    for (const to of [notAPoint, new Uint8Array(32)]) {
      const parsed = parseDoorEntry(encodeKnock({ to }));
      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.error).toContain('the knock key is not a public key');
    }
  });

  it('refuses another version, saying which', () => {
    expect(DOOR_VERSION).toBe(1);
    for (const v of [0, 2, 255]) {
      expect(parseDoorEntry(encodeCanonical({ v, k: 'knock', to: bob.public }))).toEqual({
        ok: false,
        error: `unsupported door message version ${v} (this peer opens version 1)`,
      });
    }
    expect(parseDoorEntry(encodeCanonical({ k: 'knock', to: bob.public }))).toEqual({
      ok: false,
      error: 'unsupported door message version undefined (this peer opens version 1)',
    });
  });

  it(`takes an entry of ${MAX_DOOR_ENTRY_BYTES} bytes and refuses one byte more`, () => {
    const sig = new Uint8Array(64).fill(9);
    const grantOf = (n: number) =>
      encodeCanonical({ v: 1, k: 'grant', to: bob.public, box: new Uint8Array(n), sig });
    let n = 0;
    while (grantOf(n + 1).length <= MAX_DOOR_ENTRY_BYTES) n++;
    const fits = grantOf(n);
    expect(fits.length).toBe(MAX_DOOR_ENTRY_BYTES);
    expect(parseDoorEntry(fits).ok).toBe(true);
    const over = grantOf(n + 1);
    expect(over.length).toBe(MAX_DOOR_ENTRY_BYTES + 1);
    expect(parseDoorEntry(over)).toEqual({
      ok: false,
      error: `malformed door message: ${MAX_DOOR_ENTRY_BYTES + 1} bytes exceeds the limit of ${MAX_DOOR_ENTRY_BYTES}`,
    });
    const knock = new Uint8Array(MAX_DOOR_ENTRY_BYTES + 1);
    knock.set(encodeKnock({ to: bob.public }));
    expect(parseDoorEntry(knock).ok).toBe(false);
  });

  it('refuses non-canonical CBOR: a long integer, a long length, unsorted keys, indefinite lengths', () => {
    const canonical = encodeKnock({ to: bob.public });
    const hex = toHex(canonical);
    // a3 | 61 6b 65 'knock' | 61 76 01 | 62 'to' 58 20 <32 bytes>
    expect(hex.startsWith('a3616b656b6e6f636b61760162746f5820')).toBe(true);
    const body = hex.slice('a3616b656b6e6f636b61760162746f5820'.length);
    const variants = [
      `a3616b656b6e6f636b6176180162746f5820${body}`, // v as a 1-byte-argument integer
      `a3616b656b6e6f636b61760162746f590020${body}`, // `to`'s length in two bytes
      `a3617601616b656b6e6f636b62746f5820${body}`, // v before k: keys out of order
      `bf616b656b6e6f636b61760162746f5820${body}ff`, // an indefinite-length map
      `a3616b7f656b6e6f636bff61760162746f5820${body}`, // an indefinite-length text
      `b803616b656b6e6f636b61760162746f5820${body}`, // the map's size in one more byte
      `${hex}00`, // a trailing byte
    ];
    for (const v of variants) {
      const bytes = fromHex(v);
      expect(decodeCanonical(bytes, 1024).ok, v).toBe(false);
      const parsed = parseDoorEntry(bytes);
      expect(parsed.ok, v).toBe(false);
      if (!parsed.ok) expect(parsed.error).toMatch(/^malformed door message: ./);
    }
    expect(parseDoorEntry(canonical).ok).toBe(true);
  });

  it('refuses extra fields, wrong kinds and wrong sizes', () => {
    const sig = new Uint8Array(64).fill(1);
    const cases: CborValue[] = [
      { v: 1, k: 'knock', to: bob.public, x: 1 },
      { v: 1, k: 'knock', to: bob.public, who, sig },
      { v: 1, k: 'knock', to: bob.public.subarray(0, 31) },
      { v: 1, k: 'knock', to: bob.public, who: who.subarray(1) },
      { v: 1, k: 'knock', to: toHex(bob.public) },
      { v: 1, k: 'knock' },
      { v: 1, k: 'hello', to: bob.public },
      { v: 1, k: 'grant', to: bob.public, box: new Uint8Array(8), sig, why: 'used' },
      { v: 1, k: 'grant', to: bob.public, box: 'box', sig },
      { v: 1, k: 'grant', to: bob.public, sig },
      { v: 1, k: 'grant', to: bob.public, box: new Uint8Array(8), sig: sig.subarray(1) },
      { v: 1, k: 'refuse', to: bob.public, why: 'lost', sig },
      { v: 1, k: 'refuse', to: bob.public, why: 'used' },
      { v: 1, k: 'refuse', to: bob.public, why: 'used', sig, box: new Uint8Array(1) },
      [1, 'knock'],
      'knock',
      1,
    ];
    for (const value of cases) {
      const parsed = parseDoorEntry(encodeCanonical(value));
      expect(
        parsed.ok,
        JSON.stringify(value, (_, x: unknown) => (x instanceof Uint8Array ? toHex(x) : x)),
      ).toBe(false);
      if (!parsed.ok) expect(parsed.error).toMatch(/^(malformed|unsupported) door message/);
    }
    expect(parseDoorEntry(encodeCanonical(1))).toEqual({
      ok: false,
      error: 'malformed door message: expected a map',
    });
    // A grant or refusal rewritten with one extra field.
    const grant = rewrite(grantFor(bob), (m) => (m.extra = 0));
    expect(parseDoorEntry(grant).ok).toBe(false);
    const refusal = rewrite(encodeRefusal(NET, door, bob.public, 'used'), (m) => (m.extra = 0));
    expect(parseDoorEntry(refusal).ok).toBe(false);
  });

  it('never throws on junk, and refuses it with a sentence', () => {
    for (const junk of [...junkInputs, 'string', new Uint8Array(2000)]) {
      let parsed: ReturnType<typeof parseDoorEntry> | undefined;
      expect(() => (parsed = parseDoorEntry(junk))).not.toThrow();
      expect(parsed?.ok).toBe(false);
      if (parsed && !parsed.ok) expect(parsed.error.length).toBeGreaterThan(10);
    }
  });
});

describe('doorRoomOf', () => {
  const ticket = new Uint8Array(32).fill(5);

  it('is HKDF-SHA256 of the ticket, salted with the network id, as the header says', () => {
    const { room, password } = doorRoomOf(ticket, NET);
    const hk = (info: string, length: number) =>
      Buffer.from(hkdfSync('sha256', ticket, fromHex(NET), info, length));
    expect(room).toBe(`gpow-door-${hk('GPoW/door-room/v1', 16).toString('hex')}`);
    expect(password).toBe(hk('GPoW/door-room-password/v1', 32).toString('base64url'));
    expect(room).toMatch(/^gpow-door-[0-9a-f]{32}$/);
    expect(isKeyText(password)).toBe(true);
  });

  it('is deterministic, and differs per ticket and per network', () => {
    expect(doorRoomOf(ticket, NET)).toEqual(doorRoomOf(Uint8Array.from(ticket), NET));
    const other = Uint8Array.from(ticket);
    other[31] = 6;
    const a = doorRoomOf(ticket, NET);
    const b = doorRoomOf(other, NET);
    const c = doorRoomOf(ticket, OTHER_NET);
    expect(new Set([a.room, b.room, c.room]).size).toBe(3);
    expect(new Set([a.password, b.password, c.password]).size).toBe(3);
    // The password is not the room's name in other words.
    expect(a.password).not.toContain(a.room.slice('gpow-door-'.length));
  });
});

// ---- tickets.ts -------------------------------------------------------------------------------

const HOUR = 3_600_000;
let made = 0;
function ticket(options: { once?: boolean; expires?: number; now?: number } = {}): TicketRecord {
  return createTicket([], {
    now: options.now ?? NOW,
    expires: options.expires ?? NOW + HOUR,
    once: options.once ?? true,
    random: deterministicRandom(`door test ticket ${made++}`),
  });
}
const use = (to: string, at = NOW) => ({ at, to });
const hexKey = (n: number) => n.toString(16).padStart(64, '0');

describe('createTicket', () => {
  it('makes a fresh ticket: random keys, its id from the door key, no uses', () => {
    const record = ticket({ once: false, expires: NOW + 2 * HOUR });
    expect(isKeyText(record.ticket)).toBe(true);
    expect(isKeyText(record.doorSecret)).toBe(true);
    expect(record.ticket).not.toBe(record.doorSecret);
    const pub = publicKeyOf(base64urlnopad.decode(record.doorSecret));
    expect(record.id).toBe(createHash('sha256').update(pub).digest('hex').slice(0, 12));
    expect(doorPublicOf(record)).toEqual(pub);
    expect(record).toMatchObject({ created: NOW, expires: NOW + 2 * HOUR, once: false, uses: [] });
    expect(record.revoked).toBeUndefined();
    expect(ticket().id).not.toBe(ticket().id);
  });

  it('rounds the expiry down to a whole second, which the link carries', () => {
    expect(ticket({ expires: NOW + HOUR + 999 }).expires).toBe(NOW + HOUR);
    const now = NOW + 500;
    const record = ticket({ now, expires: now + MAX_TICKET_MS + 400 });
    expect(record.expires).toBe(NOW + MAX_TICKET_MS);
    const fields = { networkId: NET, relays: [], ...ticketFields(record) };
    expect(fields.door).toBe(base64urlnopad.encode(doorPublicOf(record)));
    const text = formatTicket(fields);
    expect(parseJoinLink(text)).toEqual({ ok: true, link: { kind: 'ticket', ticket: fields } });
  });

  it('refuses an expiry that is not in the future', () => {
    for (const expires of [NOW, NOW - 1, NOW + 999, 0, Number.NaN, -Infinity]) {
      expect(() => ticket({ expires })).toThrow(/^An invitation must expire in the future\.$/);
    }
    expect(ticket({ expires: NOW + 1000 }).expires).toBe(NOW + 1000);
  });

  it('refuses an expiry more than 90 days ahead', () => {
    expect(ticket({ expires: NOW + MAX_TICKET_MS }).expires).toBe(NOW + MAX_TICKET_MS);
    expect(ticket({ expires: NOW + MAX_TICKET_MS + 999 }).expires).toBe(NOW + MAX_TICKET_MS);
    for (const expires of [NOW + MAX_TICKET_MS + 1000, NOW + 10 * MAX_TICKET_MS, Infinity]) {
      expect(() => ticket({ expires })).toThrow(/^An invitation may stay open at most 90 days\.$/);
    }
  });

  it(`refuses a ${MAX_OPEN_TICKETS + 1}th open ticket; closed ones do not count`, () => {
    const open = Array.from({ length: MAX_OPEN_TICKETS }, () => ticket());
    const options = { now: NOW, expires: NOW + HOUR, once: true, random: deterministicRandom('x') };
    expect(() => createTicket(open, options)).toThrow(
      `${MAX_OPEN_TICKETS} invitations are open already: withdraw one (gpow invite revoke ID) or wait until one expires.`,
    );
    const fewer = open.slice(1);
    expect(createTicket(fewer, options).uses).toEqual([]);
    const revoked = [...fewer, { ...ticket(), revoked: NOW - 1 }];
    expect(createTicket(revoked, options).uses).toEqual([]);
    const expired = [...fewer, ticket({ now: NOW - 2 * HOUR, expires: NOW })];
    expect(createTicket(expired, options).uses).toEqual([]);
    // At the expiry of the others, they are closed.
    expect(
      createTicket(open, { ...options, now: NOW + HOUR, expires: NOW + 2 * HOUR }).uses,
    ).toEqual([]);
  });
});

describe('decideKnock, the rule of the door', () => {
  const A = hexKey(1);
  const B = hexKey(2);
  const once = ticket({ once: true });
  const reusable = ticket({ once: false });
  const full = {
    ...reusable,
    uses: Array.from({ length: MAX_TICKET_USES }, (_, i) => use(hexKey(i + 10))),
  };
  const almost = { ...full, uses: full.uses.slice(1) };
  const exp = once.expires;

  const table: Array<[string, TicketRecord, string, number, 'grant' | Refusal]> = [
    ['a fresh once-ticket lets in', once, A, NOW, 'grant'],
    ['a fresh once-ticket, a moment before expiry', once, A, exp - 1, 'grant'],
    ['a once-ticket at its expiry', once, A, exp, 'expired'],
    ['a once-ticket after its expiry', once, A, exp + 1, 'expired'],
    ['a used once-ticket, the same knocker', recordUse(once, use(A)), A, NOW, 'grant'],
    [
      'a used once-ticket, the same knocker, after expiry',
      recordUse(once, use(A)),
      A,
      exp,
      'grant',
    ],
    ['a used once-ticket, another knocker', recordUse(once, use(A)), B, NOW, 'used'],
    [
      'a used once-ticket, another knocker, after expiry',
      recordUse(once, use(A)),
      B,
      exp,
      'expired',
    ],
    ['a revoked once-ticket', { ...once, revoked: NOW }, A, NOW, 'revoked'],
    ['a revoked once-ticket after expiry', { ...once, revoked: NOW }, A, exp + 1, 'revoked'],
    [
      'a revoked used once-ticket, another',
      { ...recordUse(once, use(A)), revoked: NOW },
      B,
      NOW,
      'revoked',
    ],
    [
      'a revoked used once-ticket, the same',
      { ...recordUse(once, use(A)), revoked: NOW },
      A,
      NOW,
      'grant',
    ],
    ['a reusable ticket, someone new', recordUse(reusable, use(A)), B, NOW, 'grant'],
    ['a reusable ticket, someone again', recordUse(reusable, use(A)), A, NOW, 'grant'],
    ['a reusable ticket after expiry', recordUse(reusable, use(A)), B, exp, 'expired'],
    ['a reusable ticket one short of full', almost, B, NOW, 'grant'],
    [`a reusable ticket with ${MAX_TICKET_USES} uses`, full, B, NOW, 'used'],
    [`a full reusable ticket, a knocker let in`, full, hexKey(10), NOW, 'grant'],
    ['a full reusable ticket, after expiry', full, B, exp, 'expired'],
    ['a revoked reusable ticket', { ...reusable, revoked: NOW - 5 }, B, NOW, 'revoked'],
  ];
  for (const [what, record, to, now, expected] of table) {
    it(`${what}: ${expected}`, () => {
      const before = JSON.stringify(record);
      expect(decideKnock(record, to, now)).toBe(expected);
      expect(JSON.stringify(record)).toBe(before);
    });
  }
});

describe('recordUse', () => {
  it('adds a new knocker, and returns the same record for one already let in', () => {
    const record = ticket({ once: false });
    const one = recordUse(record, use(hexKey(1), NOW));
    expect(record.uses).toEqual([]);
    expect(one.uses).toEqual([use(hexKey(1), NOW)]);
    expect(recordUse(one, use(hexKey(1), NOW + 5))).toBe(one);
    expect(recordUse(one, { at: NOW + 5, to: hexKey(1), who: hexKey(9) })).toBe(one);
    const two = recordUse(one, { at: NOW + 5, to: hexKey(2), who: hexKey(9) });
    expect(two.uses).toEqual([use(hexKey(1), NOW), { at: NOW + 5, to: hexKey(2), who: hexKey(9) }]);
    expect(one.uses).toHaveLength(1);
    expect({ ...two, uses: [] }).toEqual({ ...record, uses: [] });
  });
});

describe('keptTickets', () => {
  it('keeps open tickets, and closed ones for a week after they closed', () => {
    const open = ticket({ expires: NOW + HOUR });
    const revoked = { ...ticket({ expires: NOW + 50 * HOUR }), revoked: NOW + HOUR / 2 };
    const revokedLate = { ...ticket({ expires: NOW + HOUR }), revoked: NOW + 2 * HOUR };
    const records = [open, revoked, revokedLate];
    expect(keptTickets(records, NOW)).toEqual(records);
    expect(TICKET_KEPT_MS).toBe(7 * 24 * HOUR);
    // Closed at expiry (open, revokedLate) or at revocation (revoked).
    expect(keptTickets(records, NOW + HOUR + TICKET_KEPT_MS - 1)).toEqual([open, revokedLate]);
    expect(keptTickets(records, NOW + HOUR / 2 + TICKET_KEPT_MS - 1)).toEqual(records);
    expect(keptTickets(records, NOW + HOUR / 2 + TICKET_KEPT_MS)).toEqual([open, revokedLate]);
    expect(keptTickets(records, NOW + HOUR + TICKET_KEPT_MS)).toEqual([]);
    expect(isOpen(open, NOW + HOUR - 1)).toBe(true);
    expect(isOpen(open, NOW + HOUR)).toBe(false);
    expect(isOpen(revoked, NOW)).toBe(false);
  });
});

describe('parseTicketRecords', () => {
  const good = [
    recordUse(ticket({ once: true }), { at: NOW, to: hexKey(1), who: hexKey(2) }),
    { ...recordUse(ticket({ once: false }), use(hexKey(3))), revoked: NOW + 1 },
    ticket({ once: false }),
  ];
  const saved = (): unknown[] => JSON.parse(JSON.stringify(good)) as unknown[];

  it('reads back what was saved', () => {
    expect(parseTicketRecords(saved())).toEqual({ records: good, dropped: 0 });
    expect(parseTicketRecords([])).toEqual({ records: [], dropped: 0 });
  });

  it('drops a damaged record and counts it, keeping the others', () => {
    const damage: Array<[string, (r: Record<string, unknown>) => void]> = [
      ['no id', (r) => delete r.id],
      ['an uppercase id', (r) => (r.id = (r.id as string).toUpperCase())],
      ['a short id', (r) => (r.id = (r.id as string).slice(1))],
      ['a ticket of 31 bytes', (r) => (r.ticket = base64urlnopad.encode(new Uint8Array(31)))],
      ['a door secret as hex', (r) => (r.doorSecret = hexKey(1))],
      ['a negative time', (r) => (r.created = -1)],
      ['a fractional time', (r) => (r.expires = NOW + 0.5)],
      ['a time as text', (r) => (r.expires = String(NOW))],
      ['once as a number', (r) => (r.once = 1)],
      ['uses not a list', (r) => (r.uses = {})],
      ['a use without `to`', (r) => (r.uses = [{ at: NOW }])],
      ['a use with an uppercase key', (r) => (r.uses = [use(hexKey(10).toUpperCase())])],
      ['a use with an extra field', (r) => (r.uses = [{ ...use(hexKey(1)), x: 1 }])],
      ['a use with a short who', (r) => (r.uses = [{ ...use(hexKey(1)), who: 'ab' }])],
      [
        'too many uses',
        (r) => (r.uses = Array.from({ length: MAX_TICKET_USES + 1 }, (_, i) => use(hexKey(i)))),
      ],
      ['a revocation as null', (r) => (r.revoked = null)],
      ['an extra field', (r) => (r.note = 'x')],
      ['a number instead', (r) => (r.id = 5)],
    ];
    for (const [what, change] of damage) {
      const records = saved();
      change(records[1] as Record<string, unknown>);
      expect(parseTicketRecords(records), what).toEqual({
        records: [good[0], good[2]],
        dropped: 1,
      });
    }
    expect(parseTicketRecords([null, 1, 'x', [], {}])).toEqual({ records: [], dropped: 5 });
    const full = {
      ...good[2],
      uses: Array.from({ length: MAX_TICKET_USES }, (_, i) => use(hexKey(i))),
    };
    expect(parseTicketRecords([full]).records).toHaveLength(1);
  });

  it('drops a record whose id is not that of its door key', () => {
    const records = saved();
    const [a, b] = records as Array<Record<string, unknown>>;
    if (!a || !b) throw new Error('records missing');
    [a.id, b.id] = [b.id, a.id];
    expect(parseTicketRecords(records)).toEqual({ records: [good[2]], dropped: 2 });
    const swapped = saved() as Array<Record<string, unknown>>;
    const [c, d] = swapped;
    if (!c || !d) throw new Error('records missing');
    [c.doorSecret, d.doorSecret] = [d.doorSecret, c.doorSecret];
    expect(parseTicketRecords(swapped).dropped).toBe(2);
  });

  it('reads nothing from what is not a list: undefined is no records, anything else one dropped', () => {
    expect(parseTicketRecords(undefined)).toEqual({ records: [], dropped: 0 });
    for (const input of [null, 0, 'records', {}, { 0: good[0], length: 1 }, true]) {
      expect(parseTicketRecords(input)).toEqual({ records: [], dropped: 1 });
    }
  });

  it(`reads at most ${MAX_OPEN_TICKETS * 4} records and counts the rest as dropped`, () => {
    const many = Array.from({ length: 200 }, (_, i) => good[i % 3]);
    const parsed = parseTicketRecords(JSON.parse(JSON.stringify(many)));
    expect(parsed.records).toHaveLength(MAX_OPEN_TICKETS * 4);
    expect(parsed.dropped).toBe(200 - MAX_OPEN_TICKETS * 4);
    expect(parsed.records).toEqual(many.slice(0, MAX_OPEN_TICKETS * 4));
    const withBad = [...Array.from({ length: 130 }, () => good[0]), 'bad'];
    expect(parseTicketRecords(withBad)).toEqual({ records: withBad.slice(0, 128), dropped: 3 });
  });
});

describe('findTicket', () => {
  it('finds a ticket by its whole id or an unambiguous start, and says why otherwise', () => {
    const records = [ticket(), ticket(), ticket()].map((r, i) => ({
      ...r,
      id: ['abcd1111', 'abcd2222', 'ef001234'][i] as string,
    }));
    expect(findTicket(records, 'abcd2222')).toBe(records[1]);
    expect(findTicket(records, 'EF00')).toBe(records[2]);
    expect(findTicket(records, 'abcd1')).toBe(records[0]);
    // Two start with "abcd": neither is withdrawn in the other's place.
    expect(findTicket(records, 'abcd')).toBe(
      `"abcd" is the start of 2 invitations' ids: give more of it (see gpow invite list).`,
    );
    expect(findTicket(records, 'ef0')).toBe('No invitation "ef0" here: see gpow invite list.');
    expect(findTicket(records, '9999')).toBe('No invitation "9999" here: see gpow invite list.');
    expect(findTicket([], '')).toBe('No invitation "" here: see gpow invite list.');
  });
});
