// End to end, in headless Chromium: a human task whose dispute is judged by a validator who can
// read the delivery (issue 18; docs/protocol.md §11.8). Alice creates a network, Bob joins and is
// paid, and a headless peer offers human tasks. With no third bonded member yet, Bob's catalogue
// and request form say what the type needs and Find stays off; once Alice bonds, Bob requests a
// task with a private detail, with the form's default committee, and the escrow accepts it. The
// provider delivers, Bob disputes through the page's Dispute button and its question, and Alice,
// drawn by P, reads on her Validator screen the delivery and the private detail sealed for her,
// checked against the provider's hash, and fails it. The outcome refunds Bob the price.
import { describe, expect, it } from 'vitest';
import { identity } from '../helpers/network.ts';
import { spawnHeadlessPeer, type HeadlessPeer } from './provider.ts';
import { createNetwork, go, joinAndSignProfile, onboard, pay, text } from './screens.ts';
import { e2eSession } from './session.ts';

let headless: HeadlessPeer | null = null;
const e2e = e2eSession({ timeoutMs: 90_000, beforeClose: async () => headless?.close() });
const { audit, check, openUser, pageErrors, until } = e2e;

const DELIVERY = 'Dear landlord, the heating has been broken since Monday.';
const DETAIL = 'The letter is to my landlord, Mr Smith.';

describe('a disputed human task', () => {
  it('is judged by a validator who reads the delivery sealed for her', async () => {
    const alice = await openUser('alice');
    await onboard(alice, 'alice passphrase');
    const link = await createNetwork(alice, e2e.world.relayUrl, 'Dispute Co-op');
    const bob = await openUser('bob');
    const bobAddress = await onboard(bob, 'bob passphrase');
    await joinAndSignProfile(bob, link, 'Dispute Co-op', 'Bob', until);
    await pay(alice, bobAddress, '300');

    const provider = identity('e2e-task-provider');
    headless = await spawnHeadlessPeer(e2e.world, link, provider, { provide: ['task'] });
    await headless.peer.call('offer', { service: 'task', capacity: '10', rate: '20' }, 90_000);

    // No third bonded member: the catalogue says what a human task needs, the form keeps Find off.
    await go(bob, 'Request a service');
    const taskEntry = bob.getByTestId('catalog').locator('li', { hasText: 'Human task' });
    await until('the task offer to reach Bob', async () =>
      (await taskEntry.textContent())?.includes('1 provider') ? true : null,
    );
    await taskEntry.getByText(/^Needs a third bonded member/).waitFor();
    await check(bob, 'service-catalog-needs-validator');
    await bob.getByRole('link', { name: 'Request Human task' }).click();
    await bob.getByTestId('needs-validator').waitFor();
    expect(await bob.getByRole('button', { name: 'Find providers' }).isDisabled()).toBe(true);
    await check(bob, 'service-request-needs-validator');

    // Alice bonds: neither consumer nor provider, she is the third member the type needs.
    await go(alice, 'Validator');
    await alice.getByLabel('Amount to bond').fill('50');
    await alice.getByRole('button', { name: 'Bond', exact: true }).click();
    await alice.getByTestId('bonds-table').getByText('Active').waitFor();
    await go(bob, 'Request a service');
    await until('Alice’s bond to reach Bob', async () =>
      (await bob.getByTestId('catalog').textContent())?.includes('Needs a third') ? null : true,
    );

    // The request, with the form's default committee (one validator, fee 1): 2 hours at 20.
    await bob.getByRole('link', { name: 'Request Human task' }).click();
    expect(await bob.getByLabel('Validators', { exact: true }).inputValue()).toBe('1');
    await bob.getByLabel('Title').fill('Proofread my letter');
    await bob.getByLabel(/^Details \(private/).fill(DETAIL);
    await bob.getByLabel('Volume (hours)').fill('2');
    await bob.getByRole('button', { name: 'Find providers' }).click();
    const recommended = bob
      .getByTestId('negotiation-table')
      .locator('tr[data-status="recommended"]');
    expect(await recommended.getAttribute('data-provider')).toBe(provider.key);
    await bob.getByRole('button', { name: 'Review the escrow' }).click();
    expect(await text(bob, 'escrow-total')).toBe('41 units');
    await bob.getByRole('button', { name: 'Confirm and escrow' }).click();
    await bob.getByRole('heading', { name: 'Service request' }).waitFor();
    const requestId = new URL(bob.url()).hash.match(/id=([0-9a-f]{64})/)?.[1];
    expect(requestId).toBeDefined();

    // The provider's automation accepts, Bob's wallet reveals, the provider delivers by hand.
    const timeline = bob.getByTestId('timeline');
    await timeline.locator('li[data-kind="reveal"]').waitFor({ timeout: 90_000 });
    await headless.peer.call('deliverText', { id: requestId, text: DELIVERY });
    await bob.getByTestId('delivery-text').getByText(DELIVERY).waitFor({ timeout: 90_000 });

    // Bob disputes through the page: the question says the validators receive a copy.
    await bob.getByRole('button', { name: 'Dispute', exact: true }).click();
    const question = bob.getByRole('alertdialog', {
      name: 'Dispute the delivery of “Human task”?',
    });
    await question.getByText(/each receive a copy of it and of your private details/).waitFor();
    await check(bob, 'service-dispute-confirm');
    await question.getByRole('button', { name: 'Confirm' }).click();
    await timeline.locator('li[data-kind="review"]').waitFor({ timeout: 60_000 });

    // Alice, drawn by P, reads the delivery and the detail sealed for her, and fails it.
    await go(alice, 'Validator');
    const assigned = alice.getByTestId('assigned-table');
    await assigned
      .getByText('The consumer disputed it; judge the delivery on its merits.')
      .waitFor({ timeout: 60_000 });
    await assigned.getByTestId('evidence-text').getByText(DELIVERY).waitFor({ timeout: 60_000 });
    expect(await text(alice, 'evidence-check')).toBe(
      "This copy matches the hash the provider delivered: it is the provider's work.",
    );
    await assigned.getByText(DETAIL).waitFor();
    await check(alice, 'validator-dispute');
    await assigned.getByRole('button', { name: /^Fail the delivery of/ }).click();
    await alice.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
    await assigned.getByText('You voted Fail.').waitFor();

    // The instance page shows Alice the same copy; the outcome refunds Bob the price.
    await assigned.getByRole('link', { name: 'Human task' }).click();
    await alice.getByRole('region', { name: 'The disputed delivery, sealed for you' }).waitFor();
    await check(alice, 'service-instance-evidence');
    await until(
      'the disputed task to fail and be settled',
      async () =>
        (await bob.getByTestId('instance-state').getAttribute('data-outcome')) === 'failed',
      90_000,
    );
    await go(bob, 'Balance');
    // 300 − 41 escrowed + 40 refunded; Alice's fee of 1 is hers.
    await until('Bob’s refund', async () => {
      const available = await text(bob, 'balance-available');
      const pending = await text(bob, 'balance-pending');
      return available === '299 units' && pending === '0 units';
    });
    expect(audit.findings).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
