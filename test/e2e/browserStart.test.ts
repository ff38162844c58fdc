// End to end, in headless Chromium: browser mode started from nothing (issue 18). The only
// thing outside the pages is the real `gpow relay`, started as a person would, in a fresh home
// with no network and no identity. Alice onboards, and the set-up screen tells her to run
// `gpow relay`; in the wizard she mistypes the relay (refused with a sentence by its field),
// visits Settings, and comes back to find everything as she left it; she pastes the relay's
// address, and each later step survives Back and Settings too. Bob joins through the relay from
// her invitation (a cut copy is called incomplete, and what he pasted survives a visit to
// Settings), and receives the ledger. Alice's payment of more than she holds is refused by the
// review itself, with Confirm disabled, and what she typed survives leaving the Send screen; so
// does her half-filled service request.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, SCREENSHOT_DIR } from './harness.ts';
import { go, onboard } from './screens.ts';
import { e2eSession } from './session.ts';

let relay: ChildProcess | null = null;
const e2e = e2eSession({
  timeoutMs: 60_000,
  // Stopped as a person stops it, and given a moment to close its connections.
  beforeClose: () =>
    new Promise<void>((resolve) => {
      if (relay === null || relay.exitCode !== null) return resolve();
      relay.once('exit', () => resolve());
      setTimeout(resolve, 5_000);
      relay.kill('SIGINT');
    }),
});
const { audit, check, openUser, pageErrors, until } = e2e;

/** Starts `gpow relay --port 0` where the browsers are (their namespace, if any); its address. */
function startGpowRelay(): Promise<string> {
  const pid = e2e.world.namespacePid;
  const node = [process.execPath, join(PROJECT_ROOT, 'bin', 'gpow.js'), 'relay', '--port', '0'];
  const [command, ...args] =
    pid === null ? node : ['nsenter', `--net=/proc/${pid}/ns/net`, '--', ...node];
  const child = spawn(command!, args, {
    env: { ...process.env, GPOW_HOME: '/nonexistent/gpow-home' },
  });
  relay = child;
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return until('gpow relay to print its address', () =>
    Promise.resolve(/Relay running at (ws:\/\/\S+)/.exec(out)?.[1]),
  );
}

/** Screenshots the README shows; copied to docs/screenshots with GPOW_UPDATE_SCREENSHOTS=1. */
const README_SHOTS = ['first-run-relay', 'wizard-relay-refused', 'send-refused'];

const valueOf = (page: Page, label: string) => page.getByLabel(label, { exact: true }).inputValue();

