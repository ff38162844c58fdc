// Issue 18, the pow pricing trap: difficulty 12 is 4,096 hashes, and the negotiation showed
// rates but not what the escrow would lock, so a consumer met the cost only at the escrow step.
// The negotiation now says the chosen provider's total (the escrow screen's own sum) and what
// can be spent, and past that keeps "Review the escrow" off with a sentence beside it.
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_SERVICES } from '../../shared/dnec/services.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { MACHINE_WITHIN } from '../../shared/wallet/market.ts';
import { composeAction } from '../../shared/wallet/dnecCompose.ts';
import { translator } from '../../renderer/i18n/i18n.ts';
import { en } from '../../renderer/i18n/en.ts';
import {
  deadlineText,
  draftOf,
  escrowOf,
  negotiationOf,
} from '../../renderer/ui/screens/services/draft.ts';
import { EscrowConfirm } from '../../renderer/ui/screens/services/EscrowConfirm.tsx';
import { Negotiation } from '../../renderer/ui/screens/services/Negotiation.tsx';
import { identity } from '../helpers/network.ts';
import { PHRASE, testApp } from './fixtures.ts';
import { escaped, renderNowIn, withStubbedGlobals } from './render.ts';

withStubbedGlobals();

const bob = identity('negotiation bob');
/** A third member with a bond: the committee a request with validators needs (§11.5). */
const carol = identity('negotiation carol');
const POW = BUILT_IN_SERVICES.get('pow')!;

/** This wallet holds 1,000; Bob offers pow at 1 a hash; Carol is bonded as a validator. */
async function market(name: string) {
  const app = testApp(name);
  await app.store.getState().boot();
  await app.store.getState().createIdentity(PHRASE, 'correct horse');
  const me = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
  await app.store.getState().createNetwork({
    name,
    witnesses: [me],
    allocations: [
      [me, 1000n],
      [bob.key, 10n],
      [carol.key, 50n],
    ],
    creditLimit: 0n,
  });
  const runtime = app.store.getState().runtime;
  const ledger = runtime?.ledger;
  if (!runtime || !ledger) throw new Error('no runtime');
  const offer = { service: 'pow', capacity: 100_000n, rate: 1n };
  const composed = composeAction(ledger, bob.key, 'offer', offer, { time: 1 });
  if (!composed.ok) throw new Error(composed.rejection.message);
  await runtime.importTransaction(signTx(bob.secret, composed.tx));
  const bonded = composeAction(ledger, carol.key, 'bond', { amount: 20n }, { time: 1 });
  if (!bonded.ok) throw new Error(bonded.rejection.message);
  await runtime.importTransaction(signTx(carol.secret, bonded.tx));
  app.store.setState((s) => ({ ledgerVersion: s.ledgerVersion + 1 }));
  return app;
}

/** Each app its own network: two apps on one network id would share a replication room. */
let networks = 0;

async function requestFor(difficulty: string, validators = '0', fee = '0') {
  const app = await market(`negotiation ${(networks += 1)}`);
  const draft = draftOf(
    POW,
    { data: 'abc', difficulty, fn: '', input: '', fields: {}, volume: '' },
    {
      validators,
      fee,
      maxRate: '',
      minReputation: '',
      within: MACHINE_WITHIN.map(deadlineText),
    },
    { poolSize: 1, canSeal: false, t: translator('en') },
  );
  return { app, draft };
}

async function negotiationFor(difficulty: string, validators = '0', fee = '0') {
  const { app, draft } = await requestFor(difficulty, validators, fee);
  const runtime = app.store.getState().market;
  if (runtime === null) throw new Error('no market');
  const result = runtime.negotiate(negotiationOf(draft));
  expect(result.recommended).toBe(bob.key);
  return renderNowIn(
    app,
    createElement(Negotiation, {
      draft,
      result,
      onBack: () => undefined,
      onChoose: () => undefined,
    }),
  );
}

const continueButton = (page: string) =>
  /<button type="submit"[^>]*>Review the escrow<\/button>/.exec(page)?.[0] ?? '';

describe('the negotiation’s total', () => {
  it('is the escrow screen’s sum: the price (rate × volume) and the validators’ fees', () => {
    expect(escrowOf({ volume: 4096n, validators: 2, fee: 5n }, 3n)).toEqual({
      price: 12_288n,
      fees: 10n,
      total: 12_298n,
    });
  });

  it('past the balance, says so and keeps Review the escrow off: difficulty 12 costs 4,096', async () => {
    const page = await negotiationFor('12');
    expect(page).toContain(
      'With this provider the escrow locks 4,096 units: 4,096 units for the work and 0 units in validator fees. You can spend 1,000 units.',
    );
    expect(page).toContain(escaped(en['negotiation.insufficient']));
    expect(continueButton(page)).toContain('disabled=""');
    expect(continueButton(page)).toContain('aria-describedby="negotiation-insufficient"');
  });

  it('within the balance, shows the total with the fees and lets the consumer go on', async () => {
    const page = await negotiationFor('6', '1', '5');
    expect(page).toContain(
      'the escrow locks 69 units: 64 units for the work and 5 units in validator fees',
    );
    expect(page).not.toContain(escaped(en['negotiation.insufficient']));
    expect(continueButton(page)).not.toContain('disabled');
  });

  it('the escrow screen’s Confirm is off too, and says why, when the balance cannot pay', async () => {
    const escrow = async (difficulty: string) => {
      const { app, draft } = await requestFor(difficulty);
      const page = renderNowIn(
        app,
        createElement(EscrowConfirm, { draft, provider: bob.key, onBack: () => undefined }),
      );
      return /<button type="button"[^>]*>Confirm and escrow<\/button>/.exec(page)?.[0] ?? '';
    };
    const over = await escrow('12');
    expect(over).toContain('disabled=""');
    expect(over).toContain('aria-describedby="escrow-insufficient"');
    const within = await escrow('6');
    expect(within).toContain('Confirm and escrow');
    expect(within).not.toContain('disabled');
  });
});
