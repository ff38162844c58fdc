// Single-use and time-limited invitations in the app (docs/protocol.md §13.9), from the app's
// own store: the records kept per network where the join secret is kept, parsed back from
// storage (a damaged one left out and said, by count only), the Invite panel's link, list and
// withdrawal with its confirmation, and the Join path for ticket links: an expired link refused
// at once, the knock's sentence shown, and nothing saved unless the inviter let us in. The
// clicks themselves, and a real knock between browsers, are test/e2e/tickets.test.ts's part.
import { createServer, type AddressInfo } from 'node:net';
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { formatInvitation } from '../../shared/net/invitation.ts';
import { formatTicket, parseJoinLink, type TicketInvitation } from '../../shared/net/ticket.ts';
import { createTicket, type TicketRecord } from '../../shared/net/tickets.ts';
import { en } from '../../renderer/i18n/en.ts';
import { translator } from '../../renderer/i18n/i18n.ts';
import { connectionRelays } from '../../renderer/state/appStore.ts';
import { describeError, UserError } from '../../renderer/state/errors.ts';
import {
  loadTickets,
  NETWORK_KEY,
  saveTickets,
  TICKETS_KEY,
} from '../../renderer/state/persisted.ts';
import { TICKET_DURATIONS } from '../../renderer/state/tickets.ts';
import { TicketTerms } from '../../renderer/ui/screens/JoinNetwork.tsx';
import { TicketLink } from '../../renderer/ui/screens/Invite.tsx';
import { TicketRows } from '../../renderer/ui/screens/Tickets.tsx';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import { memoryStorage, PHRASE, testApp, type TestApp } from './fixtures.ts';
import { at, escaped, render, renderIn, withStubbedGlobals } from './render.ts';

const t = translator('en');
const ME = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
const RELAY = 'ws://127.0.0.1:4444';
const NET = 'a'.repeat(64);
const HOUR = 3_600_000;

withStubbedGlobals();

async function unlocked(label: string, from?: TestApp): Promise<TestApp> {
  const app = testApp(label, from);
  await app.store.getState().boot();
  if (from === undefined) await app.store.getState().createIdentity(PHRASE, 'correct horse');
  else await app.store.getState().unlock('correct horse');
  return app;
}

async function withNetwork(label: string): Promise<TestApp> {
  const app = await unlocked(label);
  await app.store.getState().updateSettings({ relays: [RELAY] });
  await app.store.getState().createNetwork({
    name: 'Ticket Co-op',
    witnesses: [ME],
    allocations: [[ME, 100n]],
    creditLimit: 0n,
  });
  return app;
}

const networkIdOf = (app: TestApp): string => {
  const network = app.store.getState().network;
  if (network === null) throw new Error('no network');
  return network.networkId;
};

function record(label: string, expires: number): TicketRecord {
  return createTicket([], { now: 1_000, expires, once: true, random: deterministicRandom(label) });
}

describe('ticket records in storage', () => {
  it('keeps them per network, leaves other networks alone, and forgets them when emptied', () => {
    const storage = memoryStorage();
    const mine = record('mine', 2 * HOUR);
    const theirs = record('theirs', 3 * HOUR);
    saveTickets(storage, NET, [mine]);
    saveTickets(storage, 'b'.repeat(64), [theirs]);
    expect(loadTickets(storage, NET)).toEqual({ records: [mine], dropped: 0 });
    expect(loadTickets(storage, 'b'.repeat(64)).records).toEqual([theirs]);
    expect(loadTickets(storage, 'c'.repeat(64))).toEqual({ records: [], dropped: 0 });
    saveTickets(storage, NET, []);
    expect(loadTickets(storage, NET).records).toEqual([]);
    expect(loadTickets(storage, 'b'.repeat(64)).records).toEqual([theirs]);
    saveTickets(storage, 'b'.repeat(64), []);
    expect(storage.items.has(TICKETS_KEY)).toBe(false);
  });

  it('leaves out a damaged record and reads anything else as nothing, never throwing', () => {
    const storage = memoryStorage();
    const good = record('good', 2 * HOUR);
    const forged = { ...record('forged', 2 * HOUR), id: '000000000000' };
    const networks = { [NET]: [good, forged, { ...good, ticket: 'short' }, 'junk', null] };
    storage.setItem(TICKETS_KEY, JSON.stringify({ version: 1, networks }));
    expect(loadTickets(storage, NET)).toEqual({ records: [good], dropped: 4 });
    for (const junk of ['{', 'null', '[]', '{"networks":[]}', `{"networks":{"${NET}":7}}`]) {
      storage.setItem(TICKETS_KEY, junk);
      expect(loadTickets(storage, NET).records, junk).toEqual([]);
    }
    // A record saved over junk replaces it.
    saveTickets(storage, NET, [good]);
    expect(loadTickets(storage, NET)).toEqual({ records: [good], dropped: 0 });
  });
});

