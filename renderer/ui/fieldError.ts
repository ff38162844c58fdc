// Which field an error belongs to (issue 18: errors showed at the bottom of a form, far from what
// was wrong). A form lists, for each of its fields' ids, the catalogue keys that are about that
// field; a check that knows its field throws a FieldError naming it. What no field claims (a
// network failure, a refusal of the whole request) stays the form's general error.
import type { MessageKey, Params } from '../i18n/i18n.ts';
import { UserError } from '../state/errors.ts';

/** A failure about one input, named by the input's id. */
export class FieldError extends UserError {
  override name = 'FieldError';
  readonly field: string;
  constructor(field: string, key: MessageKey, params?: Params) {
    super(key, params);
    this.field = field;
  }
}

/** Field id → the keys (or key prefixes ending in '.') its errors have. */
export type FieldKeys = Readonly<Record<string, readonly string[]>>;

export interface PlacedError {
  /** The error to show under field `id`, or null. */
  readonly at: (id: string) => unknown;
  /** The error no field claims, for the bottom of the form, or null. */
  readonly general: unknown;
}

const matches = (key: string, pattern: string): boolean =>
  pattern.endsWith('.') ? key.startsWith(pattern) : key === pattern;

/** The id of the field `error` is about, or null when it is about none of them. */
export function fieldOf(error: unknown, keys: FieldKeys = {}): string | null {
  if (error instanceof FieldError) return error.field;
  if (!(error instanceof UserError)) return null;
  for (const [id, patterns] of Object.entries(keys)) {
    if (patterns.some((pattern) => matches(error.key, pattern))) return id;
  }
  return null;
}

/** Splits a form's one error into the field it belongs to and the rest. */
export function placeError(error: unknown, keys: FieldKeys = {}): PlacedError {
  if (error === null || error === undefined) return { at: () => null, general: null };
  const field = fieldOf(error, keys);
  return {
    at: (id) => (field === id ? error : null),
    general: field === null ? error : null,
  };
}

/** The id of the sentence under field `id` that says what is wrong with it. */
export const errorIdOf = (id: string): string => `${id}-error`;

/** Runs `check`; a UserError it throws (such as accountOf's) is rethrown as about field `id`. */
export function atField<T>(id: string, check: () => T): T {
  try {
    return check();
  } catch (failure) {
    if (failure instanceof UserError && !(failure instanceof FieldError))
      throw new FieldError(id, failure.key, failure.params);
    throw failure;
  }
}
