// An action that cannot be undone asks once before it runs: a short step in place of nothing,
// saying in plain words what will happen, with Confirm and Cancel. Focus moves to the step when
// it opens, so a keyboard or screen-reader user meets the question rather than the next button.
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../context.tsx';

/** The question asked, and what Confirm runs. */
export interface Question<K> {
  readonly kind: K;
  readonly run: () => void;
}

/**
 * What answering does: Confirm runs the action asked about, Cancel runs nothing; either way the
 * question closes (null). Asking alone never runs anything.
 */
export function answer<K>(asking: Question<K> | null, confirmed: boolean): null {
  if (confirmed && asking !== null) asking.run();
  return null;
}

/** The open question, if any; ask() opens one, reply() answers it. */
export function useQuestion<K>() {
  const [asking, setAsking] = useState<Question<K> | null>(null);
  return {
    asking,
    ask: (kind: K, run: () => void) => setAsking({ kind, run }),
    reply: (confirmed: boolean) => setAsking(answer(asking, confirmed)),
  };
}

export function ConfirmStep({
  id,
  title,
  sentence,
  busy,
  onAnswer,
}: {
  id: string;
  title: string;
  sentence: string;
  busy: boolean;
  onAnswer: (confirmed: boolean) => void;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <div
      ref={ref}
      className="confirm"
      role="alertdialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-sentence`}
      tabIndex={-1}
      data-testid={id}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onAnswer(false);
      }}
    >
      <h3 id={`${id}-title`}>{title}</h3>
      <p id={`${id}-sentence`} className="warning">
        {sentence}
      </p>
      <div className="actions">
        <button type="button" className="primary" disabled={busy} onClick={() => onAnswer(true)}>
          {t('confirm.confirm')}
        </button>
        <button type="button" disabled={busy} onClick={() => onAnswer(false)}>
          {t('common.cancel')}
        </button>
      </div>
    </div>
  );
}