describe('browser mode from nothing', () => {
  it('starts with gpow relay, keeps every form across navigation, and joins through it', async () => {
    const relayUrl = await startGpowRelay();

    // The backup words' warning does not tell a web page's user to keep them out of websites.
    const alice = await openUser('alice');
    await alice.getByRole('button', { name: 'Create a new identity' }).click();
    const warning = (await alice.getByTestId('words-warning').textContent()) ?? '';
    expect(warning).toContain('Type them only into GPoW itself');
    expect(warning).not.toContain('website');
    await alice.getByRole('button', { name: 'Back' }).click();
    await onboard(alice, 'alice passphrase');

    // First run: the set-up screen says exactly what to run.
    const hint = alice.getByTestId('first-run-relay');
    await hint.getByText('gpow relay', { exact: true }).waitFor();
    await check(alice, 'first-run-relay');

    // The wizard: a mistyped relay is refused by its field, and nothing is lost in Settings.
    await alice.getByRole('button', { name: 'Create a network' }).click();
    await alice.getByLabel('Network name').fill('Fresh Co-op');
    await alice.getByLabel('Relay address', { exact: true }).fill('not a relay');
    await alice.getByRole('button', { name: 'Continue' }).click();
    await alice
      .getByRole('alert')
      .filter({ hasText: 'That relay address cannot be used' })
      .waitFor();
    await check(alice, 'wizard-relay-refused');
    await go(alice, 'Settings');
    await alice.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await go(alice, 'Network');
    await alice.getByRole('heading', { name: 'Name the network' }).waitFor();
    expect(await valueOf(alice, 'Network name')).toBe('Fresh Co-op');
    expect(await valueOf(alice, 'Relay address')).toBe('not a relay');

    // The real relay's address: added on Continue.
    await alice.getByLabel('Relay address', { exact: true }).fill(relayUrl);
    await alice.getByRole('button', { name: 'Continue' }).click();
    await alice.getByRole('heading', { name: 'Choose the witnesses' }).waitFor();
    await alice.getByRole('button', { name: 'Back' }).click();
    await alice.getByTestId('relay-list').getByText(relayUrl).waitFor();
    expect(await valueOf(alice, 'Network name')).toBe('Fresh Co-op');
    await alice.getByRole('button', { name: 'Continue' }).click();
    await alice.getByRole('button', { name: 'Continue' }).click();
    await alice.getByRole('button', { name: 'Use my address' }).click();
    await alice.getByLabel('Amount', { exact: true }).fill('1000');
    await alice.getByRole('button', { name: 'Add balance' }).click();
    await go(alice, 'Settings');
    await alice.getByRole('list', { name: 'Relays' }).getByText(relayUrl).waitFor();
    await go(alice, 'Network');
    await alice.getByRole('heading', { name: 'Starting balances', level: 1 }).waitFor();
    await alice.getByRole('cell', { name: '1,000' }).waitFor();
    await alice.getByRole('button', { name: 'Continue' }).click();
    await check(alice, 'wizard-review-relay');
    await alice.getByRole('button', { name: 'Create network' }).click();
    await alice.getByRole('heading', { name: 'Fresh Co-op', level: 1 }).waitFor();
    const link = (
      (await alice.getByLabel('Invitation link', { exact: true }).textContent()) ?? ''
    ).trim();
    expect(link).toContain(encodeURIComponent(relayUrl));

    // Bob: a cut link is incomplete; what he pasted survives Settings; the whole one joins.
    const bob = await openUser('bob');
    await onboard(bob, 'bob passphrase');
    await bob.getByRole('button', { name: 'Join with an invitation' }).click();
    const cut = link.slice(0, link.indexOf('&c='));
    await bob.getByLabel('Invitation link').fill(cut);
    await bob.getByRole('button', { name: 'Check invitation' }).click();
    await bob
      .getByRole('alert')
      .filter({ hasText: 'This invitation link is incomplete: ask for a new one' })
      .waitFor();
    await go(bob, 'Settings');
    await go(bob, 'Network');
    expect(await bob.getByLabel('Invitation link').inputValue()).toBe(cut);
    await bob.getByLabel('Invitation link').fill(link);
    await bob.getByRole('button', { name: 'Check invitation' }).click();
    await bob.getByRole('button', { name: 'Join network' }).click();
    await bob.getByRole('heading', { name: 'Fresh Co-op', level: 1 }).waitFor();
    await until(
      'Bob to receive the ledger through gpow relay',
      async () => (await bob.getByTestId('count-final').count()) > 0,
    );
    const bobAddress = (await bob.locator('.topbar-address').getAttribute('title')) ?? '';

    // More than Alice holds, on a network with no credit: the review says so, and Confirm is off.
    await go(alice, 'Send');
    await alice.getByLabel('Recipient address').fill(bobAddress);
    await alice.getByLabel('Amount').fill('5000');
    await alice.getByRole('button', { name: 'Review payment' }).click();
    await alice
      .getByTestId('payment-refused')
      .filter({
        hasText: 'you can spend at most 1,000 units now, and it is 4,000 units more than that',
      })
      .waitFor();
    expect(await alice.getByText('Available afterwards').count()).toBe(0);
    expect(await alice.getByRole('button', { name: 'Confirm and send' }).isDisabled()).toBe(true);
    await check(alice, 'send-refused');
    // Going back, and away to the address book, keeps what she typed.
    await alice.getByRole('button', { name: 'Back' }).click();
    await go(alice, 'Address book');
    await go(alice, 'Send');
    expect(await alice.getByLabel('Amount').inputValue()).toBe('5000');
    expect(await alice.getByLabel('Recipient address').inputValue()).toBe(bobAddress);

    // A service request half filled in survives leaving it.
    await go(alice, 'Request a service');
    await alice.getByRole('link', { name: 'Request Human task' }).click();
    await alice.getByLabel('Title', { exact: true }).fill('Paint the fence');
    expect(await alice.locator('#req-within-1').inputValue()).toBe('1');
    expect(await alice.locator('#req-within-unit-1').inputValue()).toBe('days');
    await go(alice, 'Settings');
    await go(alice, 'Request a service');
    await alice.getByRole('link', { name: 'Request Human task' }).click();
    expect(await valueOf(alice, 'Title')).toBe('Paint the fence');
    await check(alice, 'request-kept');

    expect(audit.findings).toEqual([]);
    expect(pageErrors).toEqual([]);
    if (process.env.GPOW_UPDATE_SCREENSHOTS === '1') {
      for (const name of README_SHOTS)
        await copyFile(
          join(SCREENSHOT_DIR, `${name}.png`),
          join(PROJECT_ROOT, 'docs/screenshots', `${name}.png`),
        );
    }
  });
});
