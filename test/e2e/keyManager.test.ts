// End to end, in headless Chromium (issue 18): two identities and two networks in one profile.
// "main" creates Alpha (1,000 for itself) and pays Carol 25. In Identities and networks, a
// second identity is refused without a name (the sentence under the field), then added as
// "work": the page opens it, locked, and its passphrase unlocks it. It has no network; it creates
// Beta (400), so its balance and history are its own, not main's. It then puts Beta aside and
// creates Gamma (250): the list shows which is open, and switching shows each one's own balance.
// A reload keeps the identity and the network chosen. Back on main, Alpha shows 975 and the
// payment, and the lock screen offers "work" too; removing "work" asks first and says what goes; the last identity cannot be removed.
// Each screen axe-checked.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/bytes.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { identity } from '../helpers/network.ts';
import { createNetwork, createNetworkHere, go, onboard, pay, text } from './screens.ts';
import { e2eSession } from './session.ts';

const e2e = e2eSession({ timeoutMs: 30_000 });
const { audit, check, openUser, pageErrors, until } = e2e;

const carol = encodeAddress(fromHex(identity('e2e key manager carol').key));

async function unlock(page: Page, passphrase: string): Promise<string> {
  await page.getByLabel('Passphrase').fill(passphrase);
  await page.keyboard.press('Enter');
  await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
  return (await page.locator('.topbar-address').getAttribute('title')) ?? '';
}

async function balanceIs(page: Page, expected: string): Promise<void> {
  await go(page, 'Balance');
  await until(`a balance of ${expected}`, async () => {
    return (await text(page, 'balance-available')) === expected;
  });
}

const sentRows = (page: Page) =>
  page.getByTestId('history-table').locator('tbody tr', { hasText: 'Sent' });

describe('two identities and two networks in one profile', () => {
  it('keeps each identity’s and each network’s own balance, and the choice across a reload', async () => {
    const page = await openUser('keeper');
    const mainAddress = await onboard(page, 'main passphrase');
    await createNetwork(page, e2e.world.relayUrl, 'Alpha');
    await pay(page, carol, '25');
    await balanceIs(page, '975 units');

    // A second identity: refused without a name, under the name's field.
    await go(page, 'Identities');
    const identities = page.getByRole('list', { name: 'Identities' });
    await identities.getByText('main (open now)').waitFor();
    await page.getByLabel('I wrote these 24 words down').check();
    await page.getByLabel('Its passphrase').fill('work passphrase');
    await page.getByLabel('The passphrase again').fill('work passphrase');
    await page.getByRole('button', { name: 'Add and open it' }).click();
    const name = page.getByLabel('Its name in this app');
    await page.locator('#add-identity-name-error').getByText('Give the identity a name.').waitFor();
    expect(await name.getAttribute('aria-describedby')).toContain('add-identity-name-error');
    await check(page, 'keys-add-refused');
    await name.fill('work');
    await page.getByRole('button', { name: 'Add and open it' }).click();

    // The page opens the new identity, locked; its own passphrase unlocks it.
    await page.getByRole('heading', { name: 'Unlock GPoW' }).waitFor({ timeout: 60_000 });
    const workAddress = await unlock(page, 'work passphrase');
    expect(workAddress).toMatch(/^gpow1/);
    expect(workAddress).not.toBe(mainAddress);
    await go(page, 'Network');
    await createNetworkHere(page, 'Beta', '400');
    await balanceIs(page, '400 units');
    await go(page, 'History');
    await page.getByRole('heading', { name: 'History', level: 1 }).waitFor();
    expect(await sentRows(page).count()).toBe(0);

    // A second network for "work": Beta waits in the list while Gamma is created.
    await go(page, 'Identities');
    await page.getByRole('button', { name: 'Join or create another network' }).click();
    await createNetworkHere(page, 'Gamma', '250');
    await balanceIs(page, '250 units');
    await go(page, 'Identities');
    const networks = page.getByRole('list', { name: 'Networks of this identity' });
    await networks.getByText('Gamma (open now)').waitFor();
    await identities.getByText('work (open now)').waitFor();
    await check(page, 'keys-two-networks');
    await networks.getByRole('button', { name: 'Switch to Beta' }).click();
    await networks.getByText('Beta (open now)').waitFor();
    await balanceIs(page, '400 units');

    // A reload opens the same identity and network.
    await page.reload();
    expect(await unlock(page, 'work passphrase')).toBe(workAddress);
    // With several identities, the header names the one open.
    await page.locator('.topbar-address').getByText('work').waitFor();
    await balanceIs(page, '400 units');

    // Back to main: its own network, balance and history.
    await go(page, 'Identities');
    await identities.getByRole('button', { name: 'Switch to main' }).click();
    await page.getByRole('heading', { name: 'Unlock GPoW' }).waitFor({ timeout: 60_000 });
    // The lock screen says which identity it holds, and offers the others.
    const others = page.getByRole('region', { name: 'Other identities in this app' });
    await others.getByText(/^Locked here: main\./).waitFor();
    await others.getByRole('button', { name: 'Open work' }).waitFor();
    await check(page, 'keys-locked');
    expect(await unlock(page, 'main passphrase')).toBe(mainAddress);
    await balanceIs(page, '975 units');
    await go(page, 'History');
    await sentRows(page).first().waitFor();

    // Removing "work" asks first, saying what goes; then the list has main alone, renamed.
    await go(page, 'Identities');
    await identities.getByRole('button', { name: 'Remove work' }).click();
    const question = page.getByRole('alertdialog', { name: 'Remove work?' });
    await question.getByText(/Its 24 words are then the only way back/).waitFor();
    await check(page, 'keys-remove-question');
    await question.getByRole('button', { name: 'Confirm' }).click();
    await until('work to be removed', async () => (await identities.locator('li').count()) === 1);
    await identities.getByRole('button', { name: 'Remove main' }).click();
    await identities
      .getByText('This is the only identity here: add another before you can remove it.')
      .waitFor();
    await identities.getByRole('button', { name: 'Rename main' }).click();
    await page.getByLabel('New name for main').fill('Alice');
    await page.getByRole('button', { name: 'Save the name' }).click();
    await identities.getByText('Alice (open now)').waitFor();
    await check(page, 'keys-after-remove');

    expect(audit.findings).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
