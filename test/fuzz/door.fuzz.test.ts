// Fuzz target: ticket links and their door (docs/protocol.md §13.9). Everything a newcomer or a
// stranger in the door room can hand us is untrusted: the gpow:join?v=3 link (shared/net/
// ticket.ts), every entry of the door room's array and the answer in it (shared/net/door.ts),
// and the inviter's saved records, read back from a file anyone could have edited (shared/net/
// tickets.ts). Five targets:
// - parseJoinLink over random text and over valid ticket links changed in every way never
//   throws, answers an invitation or a short sentence, and whatever it accepts formats back to a
//   link that parses to the same fields; a changed ticket link is the same ticket or refused;
// - parseDoorEntry over random and mutated bytes never throws, and accepts only the one
//   canonical encoding of what it returns;
// - readAnswer over mutated grants and refusals never throws or rejects, and never hands over a
//   secret or a refusal unless the signature and the box (or reason) are the door's own;
// - readAnswer over answers with their signature or box changed, or read with another key,
//   gives no secret and no refusal, only the sentence;
// - parseTicketRecords over random and hostile JSON and over damaged valid records never throws,
//   and keeps exactly the records a model of its schema (written out here without valibot) keeps.
import { createHash } from 'node:crypto';
import { base64urlnopad } from '@scure/base';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual, toHex } from '../../shared/bytes.ts';
import { encodeCanonical } from '../../shared/codec/cbor.ts';
import { publicKeyOf } from '../../shared/crypto/ed25519.ts';
import {
  encodeGrant,
  encodeKnock,
  encodeRefusal,
  parseDoorEntry,
  readAnswer,
  REFUSALS,
  type Answer,
  type AnswerResult,
  type DoorKey,
} from '../../shared/net/door.ts';
import { formatInvitation } from '../../shared/net/invitation.ts';
import {
  formatTicket,
  parseJoinLink,
  type JoinLinkParse,
  type TicketInvitation,
} from '../../shared/net/ticket.ts';
import {
  createTicket,
  MAX_OPEN_TICKETS,
  MAX_TICKET_USES,
  parseTicketRecords,
  recordUse,
  type TicketRecord,
} from '../../shared/net/tickets.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import { verifier } from '../helpers/network.ts';
import { mutate, mutationArb } from './fixtures.ts';
import { fuzz, hostileJsonText, runs, Watchdog } from './harness.ts';
import {
  dnsLabel,
  fuzzChangedLinks,
  fuzzText,
  hex,
  linkEditArb,
  linkNameArb,
  linkOrTooLong,
  type LinkTarget,
  linkTextArb,
  withoutThrowing,
} from './links.ts';

const watchdog = new Watchdog();
beforeAll(() => watchdog.install());
afterAll(() => watchdog.uninstall());

/** An error is a sentence for a person: short, whatever the input was. */
const MAX_ERROR_LENGTH = 400;
const NOT_SIGNED = 'an answer at the door is not signed by the inviter';

const seen = {
  linksAccepted: 0,
  linksChangedButAccepted: 0,
  linksRefused: 0,
  entriesKnock: 0,
  entriesAnswer: 0,
  entriesRefused: 0,
  answersGranted: 0,
  answersRefusedByDoor: 0,
  answersUnsigned: 0,
  answersOther: 0,
  alteredAnswers: 0,
  recordsKept: 0,
  recordsDropped: 0,
  recordsBeyondBound: 0,
};

// ---- ticket links -----------------------------------------------------------------------------

const keyText = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => base64urlnopad.encode(b));
const relayArb = fc
  .tuple(
    fc.constantFrom('ws', 'wss'),
    fc.oneof(
      fc.array(dnsLabel, { minLength: 1, maxLength: 3 }).map((l) => [...l, 'org'].join('.')),
      fc.ipV4(),
      fc.ipV6().map((a) => `[${a}]`),
    ),
    fc.integer({ min: 1, max: 65535 }),
    fc.option(fc.stringMatching(/^(?:\/[A-Za-z0-9._~:@$-]{0,8}){1,2}$/), { nil: '' }),
  )
  .map(([scheme, host, port, path]) => `${scheme}://${host}:${port}${path}`);
