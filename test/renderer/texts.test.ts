// The texts issue 18 listed, each fixed as a class: counts agree with their nouns ("1 hours"),
// a label ending in a colon keeps its space before the value ("Result hash:96af…"), the timeline
// names who acted once ("Accepted by the provider by You"), a validator is told what the review
// really said ("The consumer disputed it" on an approved job), form fields read as labels
// ("title"), deadlines come in minutes, hours or days (1440), browser mode is not told to keep
// the words out of websites, and a cut invitation link is said to be incomplete.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createElement, type ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { HUMAN_WITHIN } from '../../shared/wallet/market.ts';
import { en, type MessageKey } from '../../renderer/i18n/en.ts';
import { singularOf, unitFor } from '../../renderer/i18n/units.ts';
import { Timeline } from '../../renderer/ui/components/market.tsx';
import { useI18n } from '../../renderer/ui/context.tsx';
import { fieldLabel } from '../../renderer/ui/fieldLabel.ts';
import { deadlineText, draftOf } from '../../renderer/ui/screens/services/draft.ts';
import { TermsFields } from '../../renderer/ui/screens/services/TermsFields.tsx';
import { reviewEvidence } from '../../renderer/ui/screens/Validator.tsx';
import { BUILT_IN_SERVICES } from '../../shared/dnec/services.ts';
import { translator } from '../../renderer/i18n/i18n.ts';
import { identity } from '../helpers/network.ts';
import { testApp } from './fixtures.ts';
import { renderIn, withStubbedGlobals } from './render.ts';

withStubbedGlobals();

const RENDERER = join(import.meta.dirname, '..', '..', 'renderer');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.tsx')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Renders what `use` returns inside the app's context. */
function Show({ use }: { use: () => ReactNode }) {
  return use();
}
const shown = (use: () => ReactNode): string =>
  renderIn(testApp('texts'), createElement(Show, { use }));

describe('counts and their nouns', () => {
  it('a service unit agrees with its count: 1 hour, 2 hours, 1 cost unit', () => {
    expect(shown(() => useI18n().quantity(1n, 'hours'))).toBe('1 hour');
    expect(shown(() => useI18n().quantity(2n, 'hours'))).toBe('2 hours');
    expect(shown(() => useI18n().quantity(1n, 'cost units'))).toBe('1 cost unit');
    expect(shown(() => useI18n().quantity(1n, 'hashes'))).toBe('1 hash');
    const rules = new Intl.PluralRules('en');
    expect(unitFor(rules, 'pages', 0n)).toBe('pages');
    // Free text from a registration: left as typed when it is no English plural.
    for (const unit of ['kWh', 'status', 'analysis', 'Stück', 'copies']) {
      expect(singularOf(unit), unit).toBe(unit === 'copies' ? 'copy' : unit);
    }
  });

  it('every catalogue message that counts something has plural forms', () => {
    // {max} and {min} are limits well above one; {number} and {n} are positions, not counts.
    const notCounts = new Set(['max', 'min', 'number', 'n']);
    // Counts that are never one where they are said.
    const neverOne = new Set<MessageKey>(['onboarding.words.intro', 'serviceType.error.tooMany']);
    const offenders = Object.entries(en).filter(([key, text]) => {
      if (/\.(zero|one|two|few|many|other)$/.test(key) || neverOne.has(key as MessageKey))
        return false;
      return [...text.matchAll(/\{(\w+)\} [a-z]+s\b/g)].some(([, name]) => !notCounts.has(name!));
    });
    expect(offenders.map(([key]) => key)).toEqual([]);
  });
});

describe('labels and values', () => {
  it('no label ending in a colon runs into the element after it', () => {
    const colonKeys = Object.entries(en)
      .filter(([, text]) => text.endsWith(':'))
      .map(([key]) => key);
    const runTogether: string[] = [];
    for (const file of sources(RENDERER)) {
      const text = readFileSync(file, 'utf8');
      for (const key of colonKeys) {
        // {t('key')} then, on the next line, an element: JSX drops that line break.
        const pattern = new RegExp(`\\{t\\('${key.replaceAll('.', '\\.')}'\\)\\}\\s*\\n\\s*<`);
        if (pattern.test(text)) runTogether.push(`${file}: ${key}`);
      }
    }
    expect(runTogether).toEqual([]);
  });

  it('form field names read as labels', () => {
    expect(fieldLabel('title')).toBe('Title');
    expect(fieldLabel('due_date')).toBe('Due date');
    expect(fieldLabel('deliveryNotes')).toBe('Delivery notes');
  });
});

