// End to end, in headless Chromium: one identity on two browser profiles (docs/protocol.md §12).
// Alice creates an identity and a network whose only witness she is, with 1000 for herself; a
// headless peer (the real engine, test/net's PeerProcess) joins it to be paid. Alice makes a
// pairing link in Settings; a second browser profile, her laptop, refuses a damaged copy with
// the parser's sentence and changes nothing, then pairs from the real one. The laptop shows in
// Alice's device list, is topped up to its allowance, and both profiles pay the headless peer;
// both payments become final and both profiles show the same total for the identity.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/bytes.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { parsePairingLink } from '../../shared/net/pairing.ts';
import { identity } from '../helpers/network.ts';
import { spawnHeadlessPeer, type HeadlessPeer } from './provider.ts';
import { createNetwork, go, onboard, pay, text } from './screens.ts';
import { e2eSession } from './session.ts';

let headless: HeadlessPeer | null = null;
/** Pairing and top-ups take a few witness rounds: a longer wait than the wallet test's. */
const e2e = e2eSession({ timeoutMs: 60_000, beforeClose: async () => headless?.close() });
const { audit, check, openUser, pageErrors, until } = e2e;

/** Everything a page keeps in its localStorage. */
const storageOf = (page: Page) =>
  page.evaluate(() => Object.fromEntries(Object.entries(localStorage).sort()));

