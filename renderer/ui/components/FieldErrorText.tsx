// The sentence under an input that says what is wrong with it: the input points at it with
// aria-describedby and is aria-invalid (renderer/ui/fieldError.ts places a form's error).
import { describeError } from '../../state/errors.ts';
import { useI18n } from '../context.tsx';
import { errorIdOf } from '../fieldError.ts';

/** Nothing when the field has no error. */
export function FieldErrorText({ field, error }: { field: string; error: unknown }) {
  const { t } = useI18n();
  if (error === null || error === undefined) return null;
  return (
    <p id={errorIdOf(field)} className="error field-error" role="alert">
      {describeError(error, t)}
    </p>
  );
}

/** The attributes that tie an input to its hint and its error. */
export function fieldAria(
  field: string,
  error: unknown,
  hintId?: string,
): { 'aria-describedby'?: string; 'aria-invalid'?: true } {
  const hasError = error !== null && error !== undefined;
  const ids = [hintId, hasError ? errorIdOf(field) : undefined].filter(
    (id): id is string => id !== undefined,
  );
  return {
    ...(ids.length > 0 ? { 'aria-describedby': ids.join(' ') } : {}),
    ...(hasError ? { 'aria-invalid': true as const } : {}),
  };
}
