// End to end, in headless Chromium: two people, each in a browser profile of their own, use the
// built browser-mode UI. Bob creates an identity; Alice creates one, sets a relay and creates a
// network that gives both of them money; Bob joins with the invitation link Alice shows; Alice
// pays Bob; both wallets show the exact balances, Bob's credit turning final once Alice's
// witness vote arrives. Along the way every main screen is photographed and checked with axe.
// The WebRTC connection between the two profiles is checked to run over 127.0.0.1 only.
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/bytes.ts';
import { encodeAddress, parseAddress } from '../../shared/identity/address.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { identity } from '../helpers/network.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import {
  PROJECT_ROOT,
  screenshotDir,
  startWorld,
  type World,
  openUser as openUserIn,
  until,
} from './harness.ts';
import { spawnHeadlessPeer, type HeadlessPeer } from './provider.ts';

/** BIP-39's test phrase: a restored identity has a known address. */
const RESTORE_PHRASE =
  'legal winner thank year wave sausage worth useful legal winner thank yellow';

const axeSource = await readFile(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** Screenshots worth showing in the README; copied to docs/screenshots with GPOW_UPDATE_SCREENSHOTS=1. */
const README_SHOTS = [
  'onboarding-words',
  'network-create-review',
  'network-invite',
  'join-confirm',
  'send-review',
  'wallet-bob-pending',
  'wallet-bob',
  'history-bob',
  'explorer',
  'settings',
  'provider-earnings',
  'service-negotiation',
  'service-escrow',
  'service-instance',
  'validator',
  'history-market',
  'messages',
  'service-type-form',
  'service-catalog',
];

let world: World;
let shots: string;
/** Set by the payment test, used by the market test that follows it. */
let shared: { alice: Page; bob: Page; link: string; bobAddress: string } | null = null;
let headless: HeadlessPeer | null = null;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const users = { contexts, pageErrors };
const openUser = (name: string): Promise<Page> => openUserIn(world, users, name);

async function shoot(page: Page, name: string): Promise<void> {
  // Let transient focus rings and progress settle.
  await page.waitForTimeout(150);
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** Runs axe-core in the page; returns the serious and critical violations. */
async function axe(page: Page): Promise<AxeViolation[]> {
  const injected = await page.evaluate(() => 'axe' in window);
  if (!injected) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as {
        axe: { run(context: Document): Promise<{ violations: AxeViolation[] }> };
      }
    ).axe.run(document);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  axeRuns++;
  if (process.env.GPOW_E2E_DEBUG === '1' && violations.length > 0) {
    console.log('axe:', violations.map((v) => `${v.impact ?? '?'} ${v.id}: ${v.help}`).join('; '));
  }
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

let axeRuns = 0;

const axeFindings: Array<{ screen: string; violations: AxeViolation[] }> = [];

async function check(page: Page, screen: string): Promise<void> {
  await shoot(page, screen);
  const violations = await axe(page);
  if (violations.length > 0) axeFindings.push({ screen, violations });
}

async function go(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
}

async function onboard(page: Page, name: string, passphrase: string): Promise<string> {
  if (name === 'alice') await check(page, 'onboarding-welcome');
  await page.getByRole('button', { name: 'Create a new identity' }).click();
  const words = await page.locator('ol.words .word').allTextContents();
  expect(words).toHaveLength(24);
  if (name === 'alice') await check(page, 'onboarding-words');
  await page.getByLabel('I have written down all the words, in order.').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  // Three of the words, asked back by position.
  const inputs = page.getByLabel(/^Word \d+$/);
  await inputs.first().waitFor();
  const count = await inputs.count();
  expect(count).toBe(3);
  // A wrong word is refused with a sentence.
  await inputs.nth(0).fill('wrong');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page
    .getByRole('alert')
    .filter({ hasText: /does not match/ })
    .waitFor();
  for (let i = 0; i < count; i++) {
    const label = (await inputs.nth(i).getAttribute('id')) ?? '';
    const position = Number(label.replace('confirm-word-', ''));
    await inputs.nth(i).fill(words[position] ?? '');
  }
  if (name === 'alice') await check(page, 'onboarding-confirm');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await page.getByLabel('Repeat the passphrase').fill(passphrase);
  if (name === 'alice') await check(page, 'onboarding-passphrase');
  await page.getByRole('button', { name: 'Create identity' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
  const address = await page.locator('.topbar-address').getAttribute('title');
  expect(address).toMatch(/^gpow1[0-9a-z]{58}$/);
  return address as string;
}

async function balances(page: Page): Promise<{ available: string; pending: string }> {
  return {
    available: (await page.getByTestId('balance-available').textContent()) ?? '',
    pending: (await page.getByTestId('balance-pending').textContent()) ?? '',
  };
}

/** The ICE candidate pairs in use, read from the pages' RTCPeerConnections. */
async function selectedPairs(page: Page): Promise<Array<{ local: string; remote: string }>> {
  return page.evaluate(async () => {
    const state = (window as unknown as { __loopback: { connections: RTCPeerConnection[] } })
      .__loopback;
    const out: Array<{ local: string; remote: string }> = [];
    for (const pc of state.connections) {
      if (pc.connectionState !== 'connected') continue;
      const stats = await pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((report: Record<string, unknown>) => byId.set(report.id as string, report));
      for (const report of byId.values()) {
        if (report.type !== 'candidate-pair' || report.state !== 'succeeded' || !report.nominated)
          continue;
        const local = byId.get(report.localCandidateId as string);
        const remote = byId.get(report.remoteCandidateId as string);
        const address = (candidate: Record<string, unknown> | undefined) =>
          typeof candidate?.address === 'string' ? candidate.address : '';
        out.push({ local: address(local), remote: address(remote) });
      }
    }
    return out;
  });
}

beforeAll(async () => {
  shots = await screenshotDir();
  world = await startWorld();
});

afterAll(async () => {
  await headless?.close();
  for (const context of contexts) await context.close().catch(() => undefined);
  await world?.close();
});

describe('the browser UI, end to end', () => {
  it('restores an identity from its words and unlocks it after a reload, by keyboard alone', async () => {
    const carol = await openUser('carol');
    const expected = encodeAddress(identityFromMnemonic(RESTORE_PHRASE).publicKey);
    await carol.getByRole('heading', { name: 'Welcome to GPoW' }).waitFor();
    // The heading has focus; the first two stops are the two choices.
    await carol.keyboard.press('Tab');
    await carol.keyboard.press('Tab');
    await carol.keyboard.press('Enter');
    await carol.getByRole('heading', { name: 'Restore your identity' }).waitFor();
    await carol.keyboard.press('Tab');
    await carol.keyboard.type('abandon abandon wrong');
    await carol.keyboard.press('Tab'); // the workspace backup file (optional)
    await carol.keyboard.press('Tab'); // Back
    await carol.keyboard.press('Tab'); // Continue
    await carol.keyboard.press('Enter');
    await carol
      .getByRole('alert')
      .filter({ hasText: 'These backup words cannot be used' })
      .waitFor();
    await carol.getByLabel('Backup words').fill(` ${RESTORE_PHRASE.toUpperCase()}\n`);
    await carol.getByLabel('Backup words').press('Tab'); // the backup file
    await carol.keyboard.press('Tab'); // Back
    await carol.keyboard.press('Tab'); // Continue
    await carol.keyboard.press('Enter');
    await carol.getByRole('heading', { name: 'Choose a passphrase' }).waitFor();
    await check(carol, 'onboarding-restore-passphrase');
    await carol.keyboard.press('Tab');
    await carol.keyboard.type('short');
    await carol.keyboard.press('Enter');
    await carol.getByRole('alert').filter({ hasText: 'The passphrase is too short' }).waitFor();
    await carol.getByLabel('Passphrase', { exact: true }).fill('carol passphrase');
    await carol.getByLabel('Repeat the passphrase').fill('carol passphrase');
    await carol.keyboard.press('Enter');
    await carol.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
    expect(await carol.locator('.topbar-address').getAttribute('title')).toBe(expected);
    await carol.getByRole('heading', { name: 'Join or create a network' }).waitFor();

    await carol.reload();
    await carol.getByRole('heading', { name: 'Unlock GPoW' }).waitFor();
    await carol.getByText(expected).waitFor();
    await carol.keyboard.press('Tab');
    await carol.keyboard.type('not my passphrase');
    await carol.keyboard.press('Enter');
    await carol.getByRole('alert').filter({ hasText: 'That passphrase is not right.' }).waitFor();
    await check(carol, 'unlock-error');
    await carol.getByLabel('Passphrase').fill('carol passphrase');
    await carol.keyboard.press('Enter');
    await carol.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });

    // The passphrase forgotten (issue 18): the lock screen's way out restores from the words,
    // saying it replaces the identity kept here; Back returns to the lock screen.
    await carol.reload();
    await carol.getByRole('heading', { name: 'Unlock GPoW' }).waitFor();
    const replaces = 'Restoring replaces the identity kept on this device.';
    await carol.getByText(replaces).waitFor();
    await carol.getByRole('button', { name: 'Restore from words' }).click();
    await carol.getByRole('heading', { name: 'Restore your identity' }).waitFor();
    await carol.getByText(replaces).waitFor();
    await check(carol, 'unlock-restore');
    await carol.getByRole('button', { name: 'Back', exact: true }).click();
    await carol.getByRole('heading', { name: 'Unlock GPoW' }).waitFor();
    await carol.getByRole('button', { name: 'Restore from words' }).click();
    await carol.getByLabel('Backup words').fill(RESTORE_PHRASE);
    await carol.getByRole('button', { name: 'Continue' }).click();
    await carol.getByLabel('Passphrase', { exact: true }).fill('carol new passphrase');
    await carol.getByLabel('Repeat the passphrase').fill('carol new passphrase');
    await carol.getByRole('button', { name: 'Restore identity' }).click();
    await carol.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
    expect(await carol.locator('.topbar-address').getAttribute('title')).toBe(expected);
    await carol.reload();
    await carol.getByLabel('Passphrase').fill('carol new passphrase');
    await carol.keyboard.press('Enter');
    await carol.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
    expect(axeFindings).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('onboards two people, creates and joins a network, and pays across it', async () => {
    const bob = await openUser('bob');
    const bobAddress = await onboard(bob, 'bob', 'bob passphrase');
    const alice = await openUser('alice');
    const aliceAddress = await onboard(alice, 'alice', 'alice passphrase');

    // Alice adds the relay, so the invitation can name it.
    await go(alice, 'Settings');
    await alice.getByLabel('Relay address').fill('not a relay');
    await alice.getByRole('button', { name: 'Add', exact: true }).first().click();
    await alice
      .getByRole('alert')
      .filter({ hasText: 'That relay address cannot be used' })
      .waitFor();
    await alice.getByLabel('Relay address').fill(world.relayUrl);
    await alice.getByRole('button', { name: 'Add', exact: true }).first().click();
    await alice.getByRole('list', { name: 'Relays' }).getByText(world.relayUrl).waitFor();
    await check(alice, 'settings');

    // The genesis wizard: name, witnesses (Alice alone), balances for both, no credit.
    await go(alice, 'Network');
    await check(alice, 'network-setup');
    await alice.getByRole('button', { name: 'Create a network' }).click();
    await alice.getByLabel('Network name').fill('Test Co-op');
    await alice.getByRole('button', { name: 'Continue' }).click();
    await alice.getByRole('heading', { name: 'Choose the witnesses' }).waitFor();
    await check(alice, 'network-create-witnesses');
    await alice.getByRole('button', { name: 'Continue' }).click();
    await alice.getByRole('button', { name: 'Use my address' }).click();
    await alice.getByLabel('Amount', { exact: true }).fill('1000');
    await alice.getByRole('button', { name: 'Add balance' }).click();
    await alice.getByLabel('Address', { exact: true }).fill(bobAddress);
    await alice.getByLabel('Amount', { exact: true }).fill('200');
    await alice.getByRole('button', { name: 'Add balance' }).click();
    await check(alice, 'network-create-allocations');
    await alice.getByRole('button', { name: 'Continue' }).click();
    await alice.getByText('Total: 1,200 units.').waitFor();
    await check(alice, 'network-create-review');
    await alice.getByRole('button', { name: 'Create network' }).click();
    await alice.getByRole('heading', { name: 'Test Co-op', level: 1 }).waitFor();
    const link = (await alice.getByLabel('Invitation link', { exact: true }).textContent()) ?? '';
    expect(link).toMatch(/^gpow:join\?v=2&net=[0-9a-f]{64}&secret=.+&c=[A-Za-z0-9_-]{16}$/);
    expect(link).toContain(encodeURIComponent(world.relayUrl));
    await alice.getByRole('img', { name: 'QR code of the invitation link' }).waitFor();
    await check(alice, 'network-invite');

    // Bob pastes the link, sees what it is, and confirms.
    await go(bob, 'Network');
    await bob.getByRole('button', { name: 'Join with an invitation' }).click();
    await bob.getByLabel('Invitation link').fill('gpow:join?v=1&net=nothex');
    await bob.getByRole('button', { name: 'Check invitation' }).click();
    await bob
      .getByRole('alert')
      .filter({ hasText: 'This invitation link is incomplete: ask for a new one' })
      .waitFor();
    await bob.getByLabel('Invitation link').fill(link);
    await bob.getByRole('button', { name: 'Check invitation' }).click();
    await bob.getByRole('heading', { name: 'Join this network?' }).waitFor();
    await bob.getByText('Test Co-op').waitFor();
    await check(bob, 'join-confirm');
    await bob.getByRole('button', { name: 'Join network' }).click();
    await bob.getByRole('heading', { name: 'Test Co-op', level: 1 }).waitFor();
    await until('Bob to receive the ledger', async () =>
      (await bob.getByTestId('count-final').count()) > 0 ? true : null,
    ).catch(async (error: unknown) => {
      await shoot(bob, 'debug-bob');
      await shoot(alice, 'debug-alice');
      throw error;
    });
    await check(bob, 'network-bob');

    // Both see their starting balances.
    await go(bob, 'Balance');
    await until(
      'Bob’s starting balance',
      async () => (await balances(bob)).available === '200 units',
    );
    await go(alice, 'Balance');
    await until(
      'Alice’s starting balance',
      async () => (await balances(alice)).available === '1,000 units',
    );

    // Alice labels Bob in her address book, then pays him from it.
    await go(alice, 'Address book');
    await alice.getByLabel('Label').fill('Bob');
    await alice.getByLabel('Address', { exact: true }).fill(bobAddress);
    await alice.getByRole('button', { name: 'Save contact' }).click();
    await alice.getByRole('cell', { name: 'Bob', exact: true }).waitFor();
    await check(alice, 'contacts');
    await alice.getByRole('link', { name: 'Pay Bob' }).click();
    await alice.getByRole('heading', { name: 'Send', level: 1 }).waitFor();
    expect(await alice.getByLabel('Recipient address').inputValue()).toBe(bobAddress);
    await alice.getByLabel('Amount').fill('250');
    // A memo that a spreadsheet would run as a formula: the CSV export must defuse it.
    await alice.getByLabel('Memo (optional)').fill('=HYPERLINK("x","thanks")');
    await check(alice, 'send');
    await alice.getByRole('button', { name: 'Review payment' }).click();
    await alice.getByRole('heading', { name: 'Confirm the payment' }).waitFor();
    expect(await alice.getByTestId('payment-fee').textContent()).toMatch(/^No fee/);
    expect(await alice.getByTestId('payment-review').textContent()).toContain('Bob');
    await check(alice, 'send-review');
    // Bob watches his balance while Alice confirms.
    await go(bob, 'Balance');
    await alice.getByRole('button', { name: 'Confirm and send' }).click();
    await alice.getByRole('status').filter({ hasText: 'Sent 250 units.' }).waitFor();

    // Bob sees the payment pending first: final needs a quorum of witness votes, here Alice's
    // one vote, which her runtime casts (batched, a second after it saw the payment).
    await until(
      'Bob to see the payment pending',
      async () => {
        const b = await balances(bob);
        return b.available === '200 units' && b.pending === '250 units';
      },
      10_000,
    );
    await shoot(bob, 'wallet-bob-pending');

    // Alice is the only witness: her runtime votes, which makes the payment final everywhere.
    await go(alice, 'Balance');
    await until('Alice’s balance after paying', async () => {
      const b = await balances(alice);
      return b.available === '750 units' && b.pending === '0 units';
    });
    await check(alice, 'wallet-alice');
    await until('Bob’s final balance', async () => {
      const b = await balances(bob);
      return b.available === '450 units' && b.pending === '0 units';
    });
    await check(bob, 'wallet-bob');

    // Bob's history: the payment, final, with its memo; the export defuses the formula.
    await go(bob, 'History');
    const row = bob.getByTestId('history-table').locator('tbody tr').first();
    await until(
      'the payment to be final in Bob’s history',
      async () => (await row.getAttribute('data-status')) === 'final',
    );
    expect(await row.textContent()).toContain('+250');
    await bob.getByLabel('Direction').selectOption('out');
    await bob.getByText('Showing 0 of 2.').waitFor();
    await bob.getByLabel('Direction').selectOption('all');
    await check(bob, 'history-bob');
    const [download] = await Promise.all([
      bob.waitForEvent('download'),
      bob.getByRole('button', { name: 'Export as CSV' }).click(),
    ]);
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'Date (UTC),Type,Direction,Counterparty address,Counterparty label,Amount,Unit,Status,Memo,Transaction id',
    );
    expect(lines[1]).toContain(
      `,Received,in,${aliceAddress},,250,units,Final,"'=HYPERLINK(""x"",""thanks"")",`,
    );
    expect(lines[2]).toContain(',Starting balance,in,');

    // Alice's explorer: both authors, her chain with the genesis, the payment and her votes.
    await go(alice, 'Ledger explorer');
    await alice.getByTestId('authors-table').waitFor();
    await alice
      .getByTestId('authors-table')
      .getByRole('row')
      .filter({ hasText: 'You' })
      .getByRole('button', { name: 'Show transactions' })
      .click();
    const chain = alice.getByTestId('chain-table');
    await chain.getByText('Creates the network').waitFor();
    await chain.getByText(/Pays 250 units to/).waitFor();
    await alice.getByText('No author has signed conflicting transactions.').waitFor();
    await check(alice, 'explorer');

    await go(alice, 'Receive');
    await alice.getByRole('img', { name: 'QR code of your address' }).waitFor();
    await check(alice, 'receive');
    await go(alice, 'History');
    await check(alice, 'history-alice');

    // The same screens in the light theme, as a light system setting would give.
    await alice.emulateMedia({ colorScheme: 'light' });
    await go(alice, 'Balance');
    await check(alice, 'wallet-light');
    await go(alice, 'Network');
    await check(alice, 'network-light');

    // A second tab of Alice's browser must not run her identity too (it would sign at the same
    // place in her chain): it unlocks, but says why it does not connect.
    const secondTab = await alice.context().newPage();
    secondTab.on('pageerror', (error) => pageErrors.push(`alice tab 2: ${error.message}`));
    await secondTab.goto(world.appUrl);
    await secondTab.getByLabel('Passphrase').fill('alice passphrase');
    await secondTab.keyboard.press('Enter');
    await secondTab
      .getByRole('alert')
      .filter({ hasText: 'GPoW is already running in another tab' })
      .waitFor({ timeout: 60_000 });
    await secondTab.close();

    // Every WebRTC connection that carried the ledger ran between 127.0.0.1 and 127.0.0.1.
    // (On the host network a peer-reflexive candidate shows no address, so there is nothing
    // to check there beyond the filter having worked.)
    for (const page of [alice, bob]) {
      const pairs = await selectedPairs(page);
      expect(pairs.length).toBeGreaterThan(0);
      if (world.isolation !== 'namespace') continue;
      for (const pair of pairs) expect(pair).toEqual({ local: '127.0.0.1', remote: '127.0.0.1' });
    }
    if (world.isolation === 'host') {
      console.warn('e2e: no network namespace (needs Linux and root); WebRTC was only filtered.');
    }

    expect(axeRuns).toBeGreaterThanOrEqual(20);
    expect(axeFindings).toEqual([]);
    expect(pageErrors).toEqual([]);
    await alice.emulateMedia({ colorScheme: 'dark' });
    shared = { alice, bob, link, bobAddress };
  });

  it('buys proof of work from a headless provider, negotiated, delivered and settled', async () => {
    if (shared === null) throw new Error('the payment test must run first');
    const { alice, bob, link, bobAddress } = shared;
    const provider = identity('e2e-provider');

    // The headless peer joins the browsers' network from the invitation and offers pow.
    headless = await spawnHeadlessPeer(world, link, provider, { provide: ['pow', 'compute'] });
    await headless.peer.call('offer', { service: 'pow', capacity: '100000', rate: '2' }, 90_000);

    // Alice offers pow too, from her provider console: dearer, and too small for the job.
    await go(alice, 'Provider console');
    await alice.getByLabel('Service type').selectOption('pow');
    await alice.getByLabel('Capacity (units at once)').fill('10');
    await alice.getByLabel('Rate (per unit)').fill('3');
    await alice.getByRole('button', { name: 'Publish offer' }).click();
    await alice.getByRole('status').filter({ hasText: 'Offer published.' }).waitFor();
    await alice.getByTestId('offers-table').getByText('0 of 10 in use').first().waitFor();
    await check(alice, 'provider-console');

    // Alice bonds as a validator, and shares a key with Bob for private messages.
    await go(alice, 'Validator');
    await alice.getByLabel('Amount to bond').fill('50');
    await alice.getByRole('button', { name: 'Bond', exact: true }).click();
    await alice.getByTestId('bonds-table').getByText('Active').waitFor();
    await go(alice, 'Messages');
    await alice.getByLabel('Contact or address').fill(bobAddress);
    await alice.getByRole('button', { name: 'Share a key' }).click();
    await alice.getByTestId('partners').getByText('key 1').waitFor();

    // With the key on the ledger they talk privately: each side's vault opens its key box, and
    // the chat and a file travel over their own WebRTC room, sealed with the pair's key.
    await alice.getByRole('button', { name: /^Talk with / }).click();
    await alice.getByLabel('Message', { exact: true }).fill('hello Bob, privately');
    await alice.getByRole('button', { name: 'Send message' }).click();
    await alice.getByTestId('chat-log').getByText('hello Bob, privately').waitFor();
    await go(bob, 'Messages');
    await bob.getByRole('button', { name: /^Talk with / }).click({ timeout: 60_000 });
    await bob
      .getByTestId('chat-log')
      .getByText('hello Bob, privately')
      .waitFor({ timeout: 60_000 });
    await bob.getByLabel('File', { exact: true }).setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('a file from Bob\n'.repeat(4000)),
    });
    await bob.getByRole('button', { name: 'Send file' }).click();
    await alice.getByRole('link', { name: 'Save notes.txt' }).waitFor({ timeout: 60_000 });
    await check(alice, 'messages');

    // Chats last (issue 18): Alice's text is delivered; both reload and unlock, and each finds
    // the conversation as it was, with its states, and the file still there to save.
    const delivered = (page: Page, state: string) =>
      page.getByTestId('chat-log').locator(`li[data-state="${state}"]`, {
        hasText: 'hello Bob, privately',
      });
    await delivered(alice, 'delivered').waitFor({ timeout: 60_000 });
    for (const [page, passphrase] of [
      [alice, 'alice passphrase'],
      [bob, 'bob passphrase'],
    ] as const) {
      await page.reload();
      await page.getByLabel('Passphrase').fill(passphrase);
      await page.keyboard.press('Enter');
      await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
      await go(page, 'Messages');
      await page.getByRole('button', { name: /^Talk with / }).click({ timeout: 60_000 });
    }
    await delivered(alice, 'delivered').waitFor({ timeout: 30_000 });
    await delivered(bob, 'received').waitFor({ timeout: 30_000 });
    await alice.getByRole('link', { name: 'Save notes.txt' }).waitFor({ timeout: 30_000 });
    await bob.getByText('Sent notes.txt: they have all of it, checked.').waitFor();
    await check(bob, 'messages-after-reload');

    // Alice registers a new service type from building blocks; Bob's catalogue lists it.
    await go(alice, 'Register a service type');
    await alice.getByLabel('Name', { exact: true }).first().fill('Proofreading');
    await alice.getByLabel('Unit of volume').fill('pages');
    await alice.getByLabel('The consumer reviews').check();
    const fields = alice.getByTestId('st-field');
    await fields.nth(0).getByLabel('Name', { exact: true }).fill('manuscript');
    await fields.nth(0).getByLabel('Private').check();
    await fields.nth(0).getByLabel('Required').check();
    await alice.getByRole('button', { name: 'Add a field' }).click();
    await fields.nth(1).getByLabel('Name', { exact: true }).fill('pages_due');
    await fields.nth(1).getByLabel('Kind').selectOption({ label: 'Whole number' });
    await check(alice, 'service-type-form');
    await alice.getByRole('button', { name: 'Review the service type' }).click();
    await alice.getByTestId('service-type-review').waitFor();
    await alice.getByRole('button', { name: 'Register', exact: true }).click();
    await alice.getByTestId('service-type-id').waitFor({ timeout: 60_000 });
    await check(alice, 'service-type-registered');

    // Bob asks for proof of work: the catalog, the form from the type's definition.
    await go(bob, 'Request a service');
    await until(
      'both pow offers to reach Bob',
      async () =>
        (await bob.getByTestId('catalog').textContent())?.includes('2 providers') ? true : null,
      60_000,
    );
    await bob
      .getByTestId('catalog')
      .getByRole('link', { name: 'Request Proofreading' })
      .waitFor({ timeout: 60_000 });
    await check(bob, 'service-catalog');
    await bob.getByRole('link', { name: 'Request General Proof of Work' }).click();
    await bob.getByLabel('Data to work on').fill('hello from the e2e test');
    await bob.getByLabel('Difficulty (leading zero bits, 1 to 64)').fill('0');
    await bob.getByRole('button', { name: 'Find providers' }).click();
    await bob.getByRole('alert').filter({ hasText: 'Enter a difficulty from 1 to 64.' }).waitFor();
    await bob.getByLabel('Difficulty (leading zero bits, 1 to 64)').fill('6');
    await bob.getByText('Volume: 64 hashes.').waitFor();
    await check(bob, 'service-request');
    await bob.getByRole('button', { name: 'Find providers' }).click();

    // Negotiation: every provider, the recommended one chosen, Alice left out and why.
    const table = bob.getByTestId('negotiation-table');
    await table.waitFor();
    const recommended = table.locator('tr[data-status="recommended"]');
    expect(await recommended.getAttribute('data-provider')).toBe(provider.key);
    expect(await recommended.textContent()).toContain('128');
    const aliceKey = keyHexOf(
      (
        parseAddress((await alice.locator('.topbar-address').getAttribute('title')) ?? '') as {
          publicKey: Uint8Array;
        }
      ).publicKey,
    );
    const excluded = table.locator(`tr[data-provider="${aliceKey}"]`);
    expect(await excluded.getAttribute('data-status')).toBe('excluded');
    expect(await excluded.textContent()).toContain('Not enough free capacity');
    expect(await bob.getByRole('radio', { checked: true }).count()).toBe(1);
    await check(bob, 'service-negotiation');
    await bob.getByRole('button', { name: 'Review the escrow' }).click();

    // The escrow: 64 hashes at 2 each, no validators.
    await bob.getByRole('heading', { name: 'Confirm the escrow' }).waitFor();
    expect(await bob.getByTestId('escrow-total').textContent()).toBe('128 units');
    await check(bob, 'service-escrow');
    await bob.getByRole('button', { name: 'Confirm and escrow' }).click();

    // The instance's life cycle, to the end: the provider accepts, solves, delivers, and
    // settles once Alice's witness votes decide the outcome.
    await bob.getByRole('heading', { name: 'Service request' }).waitFor();
    await until(
      'the request to be completed and settled',
      async () =>
        (await bob.getByTestId('instance-state').getAttribute('data-outcome')) === 'completed',
      90_000,
    );
    const timeline = bob.getByTestId('timeline');
    for (const kind of ['request', 'accept', 'deliver', 'outcome', 'settle'])
      expect(await timeline.locator(`li[data-kind="${kind}"]`).count()).toBe(1);
    expect(await bob.getByTestId('instance-net').textContent()).toBe('You paid 128 units.');
    await check(bob, 'service-instance');

    // Both sides show the exact payment: Bob 450 − 128, the provider 128, final.
    await go(bob, 'Balance');
    await until('Bob’s balance after the service', async () => {
      const b = await balances(bob);
      return b.available === '322 units' && b.pending === '0 units';
    });
    const account = await until(
      'the provider’s payment to be final',
      async () => {
        const view = await headless!.peer.call<{ available: string; pending: string }>('account', {
          key: provider.key,
        });
        return view.available === '128' && view.pending === '0' ? view : null;
      },
      30_000,
    );
    expect(account).toMatchObject({ balance: '128', available: '128' });

    // Now Alice provides from her browser: cheaper and larger, with its automation on, so the
    // search runs in her page's Web Worker and her wallet settles what it earns.
    await go(alice, 'Provider console');
    await alice.getByLabel('Provide proof of work automatically').check();
    await alice.getByLabel('Capacity (units at once)').fill('1000');
    await alice.getByLabel('Rate (per unit)').fill('1');
    await alice.getByRole('button', { name: 'Publish offer' }).click();
    await alice.getByTestId('offers-table').getByText('0 of 1,000 in use').waitFor();
    await go(bob, 'Request a service');
    await until('Alice’s new offer to reach Bob', async () =>
      (await bob.getByTestId('catalog').textContent())?.includes('cheapest rate 1') ? true : null,
    );
    await bob.getByRole('link', { name: 'Request General Proof of Work' }).click();
    await bob.getByLabel('Data to work on').fill('second job');
    await bob.getByLabel('Difficulty (leading zero bits, 1 to 64)').fill('6');
    await bob.getByRole('button', { name: 'Find providers' }).click();
    expect(
      await bob
        .getByTestId('negotiation-table')
        .locator('tr[data-status="recommended"]')
        .getAttribute('data-provider'),
    ).toBe(aliceKey);
    await bob.getByRole('button', { name: 'Review the escrow' }).click();
    expect(await bob.getByTestId('escrow-total').textContent()).toBe('64 units');
    await bob.getByRole('button', { name: 'Confirm and escrow' }).click();
    await bob.getByRole('heading', { name: 'Service request' }).waitFor();
    await until(
      'Alice’s delivery to be completed and settled',
      async () =>
        (await bob.getByTestId('instance-state').getAttribute('data-outcome')) === 'completed',
      90_000,
    );
    await go(bob, 'Balance');
    await until('Bob’s balance after the second service', async () => {
      const b = await balances(bob);
      return b.available === '258 units' && b.pending === '0 units';
    });
    await go(alice, 'Provider console');
    await alice.getByTestId('earnings-chart').waitFor();
    await alice.getByText('Earned in all: 64 units.').waitFor();
    await check(alice, 'provider-earnings');
    // A third request with a validator: Bob picks the headless provider himself (Alice, the
    // cheaper one, is the only bonded validator, and a provider never judges its own work).
    // His wallet reveals the selection secret it saved; P draws Alice, who votes by hand.
    await go(bob, 'Request a service');
    await bob.getByRole('link', { name: 'Request General Proof of Work' }).click();
    await bob.getByLabel('Data to work on').fill('judged job');
    await bob.getByLabel('Difficulty (leading zero bits, 1 to 64)').fill('4');
    await bob.getByLabel('Validators', { exact: true }).fill('1');
    await bob.getByLabel('Fee per validator').fill('5');
    await bob.getByRole('button', { name: 'Find providers' }).click();
    // The radio button names the provider as its row does: with no profile, its address's start.
    const providerAddress = encodeAddress(fromHex(provider.key));
    await bob.getByRole('radio', { name: `Choose ${providerAddress.slice(0, 13)}` }).check();
    await bob.getByRole('button', { name: 'Review the escrow' }).click();
    expect(await bob.getByTestId('escrow-total').textContent()).toBe('37 units');
    await bob.getByRole('button', { name: 'Confirm and escrow' }).click();
    await bob.getByRole('heading', { name: 'Service request' }).waitFor();
    await bob
      .getByTestId('timeline')
      .locator('li[data-kind="reveal"]')
      .waitFor({ timeout: 60_000 });
    await go(alice, 'Validator');
    const assigned = alice.getByTestId('assigned-table');
    await assigned.getByText('The nonce meets the target: the ledger checked it.').waitFor({
      timeout: 60_000,
    });
    await check(alice, 'validator');
    // A verdict cannot be changed, so Pass asks first, naming the price (16 hashes at 2); focus
    // moves to the question, and Cancel signs nothing. Only Confirm votes.
    const pass = assigned.getByRole('button', { name: /^Pass the delivery of/ });
    await pass.click();
    const question = alice.getByRole('alertdialog', {
      name: 'Pass the delivery of “General Proof of Work”?',
    });
    await question.waitFor();
    expect(await question.evaluate((node) => node === document.activeElement)).toBe(true);
    expect(await question.textContent()).toContain('paying the provider 32 units from the escrow');
    await check(alice, 'validator-confirm');
    await question.getByRole('button', { name: 'Cancel' }).click();
    await question.waitFor({ state: 'detached' });
    expect(await assigned.getByText('You voted Pass.').count()).toBe(0);
    await pass.click();
    await alice.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
    await assigned.getByText('You voted Pass.').waitFor();
    await until(
      'the judged request to pass and be settled',
      async () =>
        (await bob.getByTestId('instance-state').getAttribute('data-outcome')) === 'passed',
      60_000,
    );
    expect(await bob.getByTestId('instance-net').textContent()).toBe('You paid 37 units.');
    await check(bob, 'service-instance-judged');

    // A computation from the headless provider, which Alice's wallet judges on its own: it runs
    // the job again and compares the result hash.
    await headless.peer.call('offer', { service: 'compute', capacity: '1000', rate: '1' });
    await go(alice, 'Validator');
    await alice.getByLabel('Judge pow and compute deliveries automatically when selected').check();
    await go(bob, 'Request a service');
    const computeEntry = bob
      .getByTestId('catalog')
      .locator('li', { hasText: 'Deterministic computation' });
    await until('the compute offer to reach Bob', async () =>
      (await computeEntry.textContent())?.includes('1 provider') ? true : null,
    );
    await bob.getByRole('link', { name: 'Request Deterministic computation' }).click();
    await bob.getByLabel('Function').selectOption('sha256-chain');
    await bob.getByLabel('Input (hexadecimal)').fill('0000001');
    await bob.getByRole('button', { name: 'Find providers' }).click();
    await bob
      .getByRole('alert')
      .filter({ hasText: 'Enter the input as hexadecimal digits, two per byte.' })
      .waitFor();
    // 16 iterations of SHA-256 over "abc": a cost of 16.
    await bob.getByLabel('Input (hexadecimal)').fill('00000010616263');
    await bob.getByText('Volume: 16 cost units.').waitFor();
    await bob.getByRole('button', { name: 'Find providers' }).click();
    await bob.getByRole('button', { name: 'Review the escrow' }).click();
    expect(await bob.getByTestId('escrow-total').textContent()).toBe('17 units');
    await bob.getByRole('button', { name: 'Confirm and escrow' }).click();
    await bob.getByRole('heading', { name: 'Service request' }).waitFor();
    await until(
      'the computation to pass and be settled',
      async () =>
        (await bob.getByTestId('instance-state').getAttribute('data-outcome')) === 'passed',
      60_000,
    );
    expect(await bob.getByTestId('instance-net').textContent()).toBe('You paid 17 units.');
    await check(bob, 'service-instance-compute');

    await go(bob, 'History');
    const escrows = bob.getByTestId('history-table').locator('tr', { hasText: 'Service escrow' });
    await until('Bob’s escrows in his history', async () => (await escrows.count()) === 4);
    expect(await escrows.allTextContents()).toEqual([
      expect.stringContaining('−17'),
      expect.stringContaining('−37'),
      expect.stringContaining('−64'),
      expect.stringContaining('−128'),
    ]);
    await check(bob, 'history-market');
    await go(alice, 'Balance');
    // 1,000 − 250 paid to Bob − 50 bonded + 64 earned + validator fees of 5 and 1.
    await until('Alice’s balance after earning', async () => {
      const b = await balances(alice);
      return b.available === '770 units' && b.pending === '0 units';
    });
    // 450 − 128 − 64 − 37 − 17.
    await go(bob, 'Balance');
    await until('Bob’s balance after the judged services', async () => {
      const b = await balances(bob);
      return b.available === '204 units' && b.pending === '0 units';
    });

    // The headless peer's connections ran over loopback too (three peers now: more pairs).
    for (const page of [alice, bob]) {
      const pairs = await selectedPairs(page);
      expect(pairs.length).toBeGreaterThan(1);
      if (world.isolation !== 'namespace') continue;
      for (const pair of pairs) expect(pair).toEqual({ local: '127.0.0.1', remote: '127.0.0.1' });
    }
    expect(axeFindings).toEqual([]);
    expect(pageErrors).toEqual([]);

    if (process.env.GPOW_UPDATE_SCREENSHOTS === '1') {
      const docs = join(PROJECT_ROOT, 'docs/screenshots');
      await mkdir(docs, { recursive: true });
      for (const name of README_SHOTS)
        await copyFile(join(shots, `${name}.png`), join(docs, `${name}.png`));
    }
  });
});
