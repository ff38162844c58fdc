// Registering a service type from the UI: the form parsed through the ledger's own schema (every
// refusal a sentence from the catalogue, naming the input at fault), and the screen's path end to
// end on a real app store: review, register, the type read back from the ledger and listed in
// the catalogue. Rendered from the store as App.test.ts does.
import fc from 'fast-check';
import { IDBKeyRange } from 'fake-indexeddb';
import { createElement, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { serviceSchema } from '../../shared/dnec/bodies.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { serviceById, servicesOf } from '../../shared/wallet/market.ts';
import { App } from '../../renderer/App.tsx';
import { en } from '../../renderer/i18n/en.ts';
import { translator } from '../../renderer/i18n/i18n.ts';
import type { AppState } from '../../renderer/state/appStore.ts';
import { describeError } from '../../renderer/state/errors.ts';
import { AppProvider } from '../../renderer/ui/context.tsx';
import { ServiceTypeReview } from '../../renderer/ui/screens/ServiceType.tsx';
import {
  blankDraft,
  EVALUATIONS,
  FIELD_KINDS,
  inputId,
  MAX_FIELDS,
  MAX_NAME,
  MAX_UNIT,
  parseServiceType,
  registerServiceType,
  serviceTxBody,
  type FieldDraft,
  type ServiceTypeDraft,
} from '../../renderer/ui/serviceType.ts';
import type { FieldKind } from '../../shared/dnec/bodies.ts';
import { PHRASE, testApp, type TestApp } from './fixtures.ts';

beforeEach(() => {
  vi.stubGlobal('IDBKeyRange', IDBKeyRange);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const t = translator('en');

const field = (id: number, name: string, patch: Partial<FieldDraft> = {}): FieldDraft => ({
  id,
  name,
  kind: 'text',
  sensitive: false,
  required: false,
  ...patch,
});

const translation = (patch: Partial<ServiceTypeDraft> = {}): ServiceTypeDraft => ({
  name: 'Translation',
  unit: 'pages',
  evaluation: 'review',
  fields: [
    field(1, 'text', { sensitive: true, required: true }),
    field(2, 'language', { required: true }),
    field(3, 'words', { kind: 'number' }),
  ],
  ...patch,
});

/** The refusal the form shows, as a sentence. */
function refusal(draft: ServiceTypeDraft) {
  const parsed = parseServiceType(draft);
  if (parsed.ok) throw new Error('the form accepted it');
  return {
    key: parsed.error.key,
    params: parsed.error.params,
    target: parsed.target,
    text: describeError(parsed.error, t),
  };
}

/** The body exactly as the form submits it, before the schema: names and unit trimmed. */
const rawBody = (draft: ServiceTypeDraft) => ({
  name: draft.name.trim(),
  unit: draft.unit.trim(),
  fields: draft.fields.map((f) => [f.name.trim(), f.kind, f.sensitive, f.required]),
  negotiation: 'lowest-total',
  evaluation: draft.evaluation,
  compensation: 'rate-times-volume',
});

describe('the service type form', () => {
  it('parses a good form into the body the ledger takes, trimmed', () => {
    const parsed = parseServiceType(translation({ name: '  Translation ', unit: ' pages' }));
    expect(parsed).toEqual({
      ok: true,
      body: {
        name: 'Translation',
        unit: 'pages',
        fields: [
          ['text', 'text', true, true],
          ['language', 'text', false, true],
          ['words', 'number', false, false],
        ],
        negotiation: 'lowest-total',
        evaluation: 'review',
        compensation: 'rate-times-volume',
      },
    });
    if (!parsed.ok) return;
    expect(v.safeParse(serviceSchema, serviceTxBody(parsed.body)).success).toBe(true);
    // What the form offers comes from the schema.
    expect(EVALUATIONS).toEqual(['review', 'vote']);
    expect(FIELD_KINDS).toEqual(['text', 'number']);
    expect([MAX_NAME, MAX_UNIT, MAX_FIELDS]).toEqual([64, 32, 24]);
    // A type with no fields is allowed: requests carry only a volume.
    expect(parseServiceType(translation({ fields: [], evaluation: 'vote' })).ok).toBe(true);
  });

  it('refuses an empty name or unit, and one of spaces', () => {
    for (const name of ['', '   ']) {
      expect(refusal(translation({ name }))).toEqual({
        key: 'serviceType.error.nameEmpty',
        params: undefined,
        target: inputId.name,
        text: 'Give the service type a name.',
      });
    }
    expect(refusal(translation({ unit: ' ' }))).toMatchObject({
      key: 'serviceType.error.unitEmpty',
      target: inputId.unit,
    });
    // The blank form starts with the name.
    expect(refusal(blankDraft()).key).toBe('serviceType.error.nameEmpty');
  });

  it('refuses a name or unit over the ledger’s limits, and takes one at the limit', () => {
    expect(parseServiceType(translation({ name: 'n'.repeat(64), unit: 'u'.repeat(32) })).ok).toBe(
      true,
    );
    expect(refusal(translation({ name: 'n'.repeat(65) }))).toMatchObject({
      key: 'serviceType.error.nameLong',
      target: inputId.name,
      text: 'The name is too long: at most 64 characters.',
    });
    expect(refusal(translation({ unit: 'u'.repeat(33) }))).toMatchObject({
      key: 'serviceType.error.unitLong',
      target: inputId.unit,
      text: 'The unit is too long: at most 32 characters.',
    });
  });

  it('refuses field names the ledger refuses, naming the field', () => {
    for (const name of ['Title', '9lives', 'with space', 'dash-ed', 'a'.repeat(33)]) {
      const draft = translation({ fields: [field(1, 'ok'), field(7, name)] });
      expect(refusal(draft), name).toEqual({
        key: 'serviceType.error.fieldName',
        params: { n: 2, name },
        target: inputId.fieldName(7),
        text: `Field 2 cannot be named “${name}”: start with a lowercase letter, then use only lowercase letters, digits and _, at most 32 characters.`,
      });
    }
    expect(refusal(translation({ fields: [field(4, '  ')] }))).toMatchObject({
      key: 'serviceType.error.fieldNameEmpty',
      target: inputId.fieldName(4),
      text: 'Give field 1 a name, or remove it.',
    });
    expect(parseServiceType(translation({ fields: [field(1, 'a'.repeat(32))] })).ok).toBe(true);
  });

  it('refuses two fields of the same name, pointing at the second', () => {
    const draft = translation({
      fields: [field(1, 'title'), field(2, 'body'), field(9, ' title ')],
    });
    expect(refusal(draft)).toEqual({
      key: 'serviceType.error.duplicate',
      params: { first: 1, n: 3, name: 'title' },
      target: inputId.fieldName(9),
      text: 'Fields 1 and 3 are both named “title”: field names must be unique.',
    });
  });

  it('refuses more fields than a service type may have', () => {
    const fields = (count: number) =>
      Array.from({ length: count }, (_, i) => field(i + 1, `f${i}`));
    expect(parseServiceType(translation({ fields: fields(MAX_FIELDS) })).ok).toBe(true);
    expect(refusal(translation({ fields: fields(MAX_FIELDS + 1) }))).toMatchObject({
      key: 'serviceType.error.tooMany',
      params: { max: 24, count: 25 },
      target: inputId.fieldName(25),
      text: 'This type has 25 fields; a service type has at most 24. Remove some.',
    });
  });

  it('refuses the evaluation methods only built-in types have', () => {
    for (const evaluation of ['auto', 'execute', '']) {
      expect(refusal(translation({ evaluation })), evaluation).toMatchObject({
        key: 'serviceType.error.evaluation',
        target: inputId.evaluation('review'),
      });
    }
  });

  it('shows the first problem in the form’s order', () => {
    const draft = translation({
      name: '',
      unit: 'u'.repeat(40),
      fields: [field(1, 'a'), field(2, 'Bad'), field(3, 'a')],
    });
    expect(refusal(draft).key).toBe('serviceType.error.nameEmpty');
    expect(refusal({ ...draft, name: 'ok' }).key).toBe('serviceType.error.unitLong');
    expect(refusal({ ...draft, name: 'ok', unit: 'u' }).key).toBe('serviceType.error.fieldName');
    const fixed = { ...draft, name: 'ok', unit: 'u' };
    expect(refusal({ ...fixed, fields: [field(1, 'a'), field(2, 'b'), field(3, 'a')] }).key).toBe(
      'serviceType.error.duplicate',
    );
  });

  it('accepts exactly what the ledger’s schema accepts, and explains every refusal', () => {
    // Mostly valid inputs, so that each kind of problem is often the only one (and so shown).
    const fieldName = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('title', 'body', 'a', 'x_1', 'n2') },
      { weight: 3, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,34}$/) },
      { weight: 1, arbitrary: fc.constantFrom('', ' ', 'Bad', '9a', ' pad ', 'é', 'a-b') },
    );
    const text = (max: number) =>
      fc.oneof(
        { weight: 6, arbitrary: fc.string({ minLength: 1, maxLength: max }) },
        { weight: 1, arbitrary: fc.constantFrom('', '  ', ' padded ') },
        { weight: 1, arbitrary: fc.string({ minLength: max - 2, maxLength: max + 3 }) },
      );
    const row = fc.record({
      name: fieldName,
      kind: fc.oneof(
        { weight: 20, arbitrary: fc.constantFrom(...FIELD_KINDS) },
        // Not offered by the form's menu, but the parse must still explain it.
        { weight: 1, arbitrary: fc.constant('date' as FieldKind) },
      ),
      sensitive: fc.boolean(),
      required: fc.boolean(),
    });
    const drafts = fc.record({
      name: text(MAX_NAME),
      unit: text(MAX_UNIT),
      evaluation: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...EVALUATIONS) },
        { weight: 1, arbitrary: fc.constantFrom('auto', 'execute', '') },
      ),
      fields: fc
        .oneof(
          { weight: 6, arbitrary: fc.array(row, { maxLength: 6 }) },
          { weight: 1, arbitrary: fc.array(row, { minLength: MAX_FIELDS - 1, maxLength: 28 }) },
        )
        .map((rows) => rows.map((one, i) => ({ ...one, id: i + 1 }))),
    });
    const seen = new Set<string>();
    fc.assert(
      fc.property(drafts, (draft) => {
        const parsed = parseServiceType(draft);
        const ledgerTakes = v.safeParse(serviceSchema, rawBody(draft)).success;
        expect(parsed.ok).toBe(ledgerTakes);
        seen.add(parsed.ok ? 'ok' : parsed.error.key);
        if (parsed.ok) return;
        // A specific sentence, never the catch-all, with every parameter filled in.
        expect(parsed.error.key).not.toBe('serviceType.error.invalid');
        expect(describeError(parsed.error, t)).not.toMatch(/[{}]/);
        const ids = [
          inputId.name,
          inputId.unit,
          ...EVALUATIONS.map(inputId.evaluation),
          ...draft.fields.flatMap((f) => [inputId.fieldName(f.id), inputId.fieldKind(f.id)]),
        ];
        expect(ids).toContain(parsed.target);
      }),
      { numRuns: 1000, seed: 20_260_301 },
    );
    // Every refusal the form can give came up (the property covered them all).
    expect([...seen].sort()).toEqual(
      [
        'ok',
        'serviceType.error.nameEmpty',
        'serviceType.error.nameLong',
        'serviceType.error.unitEmpty',
        'serviceType.error.unitLong',
        'serviceType.error.evaluation',
        'serviceType.error.tooMany',
        'serviceType.error.fieldNameEmpty',
        'serviceType.error.fieldName',
        'serviceType.error.fieldKind',
        'serviceType.error.duplicate',
      ].sort(),
    );
  });
});

