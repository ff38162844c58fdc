// `npm run screenshots`: the README's Screenshots section, taken from the real browser-mode UI.
// It reuses the end-to-end fixtures: test/e2e/harness.ts builds the renderer and serves it and a
// signaling relay on 127.0.0.1 (in a network namespace of their own where the machine allows),
// test/e2e/screens.ts makes an identity and finds the screens; the network wizard is walked here,
// to stop at its review and to name the money. The pictures show what a person sees: Alice
// founds "Time bank", whose money is "hours", pays Bob, offers a service, bonds as a validator
// and shares a key with Bob. Each screen is one viewport (1100x750, dark theme), which keeps
// every PNG small (under 110 kB). Writes docs/screenshots/screen-*.png.
//
// Chromium: /usr/bin/chromium, or GPOW_CHROMIUM (harness.ts). Nothing leaves 127.0.0.1.
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { fromHex } from '../shared/bytes.ts';
import { encodeAddress } from '../shared/identity/address.ts';
import { identity } from '../test/helpers/network.ts';
import { buildWeb, newUser, PROJECT_ROOT, startWorld, type World } from '../test/e2e/harness.ts';
import { go, onboard } from '../test/e2e/screens.ts';

const OUT = join(PROJECT_ROOT, 'docs/screenshots');
const VIEWPORT = { width: 1100, height: 750 };
const PASSPHRASE = 'correct horse battery staple';
/** Bob is only an address here: Alice pays him and shares a key with him. */
const BOB = encodeAddress(fromHex(identity('screenshots bob').key));

async function shoot(page: Page, name: string): Promise<void> {
  // Clicks scroll what they click into view and leave it focused: show each screen from its top,
  // without a focus ring, once transitions and progress have settled.
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  await page.waitForTimeout(300);
  const path = join(OUT, `screen-${name}.png`);
  await page.screenshot({ path });
  console.log(`${path}  ${Math.round((await stat(path)).size / 1024)} kB`);
}

/** The network wizard, photographed at its review, then the network created. */
async function foundNetwork(page: Page, relayUrl: string): Promise<void> {
  await go(page, 'Settings');
  await page.getByLabel('Relay address').fill(relayUrl);
  await page.getByRole('button', { name: 'Add', exact: true }).first().click();
  await page.getByRole('list', { name: 'Relays' }).getByText(relayUrl).waitFor();
  await go(page, 'Network');
  await page.getByRole('button', { name: 'Create a network' }).click();
  await page.getByLabel('Network name').fill('Time bank');
  await page.getByLabel('Unit', { exact: true }).fill('hours');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Choose the witnesses' }).waitFor();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Use my address' }).click();
  await page.getByLabel('Amount', { exact: true }).fill('1000');
  await page.getByRole('button', { name: 'Add balance' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Create network' }).waitFor();
  await shoot(page, 'network-wizard');
  await page.getByRole('button', { name: 'Create network' }).click();
  await page.getByRole('heading', { name: 'Time bank', level: 1 }).waitFor();
}

async function wallet(page: Page): Promise<void> {
  await go(page, 'Balance');
  await page.getByText('1,000 hours').first().waitFor();
  await shoot(page, 'wallet');
}

async function sendAndHistory(page: Page): Promise<void> {
  await go(page, 'Send');
  await page.getByLabel('Recipient address').fill(BOB);
  await page.getByLabel('Amount').fill('40');
  await page.getByLabel('Memo (optional)').fill('Garden work, Saturday');
  await page.getByRole('button', { name: 'Review payment' }).click();
  await page.getByRole('button', { name: 'Confirm and send' }).waitFor();
  await shoot(page, 'send-review');
  await page.getByRole('button', { name: 'Confirm and send' }).click();
  await page.getByRole('status').filter({ hasText: 'Sent 40 hours.' }).waitFor();
  await go(page, 'History');
  await page.getByText('Garden work, Saturday').first().waitFor();
  await shoot(page, 'history');
}

async function market(page: Page): Promise<void> {
  await go(page, 'Provider console');
  await page.getByLabel('Service type').selectOption('pow');
  await page.getByLabel('Capacity (units at once)').fill('10');
  await page.getByLabel('Rate (per unit)').fill('3');
  await page.getByRole('button', { name: 'Publish offer' }).click();
  await page.getByRole('status').filter({ hasText: 'Offer published.' }).waitFor();
  await page.getByTestId('offers-table').getByText('0 of 10 in use').first().waitFor();
  await shoot(page, 'provider');

  await go(page, 'Validator');
  await page.getByLabel('Amount to bond').fill('50');
  await page.getByRole('button', { name: 'Bond', exact: true }).click();
  await page.getByTestId('bonds-table').getByText('Active').waitFor();
  await shoot(page, 'validator');

  await go(page, 'Messages');
  await page.getByLabel('Contact or address').fill(BOB);
  await page.getByRole('button', { name: 'Share a key' }).click();
  await page.getByTestId('partners').getByText('key 1').waitFor();
  await shoot(page, 'messages');
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  console.log('Building the browser UI…');
  await buildWeb();
  const world: World = await startWorld();
  console.log(`Servers on 127.0.0.1 (${world.isolation} network).`);
  try {
    const context = await newUser(world.browser);
    const page = await context.newPage();
    await page.setViewportSize(VIEWPORT);
    page.setDefaultTimeout(60_000);
    await page.goto(world.appUrl);
    await onboard(page, PASSPHRASE);
    await foundNetwork(page, world.relayUrl);
    await wallet(page);
    await sendAndHistory(page);
    await market(page);
    await context.close();
  } finally {
    await world.close();
  }
}

await main();
