// End to end, in headless Chromium (issue 18): a restore that brings back the network, contacts
// and chats with no invitation. Alice restores her identity from known words, creates a network,
// Bob joins; she labels Bob in her address book and they chat privately. She makes a workspace
// backup in Settings and saves the file. Her browser profile is then lost (closed). In a new
// profile she restores from the words and the file: other words are refused with the file's
// sentence; with hers, the app opens on her network (no invitation asked), her balance syncs
// from Bob, Bob is in her address book, and the chat with him is there. Axe-checked.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { generateMnemonic } from '../../shared/identity/mnemonic.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import { createNetwork, go, joinAndSignProfile, onboard, text } from './screens.ts';
import { e2eSession } from './session.ts';

const e2e = e2eSession({ timeoutMs: 60_000 });
const { audit, check, openUser, pageErrors, until } = e2e;
const ALICE_WORDS = generateMnemonic(deterministicRandom('e2e workspace restore: alice'));
const BOB_WORDS = generateMnemonic(deterministicRandom('e2e workspace restore: not alice'));
const NETWORK = 'Backup Co-op';
const MESSAGE = 'bread at eight, see you there';
let dir = '';

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The restore steps, up to the passphrase step; `file` is the backup chosen, if any. */
async function restoreWords(page: Page, words: string, file?: string): Promise<void> {
  await page.getByRole('button', { name: 'Restore from backup words' }).click();
  await page.getByRole('heading', { name: 'Restore your identity' }).waitFor();
  await page.getByLabel('Backup words').fill(words);
  if (file !== undefined)
    await page.getByLabel('Workspace backup file (optional)').setInputFiles(file);
  await page.getByRole('button', { name: 'Continue' }).click();
}

async function choosePassphrase(page: Page, passphrase: string, submit: string): Promise<void> {
  await page.getByRole('heading', { name: 'Choose a passphrase' }).waitFor();
  await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await page.getByLabel('Repeat the passphrase').fill(passphrase);
  await page.getByRole('button', { name: submit }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
}

describe('a restore from the words and a workspace backup', () => {
  it('brings back the network, contacts and chats with no invitation', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gpow-e2e-backup-'));
    const alice = await openUser('alice');
    await restoreWords(alice, ALICE_WORDS);
    await choosePassphrase(alice, 'alice passphrase', 'Restore identity');
    const aliceAddress = (await alice.locator('.topbar-address').getAttribute('title')) ?? '';
    const invitation = await createNetwork(alice, e2e.world.relayUrl, NETWORK);
    const bob = await openUser('bob');
    const bobAddress = await onboard(bob, 'bob passphrase');
    await joinAndSignProfile(bob, invitation, NETWORK, 'Bob', until);

    // Alice labels Bob, and they chat privately.
    await go(alice, 'Address book');
    await alice.getByLabel('Label').fill('Bob the baker');
    await alice.getByLabel('Address', { exact: true }).fill(bobAddress);
    await alice.getByRole('button', { name: 'Save contact' }).click();
    await alice.getByRole('cell', { name: 'Bob the baker', exact: true }).waitFor();
    await go(alice, 'Messages');
    await alice.getByLabel('Contact or address').fill(bobAddress);
    await alice.getByRole('button', { name: 'Share a key' }).click();
    await alice.getByTestId('partners').getByText('key 1').waitFor({ timeout: 60_000 });
    await alice.getByRole('button', { name: /^Talk with / }).click();
    await alice.getByLabel('Message', { exact: true }).fill(MESSAGE);
    await alice.getByRole('button', { name: 'Send message' }).click();
    await alice
      .getByTestId('chat-log')
      .locator('li[data-state="delivered"]', { hasText: MESSAGE })
      .waitFor({ timeout: 60_000 });

    // The backup, from Settings: a file the browser downloads.
    await go(alice, 'Settings');
    const panel = alice.getByRole('region', { name: 'Workspace backup' });
    await panel.getByText('No backup has been saved from this device yet.').waitFor();
    const [download] = await Promise.all([
      alice.waitForEvent('download'),
      panel.getByRole('button', { name: 'Make a backup file' }).click(),
    ]);
    const file = join(dir, download.suggestedFilename());
    expect(download.suggestedFilename()).toMatch(/^gpow-backup-gpow1.*\.gpowbackup$/);
    await download.saveAs(file);
    await panel.getByText(/^Last backup made here:/).waitFor();
    await check(alice, 'settings-backup');
    const bytes = await readFile(file);
    expect(bytes.toString('latin1')).not.toContain(MESSAGE);
    expect(bytes.toString('latin1')).not.toContain('Bob the baker');

    // Alice's browser is lost. In a new one: other words are refused for this file.
    await alice.context().close();
    const again = await openUser('alice-again');
    await restoreWords(again, BOB_WORDS, file);
    await again
      .getByRole('alert')
      .filter({ hasText: 'These words do not open this backup' })
      .waitFor();
    await check(again, 'restore-backup-wrong-words');
    await again.getByLabel('Backup words').fill(ALICE_WORDS);
    await again.getByRole('button', { name: 'Continue' }).click();
    await choosePassphrase(again, 'alice new passphrase', 'Restore identity');
    expect(await again.locator('.topbar-address').getAttribute('title')).toBe(aliceAddress);

    // No invitation: her network is there, and her balance syncs from Bob.
    await go(again, 'Balance');
    await until('Alice’s balance back', async () =>
      /^1,000\b/.test(await text(again, 'balance-available')),
    );
    await go(again, 'Network');
    await again.getByRole('heading', { name: NETWORK, level: 1 }).waitFor();
    await go(again, 'Address book');
    await again.getByRole('cell', { name: 'Bob the baker', exact: true }).waitFor();
    await go(again, 'Messages');
    await again.getByRole('button', { name: /^Talk with / }).click({ timeout: 60_000 });
    await again.getByTestId('chat-log').getByText(MESSAGE).waitFor({ timeout: 30_000 });
    await check(again, 'messages-after-restore');

    expect(audit.findings).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