const ticketArb: fc.Arbitrary<TicketInvitation> = fc
  .record({
    networkId: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(hex),
    ticket: keyText,
    door: keyText,
    expires: fc
      .oneof(fc.integer({ min: 1, max: 2 ** 40 - 1 }), fc.constantFrom(1, 2 ** 40 - 1))
      .map((s) => s * 1000),
    once: fc.boolean(),
    relays: fc.uniqueArray(relayArb, { maxLength: 16 }),
    name: fc.option(linkNameArb, { nil: undefined }),
  })
  .map(({ name, ...rest }) => (name === undefined ? rest : { ...rest, name }));

/** Ticket links, and the invitations parseJoinLink hands over to parseInvitation. */
const links: LinkTarget<JoinLinkParse> = {
  watchdog,
  parse: parseJoinLink,
  reformat: ({ link }) =>
    link.kind === 'ticket' ? formatTicket(link.ticket) : formatInvitation(link.invitation),
  maxError: MAX_ERROR_LENGTH,
  saw: (answer) => {
    if (answer.ok) seen.linksAccepted++;
    else seen.linksRefused++;
  },
};

const TOKENS = [
  'gpow:join?',
  'GPOW://JOIN?',
  'v=1',
  'v=2',
  'v=3',
  '&',
  '=',
  'net=',
  't=',
  'd=',
  'exp=',
  'once=1',
  'once=0',
  'secret=',
  'relay=',
  'name=',
  'c=',
  '1700000000',
  '01',
  '-5',
  '1e9',
  '%',
  '%41',
  '%31',
  '%C3%A9',
  '%E2%80%AE',
  'ws%3A%2F%2Fa.org%3A1',
  '#',
  'ab'.repeat(32),
  'A'.repeat(43),
  'A'.repeat(16),
  '\u200b',
  ' ',
];

const textArb = linkTextArb(TOKENS, 4, {
  weight: 1,
  arbitrary: fc.string({ minLength: 4000, maxLength: 4200 }),
});

// ---- the door ---------------------------------------------------------------------------------

const NET = '5e'.repeat(32);
const keyOf = (name: string): DoorKey => {
  const secret = Uint8Array.from(createHash('sha256').update(`door fuzz ${name}`).digest());
  return { secret, public: publicKeyOf(secret) };
};
const door = keyOf('door');
const knockers = [keyOf('bob'), keyOf('carol')];
const stranger = keyOf('stranger');
const JOIN_SECRET = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);

interface Made {
  readonly bytes: Uint8Array;
  readonly answer: Answer;
  readonly mine: DoorKey;
}

function answerOf(bytes: Uint8Array): Answer {
  const parsed = parseDoorEntry(bytes);
  if (!parsed.ok || parsed.entry.kind !== 'answer') throw new Error('not an answer');
  return parsed.entry.answer;
}

/** Real answers: two grants to each knocker, a refusal of each kind, and knocks. */
const answers: Made[] = knockers.flatMap((mine, i) => [
  ...[0, 1].map((n) => {
    const random = deterministicRandom(`door fuzz grant ${i} ${n}`);
    const bytes = encodeGrant(NET, door, mine.public, JOIN_SECRET, 1_700_000_000_000 + n, random);
    return { bytes, answer: answerOf(bytes), mine };
  }),
  ...REFUSALS.map((why) => {
    const bytes = encodeRefusal(NET, door, mine.public, why);
    return { bytes, answer: answerOf(bytes), mine };
  }),
]);
const knocks = [
  encodeKnock({ to: knockers[0]?.public ?? new Uint8Array(32) }),
  encodeKnock({ to: stranger.public, who: door.public }),
];
const entries = [...answers.map((a) => a.bytes), ...knocks];

