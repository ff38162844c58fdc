// What an empty list says: what is missing and the next step, with a link to where that step
// is taken when it is on another screen ("Nothing here yet" alone leaves a newcomer stuck).
import { Link } from '../router.tsx';

export interface NextStep {
  /** The route, as for Link. */
  readonly to: string;
  readonly label: string;
}

export function EmptyState({ text, steps = [] }: { text: string; steps?: readonly NextStep[] }) {
  return (
    <p className="muted empty-state">
      {text}
      {steps.map((step) => (
        <span key={step.to}>
          {' '}
          <Link to={step.to}>{step.label}</Link>
        </span>
      ))}
    </p>
  );
}