// ---- on a real app store -----------------------------------------------------------------

const ME = keyHexOf(identityFromMnemonic(PHRASE).publicKey);

async function withMarket(label: string): Promise<TestApp> {
  const app = testApp(label);
  await app.store.getState().boot();
  await app.store.getState().createIdentity(PHRASE, 'correct horse');
  await app.store.getState().createNetwork({
    name: 'Service types',
    witnesses: [ME],
    allocations: [[ME, 1000n]],
    creditLimit: 0n,
  });
  await vi.waitFor(() => expect(app.store.getState().market).not.toBeNull());
  return app;
}

const ledgerOf = (app: TestApp) => {
  const ledger = app.store.getState().runtime?.ledger;
  if (!ledger) throw new Error('no ledger');
  return ledger;
};

/** Server rendering reads a store's initial state: a store that starts where the app is now. */
const snapshot = (app: TestApp) => {
  const now = app.store.getState();
  return createStore<AppState>()(() => now);
};
const render = (app: TestApp) => renderToStaticMarkup(createElement(App, { store: snapshot(app) }));
const renderIn = (app: TestApp, element: ReactElement) =>
  renderToStaticMarkup(createElement(AppProvider, { store: snapshot(app), children: element }));

function at(path: string): void {
  vi.stubGlobal('window', {
    location: { hash: `#/${path}` },
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
  });
}

