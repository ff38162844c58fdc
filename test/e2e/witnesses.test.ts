// End to end, in headless Chromium: a witness replaced through the UI (docs/protocol.md §13).
// Alice creates a network whose only witness she is; Bob joins from her invitation and signs a
// profile, so the UI can name him. On the Network screen's Witnesses panel Alice asks to replace
// herself: naming herself is refused with the planner's sentence, then she picks Bob from the
// members, and the confirmation says exactly what will change before she proposes it. Her vote
// backs and enacts the change, Bob's peer takes over, both panels show Bob as the witness, and
// a payment from Alice to Bob becomes final on Bob's vote alone.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createNetwork, go, joinAndSignProfile, onboard, pay, text } from './screens.ts';
import { e2eSession } from './session.ts';

/** A change completes in a few vote rounds (about a second each in the app). */
const e2e = e2eSession({ timeoutMs: 45_000 });
const { audit, check, openUser, pageErrors, until } = e2e;

/** The addresses in a Witnesses table, in its order. */
const witnessesOn = (panel: ReturnType<Page['getByRole']>) =>
  panel
    .getByTestId('witnesses-table')
    .locator('tr[data-witness]')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-witness')));

describe('changing the witnesses', () => {
  it('replaces the only witness with another member through the UI', async () => {
    const alice = await openUser('alice');
    const aliceAddress = await onboard(alice, 'alice passphrase');
    const invitation = await createNetwork(alice, e2e.world.relayUrl, 'Witness Co-op');
    const bob = await openUser('bob');
    const bobAddress = await onboard(bob, 'bob passphrase');
    await joinAndSignProfile(bob, invitation, 'Witness Co-op', 'Bob', until);

    // Alice's panel: herself as the only witness, the quorum in a sentence.
    const panel = alice.getByRole('region', { name: 'Witnesses' });
    await panel
      .getByTestId('witness-quorum')
      .filter({ hasText: 'Payments are final once this one witness has seen them.' })
      .waitFor();
    expect(await witnessesOn(panel)).toEqual([aliceAddress]);
    // Bob, not a witness, is told whom to ask.
    const bobPanel = bob.getByRole('region', { name: 'Witnesses' });
    await bobPanel.getByTestId('witness-ask').filter({ hasText: 'ask one of them:' }).waitFor();
    await expect(bobPanel.getByRole('button', { name: /^Replace/ }).count()).resolves.toBe(0);

    // Replace herself: naming herself is refused with the planner's sentence.
    await panel.getByRole('button', { name: 'Replace you' }).click();
    await panel.getByLabel('Address of the new witness').fill(aliceAddress);
    await panel.getByRole('button', { name: 'Review the change' }).click();
    await panel.getByRole('alert').filter({ hasText: 'That key is already a witness.' }).waitFor();
    // Bob, picked by the name he signed once his profile has arrived.
    const picker = panel.getByLabel('Member');
    await until(
      'Bob among the members to pick',
      async () => (await picker.locator('option', { hasText: 'Bob' }).count()) > 0,
    );
    await picker.selectOption({ label: 'Bob' });
    expect(await panel.getByLabel('Address of the new witness').inputValue()).toBe(bobAddress);
    await panel.getByRole('button', { name: 'Review the change' }).click();
    const confirm = panel.getByTestId('witness-confirm');
    await confirm.waitFor();
    expect(await confirm.textContent()).toBe(
      'Witnesses become Bob. It takes effect once you, the only witness, back it, which proposing does; until then nothing changes. From then on, payments are final once that one witness has seen them.',
    );
    await panel.getByText('You will no longer be a witness').waitFor();
    await check(alice, 'witnesses-confirm');
    await panel.getByRole('button', { name: 'Propose this change' }).click();
    await panel.getByRole('status').filter({ hasText: 'Change proposed' }).waitFor();

    // Alice's votes back and enact it: both panels say the set is taking over.
    await panel.getByTestId('witness-incoming').filter({ hasText: 'become Bob.' }).waitFor();
    await bobPanel.getByTestId('witness-incoming').filter({ hasText: 'become you.' }).waitFor();
    await check(alice, 'witnesses-taking-over');

    // Alice pays Bob. Bob's peer hands the set over in its next vote (it cites Alice's
    // acknowledgement), and that vote, counted for the new set, makes the payment final: Alice
    // no longer votes. (Bob's peer also votes by itself once the change is enacted, with no
    // payment needed: test/engine/witness.test.ts.)
    await pay(alice, bobAddress, '25');
    for (const [page, who] of [
      [alice, 'Alice'],
      [bob, 'Bob'],
    ] as const) {
      await go(page, 'Network');
      const on = page.getByRole('region', { name: 'Witnesses' });
      await until(`Bob as the witness on ${who}’s panel`, async () => {
        const shown = await witnessesOn(on);
        return shown.length === 1 && shown[0] === bobAddress;
      });
    }
    await panel.getByTestId('witness-ask').filter({ hasText: 'ask one of them: Bob.' }).waitFor();
    await bobPanel.getByRole('button', { name: 'Replace you' }).waitFor();
    await check(alice, 'witnesses-changed');
    await go(bob, 'Balance');
    await until('the payment final at Bob', async () => {
      return (
        (await text(bob, 'balance-available')) === '25 units' &&
        (await text(bob, 'balance-pending')) === '0 units'
      );
    });
    await go(alice, 'Balance');
    await until('the payment final at Alice', async () => {
      return (
        (await text(alice, 'balance-available')) === '975 units' &&
        (await text(alice, 'balance-pending')) === '0 units'
      );
    });

    expect(audit.findings).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