const read = async (answer: Answer, mine: DoorKey): Promise<AnswerResult> => {
  const result = await readAnswer(answer, NET, door.public, mine, verifier);
  if (result.ok) seen.answersGranted++;
  else if (result.refused !== undefined) seen.answersRefusedByDoor++;
  else {
    expect(result.error.length).toBeGreaterThan(0);
    expect(result.error.length).toBeLessThanOrEqual(MAX_ERROR_LENGTH);
    if (result.error === NOT_SIGNED) seen.answersUnsigned++;
    else seen.answersOther++;
  }
  return result;
};

/** What a parsed entry must be: the one canonical encoding of what it says. */
function checkEntry(bytes: Uint8Array): void {
  const result = withoutThrowing(() => parseDoorEntry(bytes));
  if (!result.ok) {
    seen.entriesRefused++;
    expect(result.error).toMatch(/^(malformed|unsupported) door message/);
    expect(result.error.length).toBeLessThanOrEqual(MAX_ERROR_LENGTH);
    return;
  }
  if (result.entry.kind === 'knock') {
    seen.entriesKnock++;
    const { to, who } = result.entry.knock;
    expect(toHex(encodeKnock(who ? { to, who } : { to }))).toBe(toHex(bytes));
  } else {
    seen.entriesAnswer++;
    const a = result.entry.answer;
    const again =
      a.k === 'grant'
        ? encodeCanonical({ v: 1, k: 'grant', to: a.to, box: a.box, sig: a.sig })
        : encodeCanonical({ v: 1, k: 'refuse', to: a.to, why: a.why, sig: a.sig });
    expect(toHex(again)).toBe(toHex(bytes));
  }
}

// ---- ticket records ---------------------------------------------------------------------------

const HEX64 = /^[0-9a-f]{64}$/;
const isTime = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isKey = (x: unknown): x is string =>
  typeof x === 'string' &&
  /^[A-Za-z0-9_-]{43}$/.test(x) &&
  Buffer.from(x, 'base64url').toString('base64url') === x;
const plainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const onlyKeys = (
  x: Record<string, unknown>,
  allowed: readonly string[],
  required: readonly string[],
) => Object.keys(x).every((k) => allowed.includes(k)) && required.every((k) => Object.hasOwn(x, k));

/** The schema of a saved ticket record, written out from tickets.ts's description. */
function modelKeeps(x: unknown): boolean {
  if (!plainObject(x)) return false;
  const fields = ['id', 'ticket', 'doorSecret', 'created', 'expires', 'once', 'uses'];
  if (!onlyKeys(x, [...fields, 'revoked'], fields)) return false;
  if (!isKey(x.ticket) || !isKey(x.doorSecret)) return false;
  if (!isTime(x.created) || !isTime(x.expires)) return false;
  if (Object.hasOwn(x, 'revoked') && !isTime(x.revoked)) return false;
  if (typeof x.once !== 'boolean') return false;
  if (!Array.isArray(x.uses) || x.uses.length > MAX_TICKET_USES) return false;
  for (const use of x.uses as unknown[]) {
    if (!plainObject(use) || !onlyKeys(use, ['at', 'to', 'who'], ['at', 'to'])) return false;
    if (!isTime(use.at) || typeof use.to !== 'string' || !HEX64.test(use.to)) return false;
    if (Object.hasOwn(use, 'who') && (typeof use.who !== 'string' || !HEX64.test(use.who))) {
      return false;
    }
  }
  return x.id === idOf(x.doorSecret);
}

/** A ticket's id from its door secret (remembered: the Ed25519 key costs a millisecond). */
const ids = new Map<string, string>();
function idOf(doorSecret: string): string {
  let id = ids.get(doorSecret);
  if (id === undefined) {
    const pub = publicKeyOf(Buffer.from(doorSecret, 'base64url'));
    id = createHash('sha256').update(pub).digest('hex').slice(0, 12);
    ids.set(doorSecret, id);
  }
  return id;
}

