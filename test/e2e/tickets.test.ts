// End to end, in headless Chromium: a single-use invitation (docs/protocol.md §13.9) made and
// redeemed through the UI, over real WebRTC between browser profiles. Alice creates a network
// and, on the Invite panel, makes a single-use link; the panel says her app must stay open. Bob
// joins with it: his page knocks at the door Alice's page keeps, and her answer lets him in.
// Alice's list shows the link used, by Bob as he said. Carol tries the same link and is refused
// with the door's sentence, and nothing is saved for her. Last, Alice withdraws a time-limited
// link after its confirmation.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createNetwork, go, onboard } from './screens.ts';
import { e2eSession } from './session.ts';

const e2e = e2eSession({ timeoutMs: 60_000 });
const { audit, check, openUser, pageErrors, until } = e2e;

/** Opens the Join screen, checks the link and confirms: the ticket's terms are shown first. */
async function tryToJoin(page: Page, link: string): Promise<void> {
  await go(page, 'Network');
  await page.getByRole('button', { name: 'Join with an invitation' }).click();
  await page.getByLabel('Invitation link').fill(link);
  await page.getByRole('button', { name: 'Check invitation' }).click();
  await page.getByText('Single-use invitation: it lets in one person.').waitFor();
  await page.getByRole('button', { name: 'Join network' }).click();
}

describe('single-use invitations', () => {
  it('lets one person in with a single-use link, refuses the next, and withdraws a link', async () => {
    const alice = await openUser('alice');
    await onboard(alice, 'alice passphrase');
    await createNetwork(alice, e2e.world.relayUrl, 'Ticket Co-op');

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
