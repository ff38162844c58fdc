// Issue 18: forms said every error at their bottom, far from what was wrong. A check that knows
// its input now names it (a FieldError, or the form's key list), and the sentence is said under
// that input, which points at it with aria-describedby and is aria-invalid. What belongs to no
// input stays at the bottom. Checked here for Send, the service request, the network wizard,
// the offer form and the address book; the Chromium e2e (test/e2e/wallet.test.ts) types a bad
// amount into Send in a real page.
import { createElement, type ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_SERVICES } from '../../shared/dnec/services.ts';
import { MAX_MEMO_BYTES } from '../../shared/tx/transfer.ts';
import { MACHINE_WITHIN } from '../../shared/wallet/market.ts';
import { translator } from '../../renderer/i18n/i18n.ts';
import { en } from '../../renderer/i18n/en.ts';
import { UserError } from '../../renderer/state/errors.ts';
import { TextField } from '../../renderer/ui/components/common.tsx';
import { FieldError, placeError } from '../../renderer/ui/fieldError.ts';
import { paymentDraftOf } from '../../renderer/ui/payment.ts';
import { CONTACT_FIELDS } from '../../renderer/ui/screens/Contacts.tsx';
import { OFFER_FIELDS } from '../../renderer/ui/screens/Provider.tsx';
import { deadlineText, draftOf, type TermsText } from '../../renderer/ui/screens/services/draft.ts';
import { TermsFields } from '../../renderer/ui/screens/services/TermsFields.tsx';
import { initialWizard } from '../../renderer/ui/screens/setupDrafts.ts';
import { AllocationsStep } from '../../renderer/ui/screens/WizardBalances.tsx';
import { testApp } from './fixtures.ts';
import { escaped, renderIn, withStubbedGlobals } from './render.ts';

withStubbedGlobals();

const t = translator('en');
const shown = (node: ReactNode) => renderIn(testApp('field errors'), node);

/** What `check` throws. */
function thrown(check: () => unknown): unknown {
  try {
    check();
  } catch (failure) {
    return failure;
  }
  throw new Error('no error was thrown');
}

/**
 * The markup says `sentence` under input `id`, inside its field, and the input points at it;
 * every other input in it is neither invalid nor described by an error.
 */
function expectUnder(html: string, id: string, sentence: string): void {
  const input = new RegExp(`<(input|textarea)[^>]*id="${id}"[^>]*/?>`).exec(html)?.[0] ?? '';
  expect(input, id).toContain('aria-invalid="true"');
  expect(input, id).toMatch(new RegExp(`aria-describedby="([^"]* )?${id}-error"`));
  const field = new RegExp(`id="${id}".*?<p id="${id}-error"[^>]*role="alert">([^<]*)</p>`, 's');
  expect(field.exec(html)?.[1]).toBe(escaped(sentence));
  expect(html.match(/aria-invalid="true"/g)).toHaveLength(1);
  expect(html.match(/role="alert"/g)).toHaveLength(1);
}

describe('an error said under its field', () => {
  it('Send: the recipient, the amount and the memo each say theirs under them', () => {
    const address = 'gpow1d29p4ralt7gcdgekux7xkd6gcj2679akztww89ygq33a7w35avhstdpg2x';
    const cases = [
      { id: 'send-to', error: thrown(() => paymentDraftOf('', '5', '')) },
      { id: 'send-amount', error: thrown(() => paymentDraftOf(address, 'five', '')) },
      {
        id: 'send-memo',
        error: thrown(() => paymentDraftOf(address, '5', 'x'.repeat(MAX_MEMO_BYTES + 1))),
      },
    ];
    for (const { id, error } of cases) {
      expect(error).toBeInstanceOf(FieldError);
      const placed = placeError(error);
      expect(placed.general).toBeNull();
      const form = shown(
        createElement(
          'form',
          null,
          ...['send-to', 'send-amount', 'send-memo'].map((field) =>
            createElement(TextField, {
              key: field,
              id: field,
              label: field,
              value: '',
              onChange: () => undefined,
              error: placed.at(field),
            }),
          ),
        ),
      );
      expectUnder(form, id, t((error as UserError).key, (error as UserError).params));
    }
    expect(thrown(() => paymentDraftOf('', '5', ''))).toMatchObject({ key: 'address.error.empty' });
  });

  it('the service request: the fee, a deadline out of order, the validators', () => {
    const terms = (change: Partial<TermsText>): TermsText => ({
      validators: '0',
      fee: '0',
      maxRate: '',
      minReputation: '',
      within: MACHINE_WITHIN.map(deadlineText),
      ...change,
    });
    const request = (change: Partial<TermsText>) =>
      thrown(() =>
        draftOf(
          BUILT_IN_SERVICES.get('pow')!,
          { data: 'abc', difficulty: '4', fn: '', input: '', fields: {}, volume: '' },
          terms(change),
          { poolSize: 0, canSeal: false, t },
        ),
      );
    const backwards = MACHINE_WITHIN.map(deadlineText).map((d, i) =>
      i === 1 ? { amount: '0', unit: d.unit } : d,
    );
    const cases = [
      { id: 'req-fee', change: { fee: 'lots' } },
      { id: 'req-within-1', change: { within: backwards } },
      { id: 'req-validators', change: { validators: 'two' } },
      { id: 'req-max-rate', change: { maxRate: '-1' } },
    ];
    for (const { id, change } of cases) {
      const error = request(change);
      expect(error, id).toMatchObject({ field: id });
      const html = shown(
        createElement(TermsFields, {
          text: terms(change),
          onChange: () => undefined,
          onWithin: () => undefined,
          errorAt: placeError(error).at,
        }),
      );
      expectUnder(html, id, t((error as UserError).key, (error as UserError).params));
    }
  });

  it('the network wizard: a starting balance’s amount under its field, not at the bottom', () => {
    const error = new FieldError('alloc-amount', 'amount.error.digits');
    const placed = placeError(error);
    const html = shown(
      createElement(AllocationsStep, {
        draft: { ...initialWizard(null), step: 'allocations' },
        update: () => undefined,
        go: () => undefined,
        attempt: () => undefined,
        error: placed.general,
        errorAt: placed.at,
      }),
    );
    expectUnder(html, 'alloc-amount', en['amount.error.digits']);
  });

  it('the offer form and the address book name the field of each refusal', () => {
    expect(
      placeError(new UserError('provider.error.rate'), OFFER_FIELDS).at('offer-rate'),
    ).not.toBeNull();
    expect(
      placeError(new UserError('provider.error.capacity'), OFFER_FIELDS).at('offer-capacity'),
    ).not.toBeNull();
    const address = new UserError('contacts.error.address', { detail: 'no' });
    expect(placeError(address, CONTACT_FIELDS).at('contact-address')).toBe(address);
    const label = new UserError('contacts.error.labelLong', { max: 64 });
    expect(placeError(label, CONTACT_FIELDS).at('contact-label')).toBe(label);
    // A failure no field claims stays the form's.
    const full = new UserError('contacts.error.full');
    expect(placeError(full, CONTACT_FIELDS).general).toBe(full);
  });
});
