// What several end-to-end tests do on the app's screens: make an identity through onboarding,
// go to a screen, and take a screenshot with axe-core's serious and critical findings.
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
