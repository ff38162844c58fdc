import { describe, expect, it } from 'vitest';
import { en, type MessageKey } from '../../renderer/i18n/en.ts';
import { CATALOGUES, pluralTranslator, translator } from '../../renderer/i18n/i18n.ts';
import { asSentence, describeError, UserError } from '../../renderer/state/errors.ts';
import { EngineError } from '../../renderer/runtime/networkRuntime.ts';
import { reject } from '../../shared/tx/rejection.ts';

const keys = Object.keys(en) as MessageKey[];
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the English catalogue', () => {
  it('has a sentence for every key, without stray markup', () => {
    for (const key of keys) {
      expect(en[key].trim(), key).not.toBe('');
      expect(en[key], key).not.toMatch(/[<>]|undefined|\{\}/);
    }
  });

  it('gives every plural message its "other" form', () => {
    for (const key of keys) {
      const plural = /^(.*)\.(zero|one|two|few|many)$/.exec(key);
      if (plural) expect(keys, key).toContain(`${plural[1]}.other`);
    }
  });

  it('ends error messages with a full stop or a detail', () => {
    for (const key of keys.filter((k) => /\.error\.|^error\.|^rejection\./.test(k))) {
      expect(en[key], key).toMatch(/[.:]( \{detail\})?\.?$|\{detail\}$/);
    }
  });

  it('every other catalogue translates only known keys, with the same parameters', () => {
    for (const [code, catalogue] of Object.entries(CATALOGUES)) {
      for (const [key, text] of Object.entries(catalogue.messages)) {
        expect(keys, `${code}: ${key}`).toContain(key);
        expect(placeholders(text), `${code}: ${key}`).toEqual(placeholders(en[key as MessageKey]));
      }
    }
  });
});

describe('translating', () => {
  it('fills in parameters and leaves unknown ones visible', () => {
    const t = translator('en');
    expect(t('send.sent', { amount: '250' })).toBe(
      'Sent 250. It is pending until the witnesses confirm it.',
    );
    expect(t('send.sent')).toContain('{amount}');
    expect(translator('xx')('common.back')).toBe('Back');
  });

  it('picks plural forms', () => {
    const tn = pluralTranslator('en', translator('en'));
    expect(tn('shell.peers', 1)).toBe('1 peer connected');
    expect(tn('shell.peers', 0)).toBe('0 peers connected');
    expect(tn('shell.peers', 3)).toBe('3 peers connected');
  });

  it('turns any failure into sentences, never a stack trace', () => {
    const t = translator('en');
    expect(describeError(new UserError('amount.error.notPositive'), t)).toBe(
      'The amount must be more than zero.',
    );
    expect(
      describeError(new EngineError('x', reject('insufficient-funds', 'you can spend 5 now')), t),
    ).toBe('There is not enough money available. You can spend 5 now.');
    const error = new Error('the relay is down\n    at foo (bar.js:1:2)');
    expect(describeError(error, t)).toBe('The relay is down.');
    expect(describeError(undefined, t)).toBe(en['error.unexpected']);
    expect(asSentence('  done already! ')).toBe('Done already!');
  });
});
