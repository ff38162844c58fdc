// Issue 18's texts after a dispute. A review is on the ledger before the witnesses have seen it,
// and the decision stays at the review stage until they have (shared/dnec/outcome.ts), so a
// disputed job read "Waiting for the consumer's review" on its validators' rows: it now says
// the committee's verdict is awaited. And a dispute whose delivery this device cannot seal for
// the validators (engine/market/dispute.ts seals none) says, before it is signed, that they
// will judge without seeing it, and why.
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import type { InstanceView } from '../../shared/dnec/queries.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import { SEALED_DELIVERY } from '../../shared/wallet/market.ts';
import { en } from '../../renderer/i18n/en.ts';
import { DecisionConfirm } from '../../renderer/ui/components/DecisionConfirm.tsx';
import { openText } from '../../renderer/ui/components/market.tsx';
import { blindDispute, type DeliveryOpener } from '../../engine/market/dispute.ts';
import { identity } from '../helpers/network.ts';
import { testApp } from './fixtures.ts';
import { escaped, renderIn, withStubbedGlobals } from './render.ts';

withStubbedGlobals();

const provider = identity('dispute texts provider').key;
const consumer = identity('dispute texts consumer').key;
const validator = identity('dispute texts validator').key;
const dispute = { id: 'r' as TxId, approve: false };

describe('what an open job waits for', () => {
  it('after a dispute, the committee’s verdict, not the consumer’s review', () => {
    expect(en[openText('review', dispute)]).toBe(en['market.open.disputed']);
    expect(en['market.open.disputed']).toMatch(/committee’s verdict/);
    expect(openText('evaluate', dispute)).toBe('market.open.disputed');
    // Before any review it is the consumer's review that is awaited; after an approval, the
    // witnesses recording it.
    expect(openText('review', undefined)).toBe('market.open.review');
    expect(openText('review', { id: 'a' as TxId, approve: true })).toBe('market.open.approved');
    expect(openText('deliver', undefined)).toBe('market.open.deliver');
  });
});

/** An instance that reached the review, with one drawn validator. */
const reviewed = (committee: readonly KeyHex[]) =>
  ({ request: { provider, consumer }, committee }) as unknown as InstanceView;

/** A session that opens exactly `sealed`, as the provider sealed it for the consumer. */
function opener(canOpen: boolean, sealed: Uint8Array): DeliveryOpener {
  return {
    canOpen,
    openSealed(from, to, label, bytes) {
      const ours = from === provider && to === consumer && label === SEALED_DELIVERY;
      return ours && bytes === sealed ? new Uint8Array([1]) : null;
    },
  };
}

describe('a dispute whose delivery the committee cannot read', () => {
  const sealed = new Uint8Array([9, 9]);

  it('is blind when this device cannot open keys, the delivery is off the ledger, or unreadable', () => {
    const view = reviewed([validator]);
    expect(blindDispute(view, { sealed }, consumer, opener(true, sealed))).toBeNull();
    expect(blindDispute(view, { sealed }, consumer, null)).toBe('noKeys');
    expect(blindDispute(view, { sealed }, consumer, opener(false, sealed))).toBe('noKeys');
    expect(blindDispute(view, {}, consumer, opener(true, sealed))).toBe('offLedger');
    expect(blindDispute(view, undefined, consumer, opener(true, sealed))).toBe('offLedger');
    const other = new Uint8Array([1, 2]);
    expect(blindDispute(view, { sealed: other }, consumer, opener(true, sealed))).toBe(
      'unreadable',
    );
    // No committee drawn: nothing is sealed, and nobody is told they judge.
    expect(blindDispute(reviewed([]), {}, consumer, opener(true, sealed))).toBeNull();
  });

  it('says so in the Dispute question, with the reason; a readable one promises the copy', () => {
    const ask = (blind: 'offLedger' | null) =>
      renderIn(
        testApp('dispute texts'),
        createElement(DecisionConfirm, {
          id: 'q',
          decision: 'dispute',
          job: { name: 'Human task', price: 30n },
          busy: false,
          onAnswer: () => undefined,
          blind,
        }),
      );
    const blind = ask('offLedger');
    expect(blind).toContain(
      escaped(
        en['confirm.dispute.blind']
          .replace('{reason}', en['confirm.blind.offLedger'])
          .replace('{amount}', '30 units'),
      ),
    );
    expect(blind).toContain('judge without seeing the delivery');
    expect(blind).not.toContain('receive a copy');
    const seen = ask(null);
    expect(seen).toContain('receive a copy of it');
    expect(seen).not.toContain('without seeing');
  });
});
