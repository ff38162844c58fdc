// End to end, in headless Chromium: a member removed through the UI (docs/protocol.md §13.7,
// §13.8). Alice creates a network whose only witness she is; Bob joins from her invitation and
// signs a profile, so the Members page names him. Bob, not a witness, is told whom to ask. On the
// Network screen's Members panel Alice removes Bob: the confirmation says exactly what will
// change before she proposes it. Her votes enact it, both pages show Bob as removed, and the
// join secret is changed without him, so the invitation Alice shows carries the new secret. Last,
// Alice makes a new join secret by hand, after its own confirmation.
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
/** A change completes in a few vote rounds (about a second each in the app). */
const until = <T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 45_000,
) => untilIn(what, probe, timeoutMs, 200);
const audit = new ScreenAudit(() => shots);

const check = (page: Page, screen: string): Promise<void> => audit.check(page, screen);

/** Alice's network: a relay, herself as the only witness, 1000 for herself. */
async function createNetwork(alice: Page): Promise<string> {
  await go(alice, 'Settings');
  await alice.getByLabel('Relay address').fill(world.relayUrl);
  await alice.getByRole('button', { name: 'Add', exact: true }).first().click();
  await alice.getByRole('list', { name: 'Relays' }).getByText(world.relayUrl).waitFor();
  await go(alice, 'Network');
  await alice.getByRole('button', { name: 'Create a network' }).click();
  await alice.getByLabel('Network name').fill('Member Co-op');
  await alice.getByRole('button', { name: 'Continue' }).click();
  await alice.getByRole('heading', { name: 'Choose the witnesses' }).waitFor();
  await alice.getByRole('button', { name: 'Continue' }).click();
  await alice.getByRole('button', { name: 'Use my address' }).click();
  await alice.getByLabel('Amount', { exact: true }).fill('1000');
  await alice.getByRole('button', { name: 'Add balance' }).click();
  await alice.getByRole('button', { name: 'Continue' }).click();
  await alice.getByRole('button', { name: 'Create network' }).click();
  await alice.getByRole('heading', { name: 'Member Co-op', level: 1 }).waitFor();
  return (await alice.getByLabel('Invitation link', { exact: true }).textContent()) ?? '';
}

/** Bob joins from the link and signs a profile, so that members see his name. */
async function joinAsBob(bob: Page, invitation: string): Promise<void> {
  await go(bob, 'Network');
  await bob.getByRole('button', { name: 'Join with an invitation' }).click();
  await bob.getByLabel('Invitation link').fill(invitation);
  await bob.getByRole('button', { name: 'Check invitation' }).click();
  await bob.getByRole('button', { name: 'Join network' }).click();
  await bob.getByRole('heading', { name: 'Member Co-op', level: 1 }).waitFor();
  await until(
    'Bob to receive the ledger',
    async () => (await bob.getByTestId('count-final').count()) > 0,
  );
  const members = bob.getByRole('region', { name: 'Members' });
  await members.getByLabel('Display name').fill('Bob');
  await members.getByRole('button', { name: 'Review' }).click();
  await members.getByRole('button', { name: 'Sign the profile' }).click();
  await members.getByText('Profile signed.').waitFor();
}

const invitationOn = async (page: Page) =>
  ((await page.getByLabel('Invitation link', { exact: true }).textContent()) ?? '').trim();

beforeAll(async () => {
  shots = await screenshotDir();
  await buildWeb();
  world = await startWorld();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await world?.close();
});

describe('removing a member', () => {
  it('shows the members by name and removes one through the UI, with a confirmation', async () => {
    const alice = await openUser('alice');
    await onboard(alice, 'alice passphrase');
    const invitation = await createNetwork(alice);
    const bob = await openUser('bob');
    await onboard(bob, 'bob passphrase');
    await joinAsBob(bob, invitation);

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