describe('registering a service type in the app', () => {
  it('shows the form, reviews the type, registers it and lists it in the catalogue', async () => {
    const app = await withMarket('service-type');
    const ledger = ledgerOf(app);
    try {
      at('register-service');
      const form = render(app);
      expect(form).toContain(en['serviceType.intro'].slice(0, 40));
      expect(form).toContain(`for="${inputId.name}"`);
      expect(form).toContain(`for="${inputId.unit}"`);
      expect(form).toContain(`id="${inputId.evaluation('review')}"`);
      expect(form).toContain(`id="${inputId.evaluation('vote')}"`);
      expect(form).toContain(`for="${inputId.fieldName(1)}"`);
      expect(form).toContain(`for="${inputId.fieldKind(1)}"`);
      expect(form).toContain(en['serviceType.addField']);
      expect(form).toContain(en['serviceType.negotiation.lowest-total']);

      at('services');
      expect(render(app)).toContain('href="#/register-service"');

      const parsed = parseServiceType(translation({ name: ' Translation ' }));
      if (!parsed.ok) throw new Error('the form refused a good type');
      const review = renderIn(app, createElement(ServiceTypeReview, { body: parsed.body, onBack }));
      expect(review).toContain(en['serviceType.confirm.title']);
      expect(review).toContain('<dd>Translation</dd>');
      expect(review).toContain('<dd>pages</dd>');
      expect(review).toContain('<code>language</code>');
      expect(review).toContain(en['serviceType.private']);
      expect(review).not.toContain('already exists');

      const id = await registerServiceType(app.store.getState().market!, parsed.body);
      expect(ledger.get(id)?.type).toBe('service');
      expect(serviceById(ledger, id)).toEqual({
        id,
        name: 'Translation',
        unit: 'pages',
        form: 'fields',
        evaluation: 'review',
        fields: [
          { name: 'text', kind: 'text', sensitive: true, required: true },
          { name: 'language', kind: 'text', sensitive: false, required: true },
          { name: 'words', kind: 'number', sensitive: false, required: false },
        ],
        builtIn: false,
      });

      // The catalogue reads it from the ledger, next to the built-ins.
      expect(servicesOf(ledger).map((def) => def.id)).toEqual(['pow', 'compute', 'task', id]);
      at('services');
      const catalogue = render(app);
      expect(catalogue).toContain(`href="#/services?type=${id}"`);
      expect(catalogue).toContain('<strong>Translation</strong>');
      expect(catalogue).toContain(en['market.registered']);
      // And it can be requested: its form is the one registered.
      at(`services?type=${id}`);
      const request = render(app);
      expect(request).toContain('id="req-field-language"');
      expect(request).toContain('id="req-field-words"');

      // The screen after registering: the id, read back from the ledger.
      at(`register-service?registered=${id}`);
      const done = render(app);
      expect(done).toContain(en['serviceType.done.title']);
      expect(done).toContain(id);
      expect(done).toContain('href="#/provider"');
      at('register-service?registered=pow');
      expect(render(app)).toContain(en['serviceType.done.missing'].slice(0, 40));

      // Registering the same name again is allowed, and the review says so first.
      const again = renderIn(app, createElement(ServiceTypeReview, { body: parsed.body, onBack }));
      expect(again).toContain(t('serviceType.confirm.sameName', { name: 'Translation' }));
    } finally {
      await app.store.getState().lock();
    }
  });

  it('what the form refuses, the ledger refuses too', async () => {
    const app = await withMarket('service-type-refused');
    const ledger = ledgerOf(app);
    try {
      const market = app.store.getState().market!;
      const before = servicesOf(ledger).length;
      const duplicate = translation({ fields: [field(1, 'a'), field(2, 'a')] });
      expect(refusal(duplicate).key).toBe('serviceType.error.duplicate');
      await expect(market.registerService(rawBody(duplicate))).rejects.toThrow();
      const tooMany = translation({
        fields: Array.from({ length: MAX_FIELDS + 1 }, (_, i) => field(i, `f${i}`)),
      });
      expect(refusal(tooMany).key).toBe('serviceType.error.tooMany');
      await expect(market.registerService(rawBody(tooMany))).rejects.toThrow();
      await expect(market.registerService(rawBody(translation({ name: '' })))).rejects.toThrow();
      expect(servicesOf(ledger)).toHaveLength(before);
    } finally {
      await app.store.getState().lock();
    }
  });
});

const onBack = (): void => undefined;
