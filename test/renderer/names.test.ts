// Names where addresses appear (docs/profiles.md): the private-messages screen (the partner list,
// the conversation's title, the sender) and the payment review name a member by the name they
// signed, your own address-book label first, with the address one click away (or, in a payment
// review, in full); a member without a profile is shown by their address.
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/bytes.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf, type KeyHex } from '../../shared/ids.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { composeProfile } from '../../shared/wallet/profile.ts';
import { en } from '../../renderer/i18n/en.ts';
import { Conversation } from '../../renderer/ui/screens/Messages.tsx';
import { PaymentReview } from '../../renderer/ui/screens/PaymentReview.tsx';
import { identity } from '../helpers/network.ts';
import { PHRASE, testApp, type TestApp } from './fixtures.ts';
import { at, escaped, render, renderNowIn, withStubbedGlobals } from './render.ts';

withStubbedGlobals();

const bob = identity('names bob');
const carol = identity('names carol');
const addressOf = (key: KeyHex) => encodeAddress(fromHex(key));

/** A network of me, Bob (who signs a profile "Bob") and Carol (who signs none). */
async function network(name: string): Promise<TestApp> {
  const app = testApp(name);
  await app.store.getState().boot();
  await app.store.getState().createIdentity(PHRASE, 'correct horse');
  const me = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
  await app.store.getState().createNetwork({
    name,
    witnesses: [me],
    allocations: [
      [me, 1000n],
      [bob.key, 5n],
      [carol.key, 5n],
    ],
    creditLimit: 0n,
  });
  const runtime = app.store.getState().runtime;
  const ledger = runtime?.ledger;
  if (!runtime || !ledger) throw new Error('no runtime');
  const composed = composeProfile(ledger, bob.key, { name: 'Bob' }, 5);
  if (!composed.ok) throw new Error(composed.rejection.message);
  await runtime.importTransaction(signTx(bob.secret, composed.tx));
  app.store.setState((s) => ({ ledgerVersion: s.ledgerVersion + 1 }));
  return app;
}

const review = (app: TestApp, to: KeyHex) =>
  renderNowIn(
    app,
    createElement(PaymentReview, {
      draft: { to, amount: 5n, memo: '' },
      outlook: { ok: true, after: 995n, usesCredit: false },
      busy: false,
      error: null,
      onBack: () => undefined,
      onConfirm: () => undefined,
    }),
  );

describe('names where addresses appear', () => {
  it('names a messaging partner by the name they signed, the address one click away', async () => {
    const app = await network('Messages');
    const ssk = app.store.getState().ssk;
    if (!ssk) throw new Error('no SSK session');
    await ssk.share(bob.key);
    await ssk.share(carol.key);
    ssk.sendText(bob.key, 'hello');
    app.store.setState((s) => ({ ledgerVersion: s.ledgerVersion + 1 }));

    at('messages');
    const page = render(app);
    expect(page).toContain(escaped(en['messages.openWith'].replace('{name}', 'Bob')));
    // Carol signed no profile: the start of her address names her.
    const carolStart = addressOf(carol.key).slice(0, 13);
    expect(page).toContain(escaped(en['messages.openWith'].replace('{name}', carolStart)));

    const chat = renderNowIn(app, createElement(Conversation, { partner: bob.key }));
    expect(chat).toContain(escaped(en['messages.with'].replace('{name}', 'Bob')));
    expect(chat).toMatch(/data-testid="conversation-party".*aria-expanded="false">Bob<\/button>/s);
    expect(chat).toContain(`title="${addressOf(bob.key)}"`);
    expect(chat).toContain(`<strong>${en['party.you']}:</strong> hello`);

    // Your own label for a contact comes first, as everywhere else.
    app.store.setState({ contacts: [{ address: addressOf(bob.key), label: 'Robert' }] });
    const labelled = renderNowIn(app, createElement(Conversation, { partner: bob.key }));
    expect(labelled).toContain(escaped(en['messages.with'].replace('{name}', 'Robert')));
    await app.store.getState().lock();
  });

  it('names the recipient in the payment review, above the whole address', async () => {
    const app = await network('Review');
    const named = review(app, bob.key);
    expect(named).toContain(`data-testid="payment-name">Bob </strong>`);
    expect(named).toContain(addressOf(bob.key));
    const unnamed = review(app, carol.key);
    expect(unnamed).not.toContain('payment-name');
    expect(unnamed).toContain(addressOf(carol.key));
    app.store.setState({ contacts: [{ address: addressOf(bob.key), label: 'Robert' }] });
    expect(review(app, bob.key)).toContain(`data-testid="payment-name">Robert </strong>`);
    await app.store.getState().lock();
  });
});
