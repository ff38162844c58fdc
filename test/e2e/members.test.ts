// End to end, in headless Chromium: a member removed through the UI (docs/protocol.md §13.7,
// §13.8). Alice creates a network whose only witness she is; Bob joins from her invitation and
// signs a profile, so the Members page names him. Bob, not a witness, is told whom to ask. On the
// Network screen's Members panel Alice removes Bob: the confirmation says exactly what will
// change before she proposes it. Her votes enact it, both pages show Bob as removed, and the
// join secret is changed without him, so the invitation Alice shows carries the new secret. Last,
// Alice makes a new join secret by hand, after its own confirmation.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createNetwork, joinAndSignProfile, onboard } from './screens.ts';
import { e2eSession } from './session.ts';

/** A change completes in a few vote rounds (about a second each in the app). */
const e2e = e2eSession({ timeoutMs: 45_000 });
const { audit, check, openUser, pageErrors, until } = e2e;

const invitationOn = async (page: Page) =>
  ((await page.getByLabel('Invitation link', { exact: true }).textContent()) ?? '').trim();

describe('removing a member', () => {
  it('shows the members by name and removes one through the UI, with a confirmation', async () => {
    const alice = await openUser('alice');
    await onboard(alice, 'alice passphrase');
    const invitation = await createNetwork(alice, e2e.world.relayUrl, 'Member Co-op');
    const bob = await openUser('bob');
    await onboard(bob, 'bob passphrase');
    await joinAndSignProfile(bob, invitation, 'Member Co-op', 'Bob', until);

    // Alice's Members page names Bob by the profile he signed, a member like her.
    const members = alice.getByRole('region', { name: 'Members' });
    const bobRow = members.locator('tr[data-member="Bob"]');
    await until('Bob by name on Alice’s Members page', async () => (await bobRow.count()) > 0);
    expect(await bobRow.getAttribute('data-standing')).toBe('member');
    await members.getByText('This network is open').waitFor();
    // Bob, not a witness, is told whom to ask, and offered no change.
    const bobMembers = bob.getByRole('region', { name: 'Members' });
    await bobMembers
      .getByTestId('member-ask')
      .filter({ hasText: 'Only witnesses can admit or remove members' })
      .waitFor();
    await expect(
      bobMembers.getByRole('button', { name: /from the network$/ }).count(),
    ).resolves.toBe(0);
    await check(alice, 'members-directory');

    // Remove Bob: the confirmation says exactly what will change; cancelling changes nothing.
    await members.getByRole('button', { name: 'Remove from the network: Bob' }).click();
    await members.getByRole('heading', { name: 'Remove Bob from the network' }).waitFor();
    const confirm = members.getByTestId('member-confirm');
    expect(await confirm.textContent()).toBe(
      'Bob will be removed. Once you, the only witness, back it, which proposing does, Bob can no longer sign, and the join secret is changed without them: they stay outside and see nothing new. What they hold stays theirs, frozen.',
    );
    await check(alice, 'members-remove-confirm');
    await members.getByRole('button', { name: 'Cancel' }).click();
    await expect(members.getByTestId('member-confirm').count()).resolves.toBe(0);
    await members.getByRole('button', { name: 'Remove from the network: Bob' }).click();
    await members.getByRole('button', { name: 'Propose this change' }).click();
    await members.getByRole('status').filter({ hasText: 'Change proposed' }).waitFor();

    // Alice's votes enact it: Bob is shown removed on both pages.
    await until(
      'Bob removed on Alice’s page',
      async () => (await bobRow.getAttribute('data-standing')) === 'removed',
    );
    await bobRow.getByText('removed', { exact: true }).waitFor();
    await members.getByRole('button', { name: 'Admit again: Bob' }).waitFor();
    const himself = bobMembers.locator('tr[data-member="Bob"]');
    await until(
      'Bob removed on his own page',
      async () => (await himself.getAttribute('data-standing')) === 'removed',
    );
    await check(alice, 'members-removed');

    // The join secret was changed without him: the invitation Alice shows carries the new one.
    await until('a new invitation', async () => (await invitationOn(alice)) !== invitation);
    const rotated = await invitationOn(alice);

    // A new join secret by hand, after a confirmation of what it does.
    const invite = alice.getByRole('region', { name: 'Invite' });
    await invite.getByRole('button', { name: 'Make a new join secret' }).click();
    expect(await invite.getByTestId('rotate-confirm').textContent()).toMatch(
      /^Older invitations will stop working for anyone not yet in; members who are offline now will need a new invitation\./,
    );
    await check(alice, 'invite-rotate-confirm');
    await invite.getByRole('button', { name: 'Make the new secret' }).click();
    await invite.getByRole('status').filter({ hasText: 'A new join secret is in use' }).waitFor();
    await until('the newer invitation', async () => {
      const shown = await invitationOn(alice);
      return shown !== rotated && shown !== invitation;
    });

    expect(audit.findings).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
