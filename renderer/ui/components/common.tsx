// Small building blocks shared by the screens.
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { describeError } from '../../state/errors.ts';
import { useI18n } from '../context.tsx';
import { fieldAria, FieldErrorText } from './FieldErrorText.tsx';

/** A screen's heading; it takes focus when the screen opens (see router.tsx). */
export function ScreenTitle({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

/** An error as a sentence, announced to screen readers. Nothing when there is no error. */
export function ErrorText({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (error === null || error === undefined) return null;
  return (
    <p className="error" role="alert">
      {describeError(error, t)}
    </p>
  );
}

/** A progress bar with a text equivalent. */
export function ProgressBar({
  label,
  done,
  total,
}: {
  label: string;
  done: number;
  total: number;
}) {
  const { t } = useI18n();
  const known = total > 0;
  return (
    <div className="progress">
      <span>
        {label}{' '}
        {known
          ? t('progress.count', { done: done.toLocaleString(), total: total.toLocaleString() })
          : ''}
      </span>
      <progress
        aria-label={label}
        max={known ? total : undefined}
        value={known ? done : undefined}
      />
    </div>
  );
}

/** Copies text to the clipboard and says whether it worked. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = (): void => {
    navigator.clipboard.writeText(text).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };
  return (
    <span className="copy">
      <button type="button" onClick={copy}>
        {label}
      </button>
      <span role="status" className="muted">
        {state === 'copied' ? t('copy.done') : state === 'failed' ? t('copy.failed') : ''}
      </span>
    </span>
  );
}

/**
 * A label and its value in running text, always with a space between: written by hand, one
 * was lost ("Result hash:96af…") whenever formatting put the two on separate JSX lines.
 */
export function Labelled({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      {label} {children}
    </>
  );
}

/** Long machine text (addresses, ids, links) that wraps anywhere and is easy to select. */
export function Mono({ children, label }: { children: string; label?: string }) {
  return (
    <code className="mono" aria-label={label}>
      {children}
    </code>
  );
}

/** Runs an async action from a form or button: busy while it runs, and its error if it fails. */
export function useAction<A extends unknown[]>(
  action: (...args: A) => Promise<unknown> | void,
): { run: (...args: A) => void; busy: boolean; error: unknown; reset: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = (...args: A): void => {
    setBusy(true);
    setError(null);
    Promise.resolve()
      .then(() => action(...args))
      .then(
        () => {
          if (mounted.current) setBusy(false);
        },
        (failure: unknown) => {
          if (!mounted.current) return;
          setBusy(false);
          setError(failure);
        },
      );
  };
  return { run, busy, error, reset: () => setError(null) };
}

export interface TextFieldProps {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly hint?: string;
  readonly type?: 'text' | 'password' | 'search';
  /** A text area, for pasted phrases and links. */
  readonly multiline?: boolean;
  readonly autoComplete?: string;
  readonly inputMode?: 'numeric';
  /** The input an error message is about (aria-invalid), when the error is shown elsewhere. */
  readonly invalid?: boolean;
  /** What is wrong with this input, said under it (renderer/ui/fieldError.ts places it). */
  readonly error?: unknown;
  readonly maxLength?: number;
  readonly placeholder?: string;
  /** Addresses, words and links: no spell-checking, no automatic capitals. */
  readonly verbatim?: boolean;
  /** 'field inline' puts the input and the extra content on one line. */
  readonly className?: string;
  /** After the input, such as a button that acts on it. */
  readonly children?: ReactNode;
}

/** A labelled text input with an optional hint, tied together for assistive tech. */
export function TextField(props: TextFieldProps) {
  const hintId = props.hint === undefined ? undefined : `${props.id}-hint`;
  const common = {
    id: props.id,
    value: props.value,
    onChange: (event: { target: { value: string } }) => props.onChange(event.target.value),
    'aria-invalid': props.invalid === true ? true : undefined,
    ...fieldAria(props.id, props.error, hintId),
    autoComplete: props.autoComplete ?? 'off',
    maxLength: props.maxLength,
    placeholder: props.placeholder,
    ...(props.verbatim === true ? { spellCheck: false, autoCapitalize: 'none' } : {}),
  };
  return (
    <div className={props.className ?? 'field'}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.multiline === true ? (
        <textarea rows={4} {...common} />
      ) : (
        <input type={props.type ?? 'text'} inputMode={props.inputMode} {...common} />
      )}
      {props.children}
      {props.hint !== undefined ? (
        <p id={hintId} className="hint">
          {props.hint}
        </p>
      ) : null}
      <FieldErrorText field={props.id} error={props.error} />
    </div>
  );
}

export interface FormPanelProps {
  readonly title: ReactNode;
  readonly intro?: ReactNode;
  /** Shown above the title (a wizard's step). */
  readonly before?: ReactNode;
  readonly onSubmit: () => void;
  readonly submit: string;
  readonly back?: { readonly label: string; readonly onClick: () => void };
  readonly error?: unknown;
  readonly busy?: boolean;
  /** Said (politely, to screen readers too) while busy. */
  readonly working?: string;
  readonly wide?: boolean;
  readonly children?: ReactNode;
}

/** A screen that is one form: title, fields, its error, and Back / submit buttons. */
export function FormPanel(props: FormPanelProps) {
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    props.onSubmit();
  };
  return (
    <form className={props.wide === true ? 'panel' : 'panel narrow'} onSubmit={submit} noValidate>
      {props.before}
      <ScreenTitle>{props.title}</ScreenTitle>
      {props.intro !== undefined ? <p>{props.intro}</p> : null}
      {props.children}
      <ErrorText error={props.error} />
      {props.busy === true && props.working !== undefined ? (
        <p role="status" className="muted">
          {props.working}
        </p>
      ) : null}
      <div className="actions">
        {props.back !== undefined ? (
          <button type="button" onClick={props.back.onClick} disabled={props.busy}>
            {props.back.label}
          </button>
        ) : null}
        <button type="submit" className="primary" disabled={props.busy}>
          {props.submit}
        </button>
      </div>
    </form>
  );
}

export interface Column {
  readonly label: string;
  /** Right-aligned, tabular figures. */
  readonly numeric?: boolean;
  /** A heading for assistive tech only (a column of buttons). */
  readonly hidden?: boolean;
}

/** A data table with a caption (for assistive tech unless shown) and column headings. */
export function Table({
  caption,
  showCaption = false,
  columns,
  testId,
  children,
}: {
  caption: string;
  showCaption?: boolean;
  columns: readonly Column[];
  testId?: string;
  children: ReactNode;
}) {
  return (
    <table className="table" data-testid={testId}>
      <caption className={showCaption ? undefined : 'visually-hidden'}>{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.label} scope="col" className={column.numeric ? 'num' : undefined}>
              {column.hidden ? (
                <span className="visually-hidden">{column.label}</span>
              ) : (
                column.label
              )}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** The end of a small form: its error, a success note once done, and the submit button. */
export function FormFooter({
  error,
  done,
  busy,
  submit,
}: {
  error: unknown;
  /** Said (politely) after the form's action worked, until the next try. */
  done: string | null;
  busy: boolean;
  submit: string;
}) {
  return (
    <>
      <ErrorText error={error} />
      {done !== null ? (
        <p role="status" className="success">
          {done}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {submit}
        </button>
      </div>
    </>
  );
}
