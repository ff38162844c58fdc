// What several end-to-end tests do on the app's screens: make an identity through onboarding,
// go to a screen, create a network, join one and sign a profile, pay, and take a screenshot with
// axe-core's serious and critical findings.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const axeSource = await readFile(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
}

/** Screenshots each screen checked, and keeps axe-core's serious and critical findings. */
export class ScreenAudit {
  readonly findings: Array<{ screen: string; violations: AxeViolation[] }> = [];
  readonly #shots: () => string;

  /** `shots`: the folder for screenshots, known once the test has started. */
  constructor(shots: () => string) {
    this.#shots = shots;
  }

  async check(page: Page, screen: string): Promise<void> {
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(this.#shots(), `${screen}.png`), fullPage: true });
    if (!(await page.evaluate(() => 'axe' in window)))
      await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate(async () => {
      const result = await (
        window as unknown as {
          axe: { run(context: Document): Promise<{ violations: AxeViolation[] }> };
        }
      ).axe.run(document);
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help }));
    });
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    if (serious.length > 0) this.findings.push({ screen, violations: serious });
  }
}

/** Follows a link of the main navigation. */
export async function go(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
}

/** Creates an identity through the onboarding screens; returns its address. */
export async function onboard(page: Page, passphrase: string): Promise<string> {
  await page.getByRole('button', { name: 'Create a new identity' }).click();
  const words = await page.locator('ol.words .word').allTextContents();
  expect(words).toHaveLength(24);
  await page.getByLabel('I have written down all the words, in order.').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  const inputs = page.getByLabel(/^Word \d+$/);
  await inputs.first().waitFor();
  const count = await inputs.count();
  for (let i = 0; i < count; i++) {
    const id = (await inputs.nth(i).getAttribute('id')) ?? '';
    await inputs.nth(i).fill(words[Number(id.replace('confirm-word-', ''))] ?? '');
  }
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await page.getByLabel('Repeat the passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Create identity' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
  return (await page.locator('.topbar-address').getAttribute('title')) ?? '';
}

/**
 * Creates the network `name` on the page's identity: the relay at `relayUrl`, the identity as
 * the only witness, 1000 for itself. Returns the invitation link the Network screen shows.
 */
export async function createNetwork(page: Page, relayUrl: string, name: string): Promise<string> {
  await go(page, 'Settings');
  await page.getByLabel('Relay address').fill(relayUrl);
  await page.getByRole('button', { name: 'Add', exact: true }).first().click();
  await page.getByRole('list', { name: 'Relays' }).getByText(relayUrl).waitFor();
  await go(page, 'Network');
  return createNetworkHere(page, name);
}

/**
 * Creates the network `name` from the Network set-up screen the page shows, with the identity as
 * the only witness and `amount` for itself. Returns the invitation link.
 */
export async function createNetworkHere(
  page: Page,
  name: string,
  amount = '1000',
): Promise<string> {
  await page.getByRole('button', { name: 'Create a network' }).click();
  await page.getByLabel('Network name').fill(name);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Choose the witnesses' }).waitFor();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Use my address' }).click();
  await page.getByLabel('Amount', { exact: true }).fill(amount);
  await page.getByRole('button', { name: 'Add balance' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Create network' }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  return (await page.getByLabel('Invitation link', { exact: true }).textContent()) ?? '';
}

/**
 * Joins the network `network` from `invitation`, waits (with `until`) for the ledger, and signs
 * a profile with the display name `name`, so that members see it.
 */
export async function joinAndSignProfile(
  page: Page,
  invitation: string,
  network: string,
  name: string,
  until: (what: string, probe: () => Promise<boolean>) => Promise<unknown>,
): Promise<void> {
  await go(page, 'Network');
  await page.getByRole('button', { name: 'Join with an invitation' }).click();
  await page.getByLabel('Invitation link').fill(invitation);
  await page.getByRole('button', { name: 'Check invitation' }).click();
  await page.getByRole('button', { name: 'Join network' }).click();
  await page.getByRole('heading', { name: network, level: 1 }).waitFor();
  await until(
    `${name} to receive the ledger`,
    async () => (await page.getByTestId('count-final').count()) > 0,
  );
  const members = page.getByRole('region', { name: 'Members' });
  await members.getByLabel('Display name').fill(name);
  await members.getByRole('button', { name: 'Review' }).click();
  await members.getByRole('button', { name: 'Sign the profile' }).click();
  await members.getByText('Profile signed.').waitFor();
}

/** Pays `amount` to `to` on the Send screen, and waits until the page says it was sent. */
export async function pay(page: Page, to: string, amount: string): Promise<void> {
  await go(page, 'Send');
  await page.getByRole('heading', { name: 'Send', level: 1 }).waitFor();
  await page.getByLabel('Recipient address').fill(to);
  await page.getByLabel('Amount').fill(amount);
  await page.getByRole('button', { name: 'Review payment' }).click();
  await page.getByRole('button', { name: 'Confirm and send' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: new RegExp(`Sent ${amount} units?\\.`) })
    .waitFor();
}

/** The trimmed text of the element with `testId`. */
export const text = async (page: Page, testId: string): Promise<string> =>
  ((await page.getByTestId(testId).textContent()) ?? '').trim();