const baseRecords: TicketRecord[] = [0, 1, 2].map((i) => {
  const random = deterministicRandom(`door fuzz record ${i}`);
  let r = createTicket([], { now: 1_000_000, expires: 5_000_000, once: i === 0, random });
  r = recordUse(r, { at: 1_000_100, to: 'ab'.repeat(32), who: 'cd'.repeat(32) });
  if (i === 1) r = recordUse(r, { at: 1_000_200, to: 'ef'.repeat(32) });
  return i === 2 ? { ...r, revoked: 2_000_000 } : r;
});

type RecordEdit =
  | { readonly kind: 'set'; readonly field: number; readonly value: unknown }
  | { readonly kind: 'delete'; readonly field: number }
  | { readonly kind: 'extra'; readonly name: string; readonly value: unknown }
  | { readonly kind: 'use'; readonly field: number; readonly value: unknown }
  | { readonly kind: 'text'; readonly field: number; readonly at: number; readonly char: string };

const RECORD_FIELDS = [
  'id',
  'ticket',
  'doorSecret',
  'created',
  'expires',
  'once',
  'uses',
  'revoked',
];
const USE_FIELDS = ['at', 'to', 'who', 'x'];
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(0, -1, 1.5, 2 ** 53, -0, '', 'ab'.repeat(32), 'A'.repeat(43), true, null, []),
);
const recordEditArb: fc.Arbitrary<RecordEdit> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), field: fc.nat(), value: valueArb }),
  fc.record({ kind: fc.constant('delete' as const), field: fc.nat() }),
  fc.record({
    kind: fc.constant('extra' as const),
    name: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'who')),
    value: valueArb,
  }),
  fc.record({ kind: fc.constant('use' as const), field: fc.nat(), value: valueArb }),
  fc.record({
    kind: fc.constant('text' as const),
    field: fc.nat(),
    at: fc.nat(),
    char: fc.constantFrom('a', 'A', '0', 'f', 'g', '-', '_', '='),
  }),
);

/** A saved record, changed in one way, as JSON text (so it reads like a file would). */
function editRecord(record: TicketRecord, edits: readonly RecordEdit[]): unknown {
  const x = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
  for (const edit of edits) {
    switch (edit.kind) {
      case 'set':
        x[RECORD_FIELDS[edit.field % RECORD_FIELDS.length] as string] = edit.value;
        break;
      case 'delete':
        delete x[RECORD_FIELDS[edit.field % RECORD_FIELDS.length] as string];
        break;
      case 'extra':
        Object.defineProperty(x, edit.name, {
          value: edit.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
        break;
      case 'use': {
        const uses = Array.isArray(x.uses) ? (x.uses as unknown[]) : [];
        const use = uses[0];
        if (plainObject(use))
          use[USE_FIELDS[edit.field % USE_FIELDS.length] as string] = edit.value;
        break;
      }
      case 'text': {
        const name = ['id', 'ticket', 'doorSecret'][edit.field % 3] as string;
        const value = x[name];
        const text = typeof value === 'string' ? value : '';
        const at = edit.at % (text.length + 1);
        x[name] = text.slice(0, at) + edit.char + text.slice(at + 1);
        break;
      }
    }
  }
  // Through JSON text, as from a file (an undefined value is no value there).
  return JSON.parse(JSON.stringify(x)) as unknown;
}

const recordsInputArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: hostileJsonText.map((text) => JSON.parse(text) as unknown) },
  {
    weight: 4,
    arbitrary: fc
      .array(
        fc.oneof(
          {
            weight: 2,
            arbitrary: fc.nat(2).map((i) => JSON.parse(JSON.stringify(baseRecords[i])) as unknown),
          },
          {
            weight: 4,
            arbitrary: fc
              .tuple(fc.nat(2), fc.array(recordEditArb, { minLength: 1, maxLength: 3 }))
              .map(([i, edits]) => editRecord(baseRecords[i] as TicketRecord, edits)),
          },
          { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
        ),
        { maxLength: 12 },
      )
      .map((items) => items as unknown),
  },
  {
    // Past the bound on what is read: mostly junk (cheap to refuse), a few good records spread
    // over it, some of them beyond the bound, where they must be counted as dropped.
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.integer({ min: MAX_OPEN_TICKETS * 4 - 2, max: MAX_OPEN_TICKETS * 4 + 40 }),
        fc.uniqueArray(fc.nat(MAX_OPEN_TICKETS * 4 + 39), { maxLength: 6 }),
        fc.jsonValue({ maxDepth: 1 }),
      )
      .map(([n, good, junk]) =>
        Array.from({ length: n }, (_, i) =>
          good.includes(i) ? (JSON.parse(JSON.stringify(baseRecords[i % 3])) as unknown) : junk,
        ),
      ),
  },
);