describe('giving out tickets from the app', () => {
  it('makes a single-use link with the reusable link’s relays, keeps it, and restarts with it', async () => {
    const app = await withNetwork('make');
    const state = app.store.getState();
    const networkId = networkIdOf(app);
    const made = state.createTicket({ once: true, duration: 'week' });
    const parsed = parseJoinLink(made.link);
    if (!parsed.ok || parsed.link.kind !== 'ticket') throw new Error('not a ticket link');
    const ticket = parsed.link.ticket;
    expect(ticket.networkId).toBe(networkId);
    expect(ticket.once).toBe(true);
    expect(ticket.name).toBe('Ticket Co-op');
    expect(ticket.relays).toEqual(connectionRelays(state.settings, state.network));
    expect(ticket.relays).toEqual([RELAY]);
    expect(ticket.expires).toBe(made.expires);
    // A week after the store's clock (the test's own, a second further at each reading).
    expect(made.expires % 1000).toBe(0);
    const madeAt = made.expires - TICKET_DURATIONS.week;
    expect(madeAt).toBeGreaterThan(1_800_000_000_000);
    expect(madeAt).toBeLessThan(1_800_000_000_000 + HOUR);

    // Kept where the join secret is, as the engine handed it out.
    const kept = loadTickets(app.storage, networkId);
    expect(kept.dropped).toBe(0);
    expect(kept.records.map((r) => [r.id, r.once, r.expires])).toEqual([
      [made.id, true, made.expires],
    ]);
    expect(app.storage.items.get(TICKETS_KEY)).toContain(kept.records[0]?.doorSecret);
    // Never in a notice the screens show.
    expect(JSON.stringify(app.store.getState().problems)).not.toContain(ticket.ticket);

    // The next start hands them back to the engine: the door is open again.
    await app.store.getState().lock();
    const again = await unlocked('make', app);
    const rows = again.store.getState().listTickets();
    expect(rows.map((r) => [r.id, r.state, r.once])).toEqual([[made.id, 'open', true]]);
    expect(again.store.getState().problems).toEqual([]);

    // Leaving the network forgets them with the join secret.
    await again.store.getState().leaveNetwork();
    expect(again.storage.items.has(NETWORK_KEY)).toBe(false);
    expect(again.storage.items.has(TICKETS_KEY)).toBe(false);
  });

  it('starts without a damaged saved ticket and says so by count, not by secret', async () => {
    const app = await withNetwork('damaged');
    const networkId = networkIdOf(app);
    const made = app.store.getState().createTicket({ once: false, duration: 'day' });
    await app.store.getState().lock();
    const saved = loadTickets(app.storage, networkId).records;
    const broken = { ...saved[0], doorSecret: 'not a key' };
    const networks = { [networkId]: [...saved, broken] };
    app.storage.setItem(TICKETS_KEY, JSON.stringify({ version: 1, networks }));

    const again = await unlocked('damaged', app);
    const state = again.store.getState();
    expect(state.runtime).not.toBeNull();
    expect(state.listTickets().map((r) => r.id)).toEqual([made.id]);
    const warnings = state.problems.map((p) => p.notice);
    expect(warnings).toEqual([
      {
        kind: 'warning',
        message:
          '1 saved single-use or time-limited invitations were damaged and left out: they no longer let anyone in.',
      },
    ]);
    await again.store.getState().lock();
  });

  it('lists tickets on the Invite panel and withdraws one after its confirmation', async () => {
    const app = await withNetwork('panel');
    at('network');
    let html = render(app);
    for (const kind of ['reusable', 'once', 'limited'] as const) {
      expect(html).toContain(`>${en[`invite.kind.${kind}`]}</label>`);
    }
    expect(html).toContain(`aria-label="${en['invite.linkLabel']}"`);
    expect(html).toContain(en['tickets.none']);

    const made = app.store.getState().createTicket({ once: true, duration: 'hour' });
    // The link as the panel shows it: the link, its QR code and whom to give it to.
    const shown = renderIn(app, createElement(TicketLink, { made }));
    expect(shown).toContain(`aria-label="${en['invite.ticketLabel']}">${escaped(made.link)}<`);
    expect(shown).toContain(`aria-label="${en['invite.ticketQrLabel']}"`);
    expect(shown).toContain(escaped(en['invite.ticketSecret']));

    html = render(app);
    expect(html).toContain(`data-ticket="${made.id}" data-state="open"`);
    expect(html).toContain(`>${en['tickets.once']}<`);
    expect(html).toContain(en['tickets.nobody']);
    expect(html).toContain(`aria-label="${t('tickets.withdrawLabel', { id: made.id })}"`);

    // Withdraw asks first: what it does, Cancel, and the button that does it.
    const rows = app.store.getState().listTickets();
    const props = {
      rows,
      withdrawn: null,
      busy: false,
      error: null,
      onAsk: () => undefined,
      onCancel: () => undefined,
      onWithdraw: () => undefined,
    };
    const quiet = renderIn(app, createElement(TicketRows, { ...props, asking: null }));
    expect(quiet).not.toContain(en['tickets.withdraw.confirm']);
    const asking = renderIn(app, createElement(TicketRows, { ...props, asking: made.id }));
    expect(asking).toContain(t('tickets.withdraw.title', { id: made.id }));
    expect(asking).toContain(en['tickets.withdraw.confirm']);
    expect(asking).toContain(`>${en['tickets.withdraw.button']}</button>`);
    expect(asking).toContain(`>${en['common.cancel']}</button>`);

    const row = app.store.getState().withdrawTicket(made.id);
    expect(row.state).toBe('revoked');
    const kept = loadTickets(app.storage, networkIdOf(app)).records;
    expect(kept[0]?.revoked).toBeTypeOf('number');
    html = render(app);
    expect(html).toContain(`data-ticket="${made.id}" data-state="revoked"`);
    expect(html).toContain(`>${en['tickets.state.revoked']}<`);
    expect(html).not.toContain(t('tickets.withdrawLabel', { id: made.id }));
    expect(() => app.store.getState().withdrawTicket('ffffffffffff')).toThrow(
      new UserError('tickets.error.unknown'),
    );
    await app.store.getState().lock();
  });
});

