// Errors the UI shows. Every failure becomes one or two plain sentences from the catalogue;
// a stack trace never reaches the screen.
import type { MessageKey, Params, Translate } from '../i18n/i18n.ts';
import { EngineError } from '../runtime/networkRuntime.ts';

/** A failure the user can act on, named by its catalogue message. */
export class UserError extends Error {
  override name = 'UserError';
  readonly key: MessageKey;
  readonly params: Params | undefined;
  constructor(key: MessageKey, params?: Params) {
    super(key);
    this.key = key;
    this.params = params;
  }
}

/** First letter up, a full stop at the end: core messages are sentence fragments. */
export function asSentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return trimmed;
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

export function describeError(error: unknown, t: Translate): string {
  if (error instanceof UserError) return t(error.key, error.params);
  if (error instanceof EngineError && error.rejection) {
    return t(`rejection.${error.rejection.code}`, { detail: asSentence(error.rejection.message) });
  }
  const detail = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  // Only the first line: a message is a sentence, never a trace.
  const firstLine = detail.split('\n')[0] ?? '';
  return firstLine === '' ? t('error.unexpected') : asSentence(firstLine);
}
