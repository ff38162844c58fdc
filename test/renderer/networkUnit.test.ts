// Amounts carry the network's unit (issue 18): the genesis names the money, the wizard asks for
// it with the default filled in, and every amount on the screens shows it, agreeing with the
// count ("1 hour", never "1 hours"). A network founded without one shows "units".
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { paymentOutlook } from '../../renderer/ui/payment.ts';
import { PaymentReview } from '../../renderer/ui/screens/PaymentReview.tsx';
import { NetworkSetup } from '../../renderer/ui/screens/NetworkSetup.tsx';
import { initialWizard, SETUP_DRAFT, WIZARD_DRAFT } from '../../renderer/ui/screens/setupDrafts.ts';
import { WalletScreen } from '../../renderer/ui/screens/Wallet.tsx';
import { historyCsv } from '../../renderer/ui/screens/History.tsx';
import { historyOf } from '../../renderer/runtime/views.ts';
import { translator } from '../../renderer/i18n/i18n.ts';
import { identity } from '../helpers/network.ts';
import { PHRASE, testApp, type TestApp } from './fixtures.ts';
import { renderNowIn, withStubbedGlobals } from './render.ts';

withStubbedGlobals();

const bob = identity('network unit bob');
const me = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
const opened: TestApp[] = [];
afterEach(async () => {
  for (const app of opened.splice(0)) await app.store.getState().lock();
});

async function unlocked(label: string): Promise<TestApp> {
  const app = testApp(label);
  opened.push(app);
  await app.store.getState().boot();
  await app.store.getState().createIdentity(PHRASE, 'correct horse');
  return app;
}

/** A network where I hold 1,000, named in `unit` (or in none). */
async function network(label: string, unit?: string): Promise<TestApp> {
  const app = await unlocked(label);
  await app.store.getState().createNetwork({
    name: 'Time bank',
    witnesses: [me],
    allocations: [[me, 1000n]],
    creditLimit: 0n,
    ...(unit === undefined ? {} : { unit }),
  });
  return app;
}

/** The payment review of sending `amount` to Bob. */
function review(app: TestApp, amount: bigint): string {
  const ledger = app.store.getState().runtime?.ledger;
  if (!ledger) throw new Error('no ledger');
  const draft = { to: bob.key, amount, memo: '' };
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

describe('the network’s unit', () => {
  it('is asked for in the wizard, with the default filled in, and named on its review', async () => {
    const app = await unlocked('network unit wizard');
    const { keepDraft } = app.store.getState();
    keepDraft(SETUP_DRAFT.name, { mode: 'create', invitation: '', relayInput: '' });
    const first = renderNowIn(app, createElement(NetworkSetup));
    expect(first).toMatch(/<input[^>]*id="network-unit"[^>]*value="units"/);

    // As typed and left: the review shows every amount in the unit chosen, before any network.
    keepDraft(WIZARD_DRAFT.name, {
      ...initialWizard(me),
      name: 'Time bank',
      unit: 'hours',
      step: 'review',
      allocations: [
        [me, 1n],
        [bob.key, 40n],
      ],
    });
    const page = renderNowIn(app, createElement(NetworkSetup));
    expect(page).toContain('<dd>hours</dd>');
    expect(page).toContain(': 1 hour<');
    expect(page).toContain(': 40 hours<');
    expect(page).toContain('Total: 41 hours.');
    expect(page).not.toMatch(/(?<![\d,])1 hours/);
  });

  it('is signed into the genesis and shown on every amount, agreeing with it', async () => {
    const app = await network('network unit hours', 'hours');
    expect(app.store.getState().runtime?.ledger?.unit).toBe('hours');
    const wallet = renderNowIn(app, createElement(WalletScreen));
    expect(wallet).toContain('data-testid="balance-available">1,000 hours<');
    expect(wallet).toContain('data-testid="balance-pending">0 hours<');
    const one = review(app, 1n);
    expect(one).toContain('<dd>1 hour</dd>');
    expect(one).toContain('data-testid="payment-after">999 hours<');
    expect(one).not.toMatch(/(?<![\d,])1 hours/);
  });

  it('is "units" on a network whose genesis names none', async () => {
    const app = await network('network unit default');
    expect(app.store.getState().runtime?.ledger?.genesis.body.params.unit).toBeUndefined();
    const wallet = renderNowIn(app, createElement(WalletScreen));
    expect(wallet).toContain('data-testid="balance-available">1,000 units<');
    expect(review(app, 1n)).toContain('<dd>1 unit</dd>');
  });

  it('has a column of its own in the history export, beside the amount in digits', async () => {
    const app = await network('network unit csv', 'hours');
    const ledger = app.store.getState().runtime?.ledger;
    if (!ledger) throw new Error('no ledger');
    const csv = historyCsv(historyOf(ledger, me), translator('en'), () => undefined, ledger.unit);
    const [header, allocation] = csv.split('\r\n');
    expect(header).toBe(
      'Date (UTC),Type,Direction,Counterparty address,Counterparty label,Amount,Unit,Status,Memo,Transaction id',
    );
    expect(allocation).toContain(',Starting balance,in,');
    expect(allocation).toContain(',1000,hours,');
  });
});
