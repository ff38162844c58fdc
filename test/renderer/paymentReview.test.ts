// The payment review says what will really happen (issue 18): on a network with no credit,
// sending 5,000 of 1,000 showed "Available afterwards -4,000 … using the network's credit" and
// only Confirm refused it. The outlook comes from the composer Confirm uses, so a payment that
// cannot go through says why and cannot be confirmed, and one within the credit says it uses it.
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { en } from '../../renderer/i18n/en.ts';
import { paymentOutlook, type PaymentDraft } from '../../renderer/ui/payment.ts';
import { PaymentReview } from '../../renderer/ui/screens/PaymentReview.tsx';
import { identity } from '../helpers/network.ts';
import { PHRASE, testApp, type TestApp } from './fixtures.ts';
import { renderNowIn, withStubbedGlobals } from './render.ts';

withStubbedGlobals();

const bob = identity('payment review bob');
const me = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
const opened: TestApp[] = [];
// Each network's runtime holds its room: close it, or the next test's same network collides.
afterEach(async () => {
  for (const app of opened.splice(0)) await app.store.getState().lock();
});

/** A network where I hold 1,000 and accounts may go `creditLimit` below zero. */
async function network(creditLimit: bigint): Promise<TestApp> {
  const app = testApp(`payment review ${creditLimit}`);
  opened.push(app);
  await app.store.getState().boot();
  await app.store.getState().createIdentity(PHRASE, 'correct horse');
  await app.store.getState().createNetwork({
    name: 'Review',
    witnesses: [me],
    allocations: [
      [me, 1000n],
      [bob.key, 5n],
    ],
    creditLimit,
  });
  return app;
}

function review(app: TestApp, amount: bigint): string {
  const ledger = app.store.getState().runtime?.ledger;
  if (!ledger) throw new Error('no ledger');
  const draft: PaymentDraft = { to: bob.key, amount, memo: '' };
  return renderNowIn(
    app,
    createElement(PaymentReview, {
      draft,
      outlook: paymentOutlook(ledger, me, draft, Date.now()),
      busy: false,
      error: null,
      onBack: () => undefined,
      onConfirm: () => undefined,
    }),
  );
}

const confirmButton = (page: string): string =>
  /<button[^>]*>Confirm and send<\/button>/.exec(page)?.[0] ?? 'no Confirm button';

describe('the payment review', () => {
  it('on a network with no credit, refuses 5,000 of 1,000 with a sentence and disables Confirm', async () => {
    const page = review(await network(0n), 5000n);
    expect(page).not.toContain(en['send.after']);
    expect(page).not.toContain('-4,000');
    expect(page).not.toContain(en['send.review.credit']);
    expect(page).toContain(
      'This payment cannot go through: you can spend at most 1,000 units now, and it is 4,000 units more than that.',
    );
    expect(confirmButton(page)).toContain('disabled=""');
  });

  it('within the balance, shows what is left and lets Confirm through', async () => {
    const page = review(await network(0n), 400n);
    expect(page).toMatch(/data-testid="payment-after">600 units</);
    expect(page).not.toContain('payment-refused');
    expect(confirmButton(page)).not.toContain('disabled');
  });

  it('within the credit, says it uses it; past the credit, refuses naming the credit', async () => {
    const app = await network(5000n);
    const within = review(app, 5000n);
    expect(within).toMatch(/data-testid="payment-after">-4,000 units</);
    expect(within).toContain(en['send.review.credit']);
    expect(confirmButton(within)).not.toContain('disabled');

    const past = review(app, 7000n);
    expect(past).toContain(
      'you can spend at most 6,000 units now, the network’s credit of 5,000 units included, and it is 1,000 units more than that.',
    );
    expect(confirmButton(past)).toContain('disabled=""');
  });
});
