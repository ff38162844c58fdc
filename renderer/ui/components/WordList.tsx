// The 24 recovery words, numbered, as a new identity shows them to be written down (onboarding
// and "Add an identity"): one list, so both read alike to a screen reader and to the eye.
import type { AriaAttributes } from 'react';

export function WordList({
  words,
  testId,
  ...aria
}: {
  words: readonly string[];
  testId?: string;
} & Pick<AriaAttributes, 'aria-label' | 'aria-labelledby'>) {
  return (
    <ol className="words" data-testid={testId} {...aria}>
      {words.map((word, index) => (
        <li key={index}>
          <span className="word-number" aria-hidden="true">
            {index + 1}
          </span>
          <span className="word">{word}</span>
        </li>
      ))}
    </ol>
  );
}