describe('fuzz: ticket links and the door', () => {
  it('parseJoinLink answers any text with an invitation or a short sentence, and never throws', async () => {
    await fuzzText(links, textArb, {
      name: 'ticket link text',
      label: 'arbitrary join-link text',
      seed: 2201,
      base: 2_000,
    });
  });

  it('parseJoinLink takes a changed ticket link as the same ticket, or refuses it', async () => {
    await fuzzChangedLinks(
      links,
      {
        values: ticketArb,
        link: (t) => linkOrTooLong(formatTicket, t),
        accepted: (ticket): JoinLinkParse => ({ ok: true, link: { kind: 'ticket', ticket } }),
      },
      fc.array(linkEditArb(TOKENS, { drop: true }), { minLength: 0, maxLength: 3 }),
      () => seen.linksChangedButAccepted++,
      { name: 'ticket link mutations', label: 'a changed ticket link', seed: 2202, base: 2_000 },
    );
  });

  it('parseDoorEntry never throws, and accepts only canonical entries', async () => {
    const bytesArb = fc.oneof(
      { weight: 2, arbitrary: fc.uint8Array({ maxLength: 1100 }) },
      {
        weight: 5,
        arbitrary: fc
          .tuple(fc.nat(entries.length - 1), fc.array(mutationArb, { minLength: 1, maxLength: 3 }))
          .map(([i, ms]) => ms.reduce(mutate, entries[i] as Uint8Array)),
      },
      { weight: 1, arbitrary: fc.nat(entries.length - 1).map((i) => entries[i] as Uint8Array) },
    );
    await fuzz(
      'door entries',
      fc.asyncProperty(bytesArb, (bytes) => watchdog.run('a door entry', () => checkEntry(bytes))),
      2203,
      2_000,
    );
  });

  it('readAnswer on a mutated grant or refusal never throws, and gives only what the door signed', async () => {
    await fuzz(
      'door answers on the wire',
      fc.asyncProperty(
        fc.nat(answers.length - 1),
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
        (i, ms) =>
          watchdog.run('a mutated door answer', async () => {
            const made = answers[i] as Made;
            const bytes = ms.reduce(mutate, made.bytes);
            const parsed = parseDoorEntry(bytes);
            if (!parsed.ok || parsed.entry.kind !== 'answer') return;
            const answer = parsed.entry.answer;
            const result = await read(answer, made.mine);
            if (result.ok) {
              // Only the door's own grant opens: same signature, same box, the same secret.
              expect(made.answer.k).toBe('grant');
              expect(answer.k).toBe('grant');
              if (answer.k === 'grant' && made.answer.k === 'grant') {
                expect(bytesEqual(answer.sig, made.answer.sig)).toBe(true);
                expect(bytesEqual(answer.box, made.answer.box)).toBe(true);
              }
              expect(result.secret).toEqual(JOIN_SECRET);
            } else if (result.refused !== undefined) {
              expect(made.answer).toMatchObject({ k: 'refuse', why: result.refused });
              expect(bytesEqual(answer.sig, made.answer.sig)).toBe(true);
            }
          }),
      ),
      2204,
      1_000,
    );
  });

  it('readAnswer on an answer with its signature or box changed, or for another key, gives nothing', async () => {
    await fuzz(
      'door answers altered',
      fc.asyncProperty(
        fc.nat(answers.length - 1),
        fc.constantFrom('sig' as const, 'box' as const, 'both' as const, 'reader' as const),
        mutationArb,
        mutationArb,
        (i, what, m1, m2) =>
          watchdog.run('an altered door answer', async () => {
            const made = answers[i] as Made;
            const a = made.answer;
            const sig = what === 'sig' || what === 'both' ? mutate(a.sig, m1) : a.sig;
            const altered: Answer =
              a.k === 'grant'
                ? { ...a, sig, box: what === 'box' || what === 'both' ? mutate(a.box, m2) : a.box }
                : { ...a, sig };
            const other = made.mine === knockers[0] ? knockers[1] : knockers[0];
            const reader = what === 'reader' ? (other as DoorKey) : made.mine;
            const same =
              reader === made.mine &&
              bytesEqual(sig, a.sig) &&
              (altered.k !== 'grant' || a.k !== 'grant' || bytesEqual(altered.box, a.box));
            const result = await read(altered, reader);
            if (same) {
              expect(result.ok || result.refused !== undefined).toBe(true);
              return;
            }
            seen.alteredAnswers++;
            expect(result).toEqual({ ok: false, error: NOT_SIGNED });
          }),
      ),
      2205,
      1_000,
    );
  });

  it('parseTicketRecords never throws, and keeps exactly the records its schema allows', async () => {
    await fuzz(
      'ticket records',
      fc.asyncProperty(recordsInputArb, (input) =>
        watchdog.run('saved ticket records', () => {
          const { records, dropped } = withoutThrowing(() => parseTicketRecords(input));
          if (!Array.isArray(input)) {
            expect(records).toEqual([]);
            expect(dropped).toBe(input === undefined ? 0 : 1);
            return;
          }
          const read = (input as unknown[]).slice(0, MAX_OPEN_TICKETS * 4);
          const kept = read.filter(modelKeeps);
          expect(records).toEqual(kept);
          expect(records.length + dropped).toBe(input.length);
          for (const record of records)
            expect(modelKeeps(JSON.parse(JSON.stringify(record)))).toBe(true);
          if ((input as unknown[]).slice(MAX_OPEN_TICKETS * 4).some(modelKeeps))
            seen.recordsBeyondBound++;
          seen.recordsKept += records.length;
          seen.recordsDropped += dropped;
        }),
      ),
      2206,
      600,
    );
  });

  const total = runs(2_000) * 3 + runs(1_000) * 2 + runs(600);
  it(`ran ${total} cases, and saw what it means to`, () => {
    expect(watchdog.cases).toBe(total);
    expect(seen.linksAccepted).toBeGreaterThan(runs(2_000) / 10);
    expect(seen.linksChangedButAccepted).toBeGreaterThan(0);
    expect(seen.linksRefused).toBeGreaterThan(runs(2_000));
    expect(seen.entriesKnock).toBeGreaterThan(0);
    expect(seen.entriesAnswer).toBeGreaterThan(0);
    expect(seen.entriesRefused).toBeGreaterThan(runs(2_000) / 2);
    expect(seen.answersGranted).toBeGreaterThan(0);
    expect(seen.answersRefusedByDoor).toBeGreaterThan(0);
    expect(seen.answersUnsigned).toBeGreaterThan(runs(1_000) / 2);
    expect(seen.alteredAnswers).toBeGreaterThan(runs(1_000) / 2);
    expect(seen.recordsKept).toBeGreaterThan(runs(600) / 2);
    expect(seen.recordsDropped).toBeGreaterThan(runs(600) / 2);
    expect(seen.recordsBeyondBound).toBeGreaterThan(0);
  });
});
