// The UI's strings come from a catalogue, English first. A catalogue for another language may
// leave keys out: they fall back to English. `{name}` in a message is replaced by a parameter.
import { en, type MessageKey } from './en.ts';

export type { MessageKey };
export type Params = Readonly<Record<string, string | number | bigint>>;
export type Translate = (key: MessageKey, params?: Params) => string;

/** Keys that come in plural forms: `key.one`, `key.other` (and any other CLDR category). */
export type PluralKey = MessageKey extends infer K
  ? K extends `${infer Base}.other`
    ? Base
    : never
  : never;

/** Picks the plural form for `count` (the `{count}` parameter is filled in too). */
export type TranslatePlural = (key: PluralKey, count: number, params?: Params) => string;

export interface Catalogue {
  /** The language's own name for itself, as the language menu shows it. */
  readonly name: string;
  readonly messages: Readonly<Partial<Record<MessageKey, string>>>;
}

export const CATALOGUES: Readonly<Record<string, Catalogue>> = {
  en: { name: 'English', messages: en },
};

export const DEFAULT_LANGUAGE = 'en';

export function isLanguage(code: string): boolean {
  return Object.hasOwn(CATALOGUES, code);
}

export function translator(language: string): Translate {
  const messages = isLanguage(language) ? CATALOGUES[language]?.messages : undefined;
  return (key, params) => {
    const template = messages?.[key] ?? en[key];
    if (params === undefined) return template;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
      Object.hasOwn(params, name) ? String(params[name]) : whole,
    );
  };
}

export function pluralTranslator(language: string, t: Translate): TranslatePlural {
  const rules = new Intl.PluralRules(isLanguage(language) ? language : DEFAULT_LANGUAGE);
  return (key, count, params) => {
    const form = `${key}.${rules.select(count)}`;
    const chosen = (Object.hasOwn(en, form) ? form : `${key}.other`) as MessageKey;
    return t(chosen, { ...params, count });
  };
}
