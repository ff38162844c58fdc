// The rule of the door (shared/net/tickets.ts, docs/protocol.md §13.9) as a seeded property:
// random schedules of knocks (random knocker keys, some knocking again, crowds of newcomers),
// waits, jumps to the expiry and revocations, on single-use and reusable tickets, some of them
// reloaded with many uses already. Each knock is decided with decideKnock and a grant recorded
// with recordUse, as engine/door.ts does. Whatever the schedule:
// - a single-use ticket lets in at most one knocker, ever;
// - nobody new is let in at or after the expiry, or once the ticket is revoked;
// - a knocker let in once is answered 'grant' again, revoked or expired or not;
// - a reusable ticket never lets in more than MAX_TICKET_USES;
// - the outcome depends on the record and the knock only: the same for a copy of the record,
//   for the record saved and parsed back, and for another record with the same state reached
//   by another history (uses in another order, other times, other keys and names), and it
//   matches a model that keeps its own state apart from the record.
// The schedules are counted by branch, so the property cannot pass without exercising each.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Refusal } from '../../shared/net/door.ts';
import {
  createTicket,
  decideKnock,
  MAX_TICKET_USES,
  parseTicketRecords,
  recordUse,
  type TicketRecord,
} from '../../shared/net/tickets.ts';
import { MAX_TICKET_MS } from '../../shared/net/ticket.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';

const SEED = 0x6770_0d39;
const START = 1_750_000_000_000;

type Event =
  | { readonly kind: 'knock'; readonly who: number }
  | { readonly kind: 'again'; readonly pick: number }
  | { readonly kind: 'crowd'; readonly n: number }
  | { readonly kind: 'wait'; readonly ms: number }
  | { readonly kind: 'expiry'; readonly offset: -1 | 0 | 1 }
  | { readonly kind: 'revoke' };

interface Schedule {
  readonly once: boolean;
  readonly lifetimeSeconds: number;
  /** Uses the record holds already, as if loaded from disk after a busy while. */
  readonly prefill: number;
  readonly pool: readonly string[];
  readonly events: readonly Event[];
  readonly label: number;
}

const hexKey = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => Buffer.from(b).toString('hex'));