describe('joining with a ticket link', () => {
  const ticketLink = (fields: Partial<TicketInvitation>) =>
    formatTicket({
      networkId: NET,
      ticket: 'A'.repeat(43),
      door: 'Q'.repeat(43),
      expires: 1_800_000_000_000 + 7 * 24 * HOUR,
      once: true,
      relays: [RELAY],
      name: 'Elsewhere',
      ...fields,
    });

  it('reads either kind of link and refuses an expired ticket at once', async () => {
    const app = await unlocked('check');
    const state = app.store.getState();
    const open = state.checkJoinLink(ticketLink({}));
    expect(open.kind).toBe('ticket');
    const reusable = formatInvitation({ networkId: NET, secret: 'g'.repeat(43), relays: [] });
    expect(state.checkJoinLink(reusable).kind).toBe('secret');
    expect(() => state.checkJoinLink('gpow:join?v=3&net=zz')).toThrow(UserError);

    const expired = ticketLink({ expires: 1_700_000_000_000 });
    let refusal: unknown = null;
    try {
      state.checkJoinLink(expired);
    } catch (error) {
      refusal = error;
    }
    expect(describeError(refusal, t)).toBe(
      'This invitation expired on 2023-11-14 22:13 UTC: ask for a new one.',
    );
    // The store refuses it too, before anything goes out or is saved.
    const parsed = parseJoinLink(expired);
    if (!parsed.ok || parsed.link.kind !== 'ticket') throw new Error('not a ticket link');
    const joining = state.joinWithTicket(parsed.link.ticket);
    await expect(joining).rejects.toBeInstanceOf(UserError);
    await joining.catch((error: unknown) =>
      expect(describeError(error, t)).toBe(describeError(refusal, t)),
    );
    expect(app.storage.items.has(NETWORK_KEY)).toBe(false);
    expect(app.store.getState().network).toBeNull();
    await app.store.getState().lock();
  });

  it('shows the knock’s sentence when the door cannot be reached, and saves nothing', async () => {
    const app = await unlocked('norelay');
    const stages: string[] = [];
    const parsed = parseJoinLink(ticketLink({ relays: [] }));
    if (!parsed.ok || parsed.link.kind !== 'ticket') throw new Error('not a ticket link');
    let failure: unknown = null;
    await app.store
      .getState()
      .joinWithTicket(parsed.link.ticket, (stage) => stages.push(stage))
      .catch((error: unknown) => (failure = error));
    expect(describeError(failure, t)).toBe(
      'This invitation names no relay, so its door cannot be found: ask the inviter for a link made while their peer runs.',
    );
    expect(stages).toEqual([]);
    expect(app.storage.items.has(NETWORK_KEY)).toBe(false);
    expect(app.storage.items.has(TICKETS_KEY)).toBe(false);
    expect(app.store.getState().network).toBeNull();
    expect(app.store.getState().runtime).toBeNull();
    await app.store.getState().lock();
  });

  it('stops waiting at the door when the person cancels, and saves nothing', async () => {
    const app = await unlocked('cancel');
    // A relay nobody listens on: the knock waits, as it would for an inviter who is away.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const parsed = parseJoinLink(ticketLink({ relays: [`ws://127.0.0.1:${port}`] }));
    if (!parsed.ok || parsed.link.kind !== 'ticket') throw new Error('not a ticket link');
    let stop = (): void => undefined;
    const cancelled = new Promise<void>((resolve) => (stop = resolve));
    const started = Date.now();
    const joining = app.store.getState().joinWithTicket(parsed.link.ticket, undefined, cancelled);
    setTimeout(stop, 200);
    let failure: unknown = null;
    await joining.catch((error: unknown) => (failure = error));
    expect(describeError(failure, t)).toBe(
      'You stopped waiting for the inviter. Nothing was saved.',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(app.storage.items.has(NETWORK_KEY)).toBe(false);
    expect(app.store.getState().network).toBeNull();
    await app.store.getState().lock();
  });

  it('offers a ticket link the desktop app was opened with, as it offers a reusable one', async () => {
    const link = ticketLink({});
    const app = testApp('pending', undefined, {}, (bridge) => ({
      ...bridge,
      pendingDeepLink: () => Promise.resolve(link),
    }));
    await app.store.getState().boot();
    await app.store.getState().createIdentity(PHRASE, 'correct horse');
    const pending = await app.store.getState().takePendingInvitation();
    expect(pending).toBe(link);
    const checked = app.store.getState().checkJoinLink(pending ?? '');
    expect(checked.kind === 'ticket' && checked.ticket.name).toBe('Elsewhere');
    // Offered, never acted on: nothing is saved until the person confirms and is let in.
    expect(app.storage.items.has(NETWORK_KEY)).toBe(false);
    await app.store.getState().lock();
  });

  it('says what the ticket is and how redeeming it goes', async () => {
    const app = await unlocked('terms');
    const parsed = parseJoinLink(ticketLink({}));
    if (!parsed.ok || parsed.link.kind !== 'ticket') throw new Error('not a ticket link');
    const ticket = parsed.link.ticket;
    const waiting = renderIn(app, createElement(TicketTerms, { ticket, stage: null }));
    expect(waiting).toContain(en['join.ticket.kindOnce']);
    expect(waiting).toContain(escaped(en['join.ticket.how']));
    expect(waiting).not.toContain(en['join.ticket.connecting']);
    for (const stage of ['connecting', 'knocking', 'answered'] as const) {
      const html = renderIn(app, createElement(TicketTerms, { ticket, stage }));
      expect(html).toContain(escaped(en[`join.ticket.${stage}`]));
    }
    const limited = renderIn(
      app,
      createElement(TicketTerms, { ticket: { ...ticket, once: false }, stage: null }),
    );
    expect(limited).toContain(en['join.ticket.kindLimited']);
    await app.store.getState().lock();
  });
});
