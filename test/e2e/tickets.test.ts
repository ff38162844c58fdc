// End to end, in headless Chromium: a single-use invitation (docs/protocol.md §13.9) made and
// redeemed through the UI, over real WebRTC between browser profiles. Alice creates a network
// and, on the Invite panel, makes a single-use link; the panel says her app must stay open. Bob
// joins with it: his page knocks at the door Alice's page keeps, and her answer lets him in.
// Alice's list shows the link used, by Bob as he said. Carol tries the same link and is refused
// with the door's sentence, and nothing is saved for her. Last, Alice withdraws a time-limited
// link after its confirmation.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildWeb,
  openUser as openUserIn,
  screenshotDir,
  startWorld,
  until as untilIn,
  type World,
} from './harness.ts';
import { go, onboard, ScreenAudit } from './screens.ts';

let world: World;
let shots: string;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const users = { contexts, pageErrors };
const openUser = (name: string): Promise<Page> => openUserIn(world, users, name);
const until = <T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
) => untilIn(what, probe, timeoutMs, 200);
const audit = new ScreenAudit(() => shots);
const check = (page: Page, screen: string): Promise<void> => audit.check(page, screen);

/** Alice's network: a relay, herself as the only witness, 1000 for herself. */
async function createNetwork(alice: Page): Promise<void> {
  await go(alice, 'Settings');
  await alice.getByLabel('Relay address').fill(world.relayUrl);
  await alice.getByRole('button', { name: 'Add', exact: true }).first().click();
  await alice.getByRole('list', { name: 'Relays' }).getByText(world.relayUrl).waitFor();
  await go(alice, 'Network');
  await alice.getByRole('button', { name: 'Create a network' }).click();
  await alice.getByLabel('Network name').fill('Ticket Co-op');
  await alice.getByRole('button', { name: 'Continue' }).click();
  await alice.getByRole('heading', { name: 'Choose the witnesses' }).waitFor();
  await alice.getByRole('button', { name: 'Continue' }).click();
  await alice.getByRole('button', { name: 'Use my address' }).click();
  await alice.getByLabel('Amount', { exact: true }).fill('1000');
  await alice.getByRole('button', { name: 'Add balance' }).click();
  await alice.getByRole('button', { name: 'Continue' }).click();
  await alice.getByRole('button', { name: 'Create network' }).click();
  await alice.getByRole('heading', { name: 'Ticket Co-op', level: 1 }).waitFor();
}

/** Opens the Join screen, checks the link and confirms: the ticket's terms are shown first. */
async function tryToJoin(page: Page, link: string): Promise<void> {
  await go(page, 'Network');
  await page.getByRole('button', { name: 'Join with an invitation' }).click();
  await page.getByLabel('Invitation link').fill(link);
  await page.getByRole('button', { name: 'Check invitation' }).click();
  await page.getByText('Single-use invitation: it lets in one person.').waitFor();
  await page.getByRole('button', { name: 'Join network' }).click();
}

beforeAll(async () => {
  shots = await screenshotDir();
  await buildWeb();
  world = await startWorld();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await world?.close();
});

describe('single-use invitations', () => {
  it('lets one person in with a single-use link, refuses the next, and withdraws a link', async () => {
    const alice = await openUser('alice');
    await onboard(alice, 'alice passphrase');
    await createNetwork(alice);

    // A single-use link: 7 days by default, and the panel says the app must stay open.
    const invite = alice.getByRole('region', { name: 'Invite' });
    await invite.getByLabel('Single-use', { exact: true }).check();
    await invite
      .getByText('a single-use or time-limited link works only while this app is open')
      .waitFor();
    expect(await invite.getByLabel('Valid for').inputValue()).toBe('week');
    await invite.getByRole('button', { name: 'Make the link' }).click();
    const linkText = invite.getByLabel('Single-use or time-limited invitation link', {
      exact: true,
    });
    await linkText.waitFor();
    const link = ((await linkText.textContent()) ?? '').trim();
    expect(link).toMatch(/^gpow:join\?v=3&/);
    expect(link).toContain('&once=1');
    await invite
      .getByRole('img', { name: 'QR code of the single-use or time-limited invitation link' })
      .waitFor();
    const tickets = invite.getByTestId('tickets-table');
    await tickets.locator('tr[data-state="open"]').waitFor();
    await check(alice, 'invite-single-use');

    // Bob joins with it: his page asks Alice's for the join secret, and joins.
    const bob = await openUser('bob');
    const bobAddress = await onboard(bob, 'bob passphrase');
    await tryToJoin(bob, link);
    await bob.getByRole('heading', { name: 'Ticket Co-op', level: 1 }).waitFor({ timeout: 90_000 });
    await until(
      'Bob to receive the ledger',
      async () => (await bob.getByTestId('count-final').count()) > 0,
    );

    // Alice's list: used, by Bob as he said.
    const used = tickets.locator('tr[data-state="used"]');
    await until('the link shown as used', async () => (await used.count()) > 0);
    expect(await used.textContent()).toContain('(as they said)');
    expect(await used.locator('.party').getAttribute('title')).toBe(bobAddress);
    await check(alice, 'invite-single-use-used');

    // Carol is refused with the door's sentence, and nothing is saved: she is still outside.
    const carol = await openUser('carol');
    await onboard(carol, 'carol passphrase');
    await tryToJoin(carol, link);
    await carol
      .getByRole('alert')
      .filter({ hasText: 'has already been used: ask for a new one' })
      .waitFor({ timeout: 90_000 });
    await check(carol, 'join-ticket-refused');
    await carol.reload();
    await carol.getByLabel('Passphrase').fill('carol passphrase');
    await carol.keyboard.press('Enter');
    await go(carol, 'Network');
    await carol.getByRole('button', { name: 'Join with an invitation' }).waitFor();
    expect(await carol.evaluate(() => localStorage.getItem('gpow.network.v1'))).toBeNull();

    // A time-limited link, withdrawn after a confirmation.
    await invite.getByLabel('Time-limited', { exact: true }).check();
    expect(await invite.getByLabel('Valid for').inputValue()).toBe('day');
    await invite.getByLabel('Valid for').selectOption('hour');
    await invite.getByRole('button', { name: 'Make the link' }).click();
    await invite.getByText(/^Invitation valid until /).waitFor();
    const open = tickets.locator('tr[data-state="open"]');
    await open.waitFor();
    const id = (await open.getAttribute('data-ticket')) ?? '';
    await invite.getByRole('button', { name: `Withdraw invitation ${id}` }).click();
    await invite.getByRole('heading', { name: `Withdraw invitation ${id}?` }).waitFor();
    expect(await invite.getByTestId('ticket-withdraw-confirm').textContent()).toBe(
      'Nobody else will be let in with this link. Anyone it already let in stays in the network.',
    );
    await check(alice, 'invite-withdraw-confirm');
    await invite.getByRole('button', { name: 'Cancel' }).click();
    await expect(invite.getByTestId('ticket-withdraw-confirm').count()).resolves.toBe(0);
    await invite.getByRole('button', { name: `Withdraw invitation ${id}` }).click();
    await invite.getByRole('button', { name: 'Withdraw the invitation' }).click();
    await tickets.locator(`tr[data-ticket="${id}"][data-state="revoked"]`).waitFor();
    await invite.getByText(`Invitation ${id} withdrawn`).waitFor();

    expect(audit.findings).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
