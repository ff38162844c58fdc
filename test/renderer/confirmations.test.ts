// Issue 18: Approve, Dispute, and a validator's Pass or Fail cannot be undone, so each asks once
// before it is signed. The rule (asking runs nothing, Cancel runs nothing, Confirm runs the
// action once) is checked here; the questions' words with the price; and the Chromium e2e
// (test/e2e/wallet.test.ts) clicks through Pass, Cancel and Confirm in a real page.
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { answer, type Question } from '../../renderer/ui/components/ConfirmStep.tsx';
import { DecisionConfirm, type Decision } from '../../renderer/ui/components/DecisionConfirm.tsx';
import { testApp } from './fixtures.ts';
import { escaped, renderIn, withStubbedGlobals } from './render.ts';

withStubbedGlobals();

function asked(kind: Decision): { question: Question<Decision>; runs: Decision[] } {
  const runs: Decision[] = [];
  return { question: { kind, run: () => runs.push(kind) }, runs };
}

describe('a decision that cannot be undone', () => {
  it('is not taken when asked, nor on Cancel; Confirm takes it once and closes the question', () => {
    const { question, runs } = asked('approve');
    expect(runs).toEqual([]);
    expect(answer(question, false)).toBeNull();
    expect(runs).toEqual([]);
    expect(answer(question, true)).toBeNull();
    expect(runs).toEqual(['approve']);
    // Nothing open: a stray Confirm runs nothing.
    expect(answer(null, true)).toBeNull();
    expect(runs).toEqual(['approve']);
  });

  it('asks in plain words, naming the job and where its price goes, with Confirm and Cancel', () => {
    const shown = (decision: Decision) =>
      renderIn(
        testApp('confirmations'),
        createElement(DecisionConfirm, {
          id: 'q',
          decision,
          job: { name: 'General Proof of Work', price: 4096n },
          busy: false,
          onAnswer: () => undefined,
        }),
      );
    const expected: Record<Decision, readonly string[]> = {
      approve: [
        'Approve the delivery of “General Proof of Work”?',
        'Approve: the provider is paid 4,096 units from the escrow. This cannot be undone.',
      ],
      dispute: ['Dispute the delivery of', 'you get the price of 4,096 units back'],
      pass: ['Pass the delivery of', 'paying the provider 4,096 units from the escrow'],
      fail: ['Fail the delivery of', 'giving the consumer the price of 4,096 units back'],
    };
    for (const decision of ['approve', 'dispute', 'pass', 'fail'] as const) {
      const page = shown(decision);
      expect(page, decision).toContain('role="alertdialog"');
      expect(page).toContain('aria-labelledby="q-title"');
      expect(page).toContain('aria-describedby="q-sentence"');
      for (const words of expected[decision]) expect(page, decision).toContain(escaped(words));
      expect(page).toMatch(/<button[^>]*>Confirm<\/button>/);
      expect(page).toMatch(/<button[^>]*>Cancel<\/button>/);
    }
  });
});
