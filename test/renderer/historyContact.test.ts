// Issue 18: History had no way to save a counterparty as a contact. A row's counterparty with no
// label offers "Save as contact"; the name is checked as the address book checks it, a refusal
// is said under the name's field (tied to it with aria-describedby and aria-invalid), and once
// saved the row names the account by the new label, its shortened address beside it.
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/bytes.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf, type KeyHex } from '../../shared/ids.ts';
import { en } from '../../renderer/i18n/en.ts';
import { historyOf } from '../../renderer/runtime/views.ts';
import { UserError } from '../../renderer/state/errors.ts';
import { shortAddress } from '../../renderer/ui/components/party.tsx';
import { FieldError, placeError } from '../../renderer/ui/fieldError.ts';
import { HistoryTable } from '../../renderer/ui/screens/History.tsx';
import { ContactNameForm, saveNamed } from '../../renderer/ui/screens/SaveContact.tsx';
import { identity } from '../helpers/network.ts';
import { PHRASE, testApp, type TestApp } from './fixtures.ts';
import { escaped, renderNowIn, withStubbedGlobals } from './render.ts';

withStubbedGlobals();

const carol = identity('history contact carol');
const me = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
const addressOf = (key: KeyHex) => encodeAddress(fromHex(key));
const opened: TestApp[] = [];
afterEach(async () => {
  for (const app of opened.splice(0)) await app.store.getState().lock();
});

/** A network where I paid Carol once: History has a row with her as the counterparty. */
async function paidCarol(): Promise<TestApp> {
  const app = testApp('history contact');
  opened.push(app);
  await app.store.getState().boot();
  await app.store.getState().createIdentity(PHRASE, 'correct horse');
  await app.store.getState().createNetwork({
    name: 'History',
    witnesses: [me],
    allocations: [
      [me, 1000n],
      [carol.key, 5n],
    ],
    creditLimit: 0n,
  });
  await app.store.getState().send(carol.key, 7n);
  return app;
}

function history(app: TestApp): string {
  const ledger = app.store.getState().runtime?.ledger;
  if (!ledger) throw new Error('no ledger');
  const entries = historyOf(ledger, me).filter((e) => e.counterparty === carol.key);
  expect(entries.length).toBeGreaterThan(0);
  return renderNowIn(app, createElement(HistoryTable, { entries, caption: 'History' }));
}

const form = (app: TestApp, name: string, error: unknown) =>
  renderNowIn(
    app,
    createElement(ContactNameForm, {
      id: 'contact-name-x',
      account: carol.key,
      name,
      error,
      onName: () => undefined,
      onSave: () => undefined,
      onCancel: () => undefined,
    }),
  );

describe('saving a counterparty from History', () => {
  it('offers to save a counterparty with no label, and then names the row by it', async () => {
    const app = await paidCarol();
    const before = history(app);
    expect(before).toContain(
      `aria-label="${en['history.contact.openLabel'].replace('{address}', shortAddress(addressOf(carol.key)))}"`,
    );
    expect(before).not.toContain('Caroline');

    expect(saveNamed(app.store.getState().saveContact, carol.key, '  Caroline ')).toBeNull();
    expect(app.store.getState().contacts).toEqual([
      { address: addressOf(carol.key), label: 'Caroline' },
    ]);
    const after = history(app);
    expect(after).toContain('<span class="party-label">Caroline </span>');
    // The address stays beside the name, shortened, so it can still be checked.
    expect(after).toContain(`<code class="mono">${shortAddress(addressOf(carol.key))}</code>`);
    expect(after).not.toContain(en['history.contact.open']);
  });

  it('refuses an empty or too long name under the name field, and saves nothing', async () => {
    const app = await paidCarol();
    const save = app.store.getState().saveContact;
    for (const [name, sentence] of [
      ['   ', en['contacts.error.label']],
      ['x'.repeat(65), en['contacts.error.labelLong'].replace('{max}', '64')],
    ] as const) {
      const refusal = saveNamed(save, carol.key, name);
      expect(refusal).toBeInstanceOf(UserError);
      const shown = form(app, name, refusal);
      // The input points at the sentence, which follows it inside the field, not the form's end.
      const input = /<input[^>]*id="contact-name-x"[^>]*\/>/.exec(shown)?.[0] ?? '';
      expect(input).toContain('aria-describedby="contact-name-x-error"');
      expect(input).toContain('aria-invalid="true"');
      expect(shown).toContain(`${input}<p id="contact-name-x-error" class="error field-error"`);
      expect(shown).toContain(`role="alert">${escaped(sentence)}</p></div>`);
    }
    expect(app.store.getState().contacts).toEqual([]);
    // With no error the field is neither invalid nor described by an error.
    const clean = form(app, 'Caroline', null);
    expect(clean).not.toContain('aria-invalid');
    expect(clean).not.toContain('contact-name-x-error');
  });
});

describe('placing a form error', () => {
  it('gives a field the errors it claims, and the rest to the form', () => {
    const keys = { 'f-amount': ['amount.error.'], 'f-memo': ['send.error.memo'] };
    const amount = new UserError('amount.error.empty');
    expect(placeError(amount, keys).at('f-amount')).toBe(amount);
    expect(placeError(amount, keys).at('f-memo')).toBeNull();
    expect(placeError(amount, keys).general).toBeNull();
    const named = new FieldError('f-memo', 'amount.error.empty');
    expect(placeError(named, keys).at('f-memo')).toBe(named);
    const network = new Error('the relay is unreachable');
    expect(placeError(network, keys).general).toBe(network);
    expect(placeError(network, keys).at('f-amount')).toBeNull();
    expect(placeError(null, keys).general).toBeNull();
  });
});