describe('one identity on two browser profiles', () => {
  it('pairs a second profile from a link, tops it up, and both pay', async () => {
    // Alice: an identity, a relay, and a network whose only witness she is.
    const alice = await openUser('alice');
    await onboard(alice, 'alice passphrase');
    const invitation = await createNetwork(alice, e2e.world.relayUrl, 'Devices Co-op');

    // The headless peer joins to be paid.
    const payee = identity('e2e-device-payee');
    const payeeAddress = encodeAddress(fromHex(payee.key));
    headless = await spawnHeadlessPeer(e2e.world, invitation, payee, {});

    // Alice makes a pairing link in Settings, Devices.
    await go(alice, 'Settings');
    const devices = alice.getByRole('region', { name: 'Devices' });
    await devices.getByTestId('devices-table').waitFor();
    await devices.getByLabel('Device name').fill('laptop');
    await devices.getByLabel('Allowance').fill('100');
    await devices.getByRole('button', { name: 'Make pairing link' }).click();
    const link = (await devices.getByLabel('Pairing link', { exact: true }).textContent()) ?? '';
    const parsed = parsePairingLink(link);
    expect(parsed.ok && parsed.link.name === 'laptop' && parsed.link.allowance === 100n).toBe(true);
    await devices.getByRole('img', { name: 'QR code of the pairing link' }).waitFor();
    await devices.getByText('This link is a secret that works once').waitFor();
    await check(alice, 'devices-pair-link');

    // The laptop: a damaged copy is refused with the parser's sentence, and nothing changes.
    const laptop = await openUser('laptop');
    await laptop.getByRole('heading', { name: 'Welcome to GPoW' }).waitFor();
    await laptop.getByRole('button', { name: 'Pair with my other device' }).click();
    await laptop.getByRole('heading', { name: 'Pair this device' }).waitFor();
    await laptop.getByLabel('Passphrase', { exact: true }).fill('laptop passphrase');
    await laptop.getByLabel('Repeat the passphrase').fill('laptop passphrase');
    const damaged = link.replace('&n=laptop', '&n=laptoq');
    const problem = parsePairingLink(damaged);
    if (problem.ok) throw new Error('the damaged link parses');
    const before = await storageOf(laptop);
    await laptop.getByLabel('Pairing link').fill(damaged);
    await laptop.getByRole('button', { name: 'Pair this device' }).click();
    await laptop
      .getByRole('alert')
      .filter({ hasText: `This pairing link cannot be used: ${problem.error}` })
      .waitFor();
    expect(await storageOf(laptop)).toEqual(before);
    await check(laptop, 'devices-pair-refused');

    // The real link: the laptop becomes a device of Alice's identity.
    await laptop.getByLabel('Pairing link').fill(link);
    await laptop.getByRole('button', { name: 'Pair this device' }).click();
    await laptop.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
    const laptopAddress = (await laptop.locator('.topbar-address').getAttribute('title')) ?? '';
    expect(laptopAddress).toMatch(/^gpow1/);

    // Alice sees it in her list, topped up to its allowance once her vote made it final.
    const row = devices.getByTestId('devices-table').locator('tr[data-device="laptop"]');
    await until('the laptop in Alice’s device list', async () => (await row.count()) > 0);
    await until(
      'the laptop holding its allowance',
      async () => ((await row.getByTestId('device-holds').textContent()) ?? '') === '100 units',
    );
    await check(alice, 'devices-list');
    // Revoking asks first, and says where the money goes; cancelled here.
    await row.getByRole('button', { name: 'Revoke laptop' }).click();
    await devices.getByText('goes back to your original device').waitFor();
    await devices.getByRole('button', { name: 'Cancel' }).click();

    await go(laptop, 'Balance');
    await until('the laptop’s wallet', async () => {
      const spendable = await text(laptop, 'device-spendable');
      const total = await text(laptop, 'identity-total');
      return spendable === '100 units' && total === '1,000 units';
    });
    await laptop.getByText('This browser is the device “laptop”').waitFor();
    await check(laptop, 'devices-wallet-laptop');

    // Both pay the headless peer: Alice from the identity's chain, the laptop from its own.
    await pay(alice, payeeAddress, '50');
    await pay(laptop, payeeAddress, '30');
    const peer = headless.peer;
    await until('both payments final at the payee', async () => {
      const account = await peer.call<{ available: string; pending: string }>('balance', {
        key: payee.key,
      });
      return String(account.available) === '80' && String(account.pending) === '0';
    });
    for (const page of [alice, laptop]) {
      await go(page, 'Balance');
      await until('the same identity total on both profiles', async () => {
        const total = await text(page, 'identity-total');
        const pending = await text(page, 'identity-pending');
        return total === '920 units' && pending === '0 units';
      });
    }
    // (What the laptop can spend goes back up to 100: Alice's chain tops it up again.)
    await check(alice, 'devices-wallet-alice');

    // A reload keeps the laptop the same device, without the words.
    await laptop.reload();
    await laptop.getByLabel('Passphrase').fill('laptop passphrase');
    await laptop.keyboard.press('Enter');
    await laptop.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
    expect(await laptop.locator('.topbar-address').getAttribute('title')).toBe(laptopAddress);
    await go(laptop, 'Balance');
    await until('the laptop’s wallet after a reload', async () => {
      return (await text(laptop, 'identity-total')) === '920 units';
    });

    // Alice revokes the laptop (say it was lost): once her vote makes it final, it is listed as
    // revoked, and the identity still holds the same total: what the laptop held goes back.
    await go(alice, 'Settings');
    await row.getByRole('button', { name: 'Revoke laptop' }).click();
    await devices
      .getByText(/What it holds now \(\d+ units?\).*goes back to your original device/)
      .waitFor();
    await check(alice, 'devices-revoke-confirm');
    await devices.getByRole('button', { name: 'Revoke device' }).click();
    await devices
      .getByRole('status')
      .filter({ hasText: 'Revocation of “laptop” signed.' })
      .waitFor();
    await until(
      'the revocation to be final',
      async () => (await row.getAttribute('data-revoked')) === 'final',
    );
    await expect(row.getByRole('button', { name: 'Revoke laptop' }).count()).resolves.toBe(0);
    await go(alice, 'Balance');
    await until('the identity total after the revocation', async () => {
      return (await text(alice, 'identity-total')) === '920 units';
    });

    expect(audit.findings).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
