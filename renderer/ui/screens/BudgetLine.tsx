// The Sync panel's line about writing budgets (docs/protocol.md §15): the network's pace, and
// each member writing at its budget's pace now (a flood shows here), by name when it has one.
// It says what `gpow status` says, from the same engine status.
import type { BudgetStatus } from '../../../shared/wallet/budget.ts';
import { useI18n } from '../context.tsx';

export function BudgetLine({ view }: { view: BudgetStatus | null }) {
  const { t, tn, number } = useI18n();
  if (view === null) return null;
  const pace = t('sync.budget', {
    seconds: (view.every / 1000).toString(),
    burst: number(BigInt(view.burst)),
  });
  return (
    <div data-testid="budget">
      <p className="muted">{pace}</p>
      {view.strained.length > 0 ? (
        <ul aria-label={t('sync.budgetStrained')}>
          {view.strained.map(({ author, name, left }) => (
            <li key={author}>
              {tn('sync.budgetAuthor', left, {
                who: name ?? `${author.slice(0, 12)}…`,
                left: number(BigInt(left)),
              })}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