const eventArb: fc.Arbitrary<Event> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('knock' as const), who: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('again' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('crowd' as const),
      n: fc.integer({ min: 1, max: 40 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('wait' as const),
      ms: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 1, max: 2_000 }),
        fc.integer({ min: 1, max: 3_600_000 }),
        fc.integer({ min: 1, max: MAX_TICKET_MS }),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('expiry' as const),
      offset: fc.constantFrom(-1 as const, 0 as const, 1 as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revoke' as const) }) },
);

const scheduleArb: fc.Arbitrary<Schedule> = fc
  .record({
    once: fc.boolean(),
    lifetimeSeconds: fc.oneof(
      fc.integer({ min: 1, max: 60 }),
      fc.integer({ min: 1, max: 86_400 }),
      fc.integer({ min: 1, max: MAX_TICKET_MS / 1000 }),
    ),
    prefill: fc.oneof(
      { weight: 6, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.constant(1) },
      {
        weight: 3,
        arbitrary: fc.constantFrom(200, MAX_TICKET_USES - 2, MAX_TICKET_USES - 1, MAX_TICKET_USES),
      },
    ),
    pool: fc.uniqueArray(hexKey, { minLength: 1, maxLength: 6 }),
    events: fc.array(eventArb, { minLength: 1, maxLength: 60 }),
    label: fc.nat(),
  })
  // A single-use ticket holds one use at most, however it was saved.
  .map((s) => (s.once ? { ...s, prefill: Math.min(s.prefill, 1) } : s));

const seen = {
  runs: 0,
  onceRuns: 0,
  reusableRuns: 0,
  knocks: 0,
  grantNew: 0,
  grantAgain: 0,
  grantAgainRevoked: 0,
  grantAgainExpired: 0,
  revoked: 0,
  expired: 0,
  expiredAtExactly: 0,
  usedOnce: 0,
  usedFull: 0,
  fullByKnocks: 0,
};

/** A key nobody in the pool has: the n-th newcomer of a run. */
const freshKey = (run: number, n: number): string =>
  createHash('sha256').update(`fresh knocker ${run} ${n}`).digest('hex');

/**
 * The same state as `record` reached another way: its uses in reverse order with other times
 * and names, another creation time, another door and ticket. The rule must not look at these.
 */
function sameState(record: TicketRecord, other: TicketRecord): TicketRecord {
  return {
    ...other,
    expires: record.expires,
    once: record.once,
    uses: [...record.uses].reverse().map((u, i) => ({ at: i, to: u.to, who: u.to })),
    ...(record.revoked !== undefined ? { revoked: record.revoked + 12_345 } : {}),
  };
}

/** The rule written from the docs, on the model's own state. */
function model(
  state: { granted: ReadonlySet<string>; revoked: boolean; expires: number; once: boolean },
  to: string,
  now: number,
): 'grant' | Refusal {
  if (state.granted.has(to)) return 'grant';
  if (state.revoked) return 'revoked';
  if (now >= state.expires) return 'expired';
  const cap = state.once ? 1 : MAX_TICKET_USES;
  return state.granted.size >= cap ? 'used' : 'grant';
}

function runSchedule(s: Schedule, run: number): void {
  seen.runs++;
  if (s.once) seen.onceRuns++;
  else seen.reusableRuns++;
  let now = START + (s.label % 1000);
  const random = deterministicRandom(`tickets property ${run}`);
  let record = createTicket([], {
    now,
    expires: now + s.lifetimeSeconds * 1000,
    once: s.once,
    random,
  });
  // Another ticket, for records with the same state reached another way.
  const other = createTicket([], { now: 0, expires: 1000, once: !s.once, random });
  let fresh = 0;
  for (let i = 0; i < s.prefill; i++) {
    record = recordUse(record, { at: now, to: freshKey(run, fresh++) });
  }
  const state = {
    granted: new Set(record.uses.map((u) => u.to)),
    revoked: false,
    expires: record.expires,
    once: s.once,
  };
  const letIn: string[] = [...state.granted];

  const knock = (to: string, checkReload: boolean): void => {
    seen.knocks++;
    const frozen = JSON.stringify(record);
    const decision = decideKnock(record, to, now);
    // Only the record and the knock: a copy, the same state reached otherwise, and (now and
    // then: it is the costly check) the record saved and parsed back decide the same.
    expect(JSON.stringify(record)).toBe(frozen);
    expect(decideKnock(JSON.parse(frozen) as TicketRecord, to, now)).toBe(decision);
    expect(decideKnock(sameState(record, other), to, now)).toBe(decision);
    if (checkReload) {
      const reloaded = parseTicketRecords(JSON.parse(JSON.stringify([record])));
      expect(reloaded.dropped).toBe(0);
      expect(decideKnock(reloaded.records[0] as TicketRecord, to, now)).toBe(decision);
    }
    expect(decision).toBe(model(state, to, now));

    const wasIn = state.granted.has(to);
    if (wasIn) {
      // A knocker let in once is always answered 'grant' again.
      expect(decision).toBe('grant');
      seen.grantAgain++;
      if (state.revoked) seen.grantAgainRevoked++;
      if (now >= state.expires) seen.grantAgainExpired++;
    } else if (decision === 'grant') {
      // Somebody new: only while the ticket is open, and within its count.
      expect(state.revoked).toBe(false);
      expect(now).toBeLessThan(state.expires);
      expect(state.granted.size).toBeLessThan(s.once ? 1 : MAX_TICKET_USES);
      seen.grantNew++;
    } else {
      if (decision === 'revoked') seen.revoked++;
      if (decision === 'expired') {
        seen.expired++;
        if (now === state.expires) seen.expiredAtExactly++;
      }
      if (decision === 'used') {
        if (s.once) seen.usedOnce++;
        else seen.usedFull++;
      }
    }

    if (decision === 'grant') {
      const before = record;
      record = recordUse(record, { at: now, to });
      // recordUse is idempotent: a knocker let in before leaves the record as it was.
      if (wasIn) expect(record).toBe(before);
      else letIn.push(to);
      state.granted.add(to);
    }
    if (!s.once && !wasIn && decision === 'grant' && record.uses.length === MAX_TICKET_USES) {
      seen.fullByKnocks++;
    }
    // What must hold after every knock.
    const distinct = new Set(record.uses.map((u) => u.to));
    expect(distinct.size).toBe(record.uses.length);
    expect(distinct).toEqual(state.granted);
    if (s.once) expect(record.uses.length).toBeLessThanOrEqual(1);
    expect(record.uses.length).toBeLessThanOrEqual(MAX_TICKET_USES);
  };

  for (const event of s.events) {
    switch (event.kind) {
      case 'knock':
        knock(s.pool[event.who % s.pool.length] as string, true);
        break;
      case 'again':
        knock(
          letIn.length > 0 ? (letIn[event.pick % letIn.length] as string) : (s.pool[0] as string),
          true,
        );
        break;
      case 'crowd':
        for (let i = 0; i < event.n; i++) knock(freshKey(run, fresh++), i === 0);
        break;
      case 'wait':
        now += event.ms;
        break;
      case 'expiry':
        now = Math.max(now, state.expires + event.offset);
        break;
      case 'revoke':
        // As DoorKeeper.revoke: a second revocation leaves the first.
        if (record.revoked === undefined) record = { ...record, revoked: now };
        state.revoked = true;
        break;
    }
  }
  // The end state, once more: the ticket let in whom the model says, in the order it did.
  expect(record.uses.map((u) => u.to)).toEqual(letIn);
  if (s.once) expect(new Set(letIn).size).toBeLessThanOrEqual(1);
}

describe('the rule of the door, over random schedules', () => {
  it('lets in once, or up to the cap, only while open, and answers those let in again', () => {
    let run = 0;
    fc.assert(
      fc.property(scheduleArb, (s) => runSchedule(s, run++)),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('is not vacuous: every branch of the rule was taken', () => {
    expect(seen.runs).toBeGreaterThanOrEqual(300);
    expect(seen.onceRuns).toBeGreaterThan(50);
    expect(seen.reusableRuns).toBeGreaterThan(50);
    expect(seen.grantNew).toBeGreaterThan(100);
    expect(seen.grantAgain).toBeGreaterThan(50);
    expect(seen.grantAgainRevoked).toBeGreaterThan(0);
    expect(seen.grantAgainExpired).toBeGreaterThan(0);
    expect(seen.revoked).toBeGreaterThan(10);
    expect(seen.expired).toBeGreaterThan(10);
    expect(seen.expiredAtExactly).toBeGreaterThan(0);
    expect(seen.usedOnce).toBeGreaterThan(10);
    expect(seen.usedFull).toBeGreaterThan(10);
    expect(seen.fullByKnocks).toBeGreaterThan(0);
  });
});
