// End to end, in headless Chromium (issue 18): a counterparty saved from History as a contact.
// Alice creates a network and pays Carol, who has no profile and no label, so History shows
// only Carol's address. From that row Alice saves Carol: an empty name is refused in a sentence
// under the name's field, which points at it (aria-describedby); a name is saved, and History
// names the row by it, the shortened address beside it. Send offers Carol by name and says whose
// address the typed one is; a bad amount is refused under the amount. Each screen axe-checked.
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/bytes.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { identity } from '../helpers/network.ts';
import { createNetwork, go, onboard, pay } from './screens.ts';
import { e2eSession } from './session.ts';

const e2e = e2eSession({ timeoutMs: 30_000 });
const { audit, check, openUser, pageErrors } = e2e;

const carol = encodeAddress(fromHex(identity('e2e contacts carol').key));
/** As the app shortens an address (renderer/ui/components/party.tsx). */
const short = (address: string) => `${address.slice(0, 13)}…${address.slice(-8)}`;

describe('a counterparty saved from History', () => {
  it('is saved under a checked name, which then names it on History and in Send', async () => {
    const alice = await openUser('alice');
    await onboard(alice, 'alice passphrase');
    await createNetwork(alice, e2e.world.relayUrl, 'Contacts Co-op');
    await pay(alice, carol, '25');

    await go(alice, 'History');
    const row = alice.getByTestId('history-table').locator('tbody tr', { hasText: 'Sent' });
    await row.getByText(short(carol)).waitFor();
    await check(alice, 'history-save-contact');
    await row.getByRole('button', { name: `Save as contact: ${short(carol)}` }).click();

    // An empty name: refused under the name's field, which points at the sentence.
    const name = row.getByLabel(`Name for ${short(carol)}`);
    await row.getByRole('button', { name: 'Save contact' }).click();
    const refusal = row.getByRole('alert');
    await refusal.filter({ hasText: 'Give the contact a label.' }).waitFor();
    const refusalId = await refusal.getAttribute('id');
    expect(refusalId).toBeTruthy();
    expect(await name.getAttribute('aria-describedby')).toContain(refusalId ?? '');
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    await check(alice, 'history-save-contact-refused');

    await name.fill('Carol');
    await row.getByRole('button', { name: 'Save contact' }).click();
    await row.locator('.party-label', { hasText: 'Carol' }).waitFor();
    await row.getByText(short(carol)).waitFor();
    await expect(row.getByRole('button', { name: /^Save as contact/ }).count()).resolves.toBe(0);
    await check(alice, 'history-contact-saved');

    // Send offers Carol by name, with her shortened address, and names the address picked.
    await go(alice, 'Send');
    const picker = alice.getByLabel('Pay a contact or a member');
    await picker.selectOption({ label: `Carol (${short(carol)})` });
    expect(await alice.getByLabel('Recipient address').inputValue()).toBe(carol);
    const recipient = alice.getByTestId('send-recipient');
    await recipient.getByText('Carol').waitFor();
    await recipient.getByText(short(carol)).waitFor();

    // A bad amount is refused under the amount, not at the bottom of the form.
    const amount = alice.getByLabel('Amount');
    await amount.fill('lots');
    await alice.getByRole('button', { name: 'Review payment' }).click();
    const amountError = alice.locator('#send-amount-error');
    await amountError
      .filter({ hasText: 'Enter the amount as a whole number, digits only.' })
      .waitFor();
    expect(await amount.getAttribute('aria-describedby')).toContain('send-amount-error');
    expect(await amount.getAttribute('aria-invalid')).toBe('true');
    await check(alice, 'send-contact-named');

    expect(audit.findings).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