describe('the market’s sentences', () => {
  it('the timeline names who acted once', () => {
    const app = testApp('timeline');
    const me = identity('timeline me').key;
    app.store.setState({ key: me });
    const page = renderIn(
      app,
      createElement(Timeline, {
        entries: [
          { kind: 'accept', author: me, time: 1 },
          { kind: 'review', positive: true, author: me, time: 2 },
        ],
      }),
    );
    expect(page).not.toMatch(/by the (provider|consumer)/);
    expect(page).toContain('<strong>Accepted</strong>');
    expect(page).toContain('<strong>Approved</strong>');
  });

  it('a validator is told what the consumer’s review said', () => {
    expect(reviewEvidence({})).toBe('validator.evidence.unreviewed');
    expect(reviewEvidence({ review: { id: 'a' as never, approve: true } })).toBe(
      'validator.evidence.approved',
    );
    expect(reviewEvidence({ review: { id: 'b' as never, approve: false } })).toBe(
      'validator.evidence.review',
    );
  });

  it('deadlines come in the largest whole unit, and are read back in seconds', () => {
    expect(HUMAN_WITHIN.map(deadlineText)).toEqual([
      { amount: '1', unit: 'hours' },
      { amount: '1', unit: 'days' },
      { amount: '2', unit: 'days' },
      { amount: '3', unit: 'days' },
    ]);
    expect(deadlineText(5_400)).toEqual({ amount: '90', unit: 'minutes' });
    const page = renderIn(
      testApp('deadlines'),
      createElement(TermsFields, {
        text: {
          validators: '1',
          fee: '1',
          maxRate: '',
          minReputation: '',
          within: HUMAN_WITHIN.map(deadlineText),
        },
        onChange: () => undefined,
        onWithin: () => undefined,
      }),
    );
    expect(page).not.toContain('1440');
    expect(page).toContain('<option value="days" selected="">day</option>');
    const task = BUILT_IN_SERVICES.get('task');
    if (!task) throw new Error('no task service');
    const draft = draftOf(
      task,
      { data: '', difficulty: '8', fn: '', input: '', fields: { title: 'Fix' }, volume: '1' },
      {
        validators: '1',
        fee: '1',
        maxRate: '',
        minReputation: '',
        within: [
          { amount: '30', unit: 'minutes' },
          { amount: '2', unit: 'hours' },
          { amount: '1', unit: 'days' },
          { amount: '2', unit: 'days' },
        ],
      },
      { poolSize: 5, canSeal: false, t: translator('en') },
    );
    expect(draft.within).toEqual([1_800, 7_200, 86_400, 172_800]);
  });
});

describe('words and links', () => {
  it('browser mode does not tell the user to keep the words out of websites', () => {
    expect(en['onboarding.words.warningWeb']).not.toMatch(/website/);
    const source = readFileSync(join(RENDERER, 'ui/screens/Onboarding.tsx'), 'utf8');
    expect(source).toContain("web ? 'onboarding.words.warningWeb' : 'onboarding.words.warning'");
  });

  it('a cut invitation link is incomplete, and something else is said otherwise', () => {
    const { checkJoinLink } = testApp('links').store.getState();
    const said = (link: string): string => {
      try {
        checkJoinLink(link);
        return 'accepted';
      } catch (error) {
        const { key, params } = error as { key: MessageKey; params?: Record<string, string> };
        return translator('en')(key, params);
      }
    };
    const cut = `gpow:join?v=1&net=${'ab'.repeat(32)}&secret=AAAA`;
    expect(said(cut)).toBe(
      'This invitation link is incomplete: ask for a new one, or copy it again whole.',
    );
    expect(said(`gpow:join?v=2&net=${'ab'.repeat(32)}`)).toMatch(/^This invitation link is inc/);
    expect(said('https://example.org/')).toMatch(/^This invitation cannot be used: not a GPoW/);
  });
});
