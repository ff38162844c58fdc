// Issue 18: names from the member directory and from your labels show wherever an address shows,
// the shortened address beside the name so it can still be checked: History, Send (the picker,
// the name of the typed address), the negotiation's provider ranking, the provider's incoming
// requests and the Messages share form. (The payment review and the chat: names.test.ts.)
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/bytes.ts';
import { BUILT_IN_SERVICES } from '../../shared/dnec/services.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf, type KeyHex } from '../../shared/ids.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { composeAction } from '../../shared/wallet/dnecCompose.ts';
import { MACHINE_WITHIN } from '../../shared/wallet/market.ts';
import { composeProfile } from '../../shared/wallet/profile.ts';
import { translator } from '../../renderer/i18n/i18n.ts';
import { historyOf } from '../../renderer/runtime/views.ts';
import { shortAddress } from '../../renderer/ui/components/party.tsx';
import { recipientChoices, RecipientName } from '../../renderer/ui/components/RecipientPicker.tsx';
import { HistoryTable } from '../../renderer/ui/screens/History.tsx';
import { deadlineText, draftOf, negotiationOf } from '../../renderer/ui/screens/services/draft.ts';
import { Negotiation } from '../../renderer/ui/screens/services/Negotiation.tsx';
import { identity } from '../helpers/network.ts';
import { PHRASE, testApp, type TestApp } from './fixtures.ts';
import { at, render, renderNowIn, withStubbedGlobals } from './render.ts';

withStubbedGlobals();

const bob = identity('names everywhere bob');
const carol = identity('names everywhere carol');
const me = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
const addressOf = (key: KeyHex) => encodeAddress(fromHex(key));
const short = (key: KeyHex) => shortAddress(addressOf(key));
const opened: TestApp[] = [];
afterEach(async () => {
  for (const app of opened.splice(0)) await app.store.getState().lock();
});

/**
 * Me, Bob (who signed the name "Bob", offers pow and asked me for a pow job) and Carol (no
 * profile, labelled "Caroline" in my address book); I paid each of them once.
 */
async function network(name: string): Promise<TestApp> {
  const app = testApp(name);
  opened.push(app);
  await app.store.getState().boot();
  await app.store.getState().createIdentity(PHRASE, 'correct horse');
  await app.store.getState().createNetwork({
    name,
    witnesses: [me],
    allocations: [
      [me, 1000n],
      [bob.key, 100n],
      [carol.key, 5n],
    ],
    creditLimit: 0n,
  });
  const runtime = app.store.getState().runtime;
  const ledger = runtime?.ledger;
  if (!runtime || !ledger) throw new Error('no runtime');
  const bobSigns = async (composed: ReturnType<typeof composeAction>) => {
    if (!composed.ok) throw new Error(composed.rejection.message);
    await runtime.importTransaction(signTx(bob.secret, composed.tx));
  };
  const profile = composeProfile(ledger, bob.key, { name: 'Bob' }, 5);
  if (!profile.ok) throw new Error(profile.rejection.message);
  await runtime.importTransaction(signTx(bob.secret, profile.tx));
  const offer = { service: 'pow', capacity: 100_000n, rate: 1n };
  await bobSigns(composeAction(ledger, bob.key, 'offer', offer, { time: 6 }));
  const far = Date.now() + 10 * 365 * 24 * 3600 * 1000;
  const job = {
    service: 'pow',
    provider: fromHex(me),
    volume: 2n,
    rate: 1n,
    fee: 0n,
    m: 0,
    k: 0,
    pool: [],
    deadlines: [far, far + 1, far + 2, far + 3],
    commitment: new Uint8Array(32).fill(7),
    job: { data: new Uint8Array([1, 2, 3]), difficulty: 1 },
  };
  await bobSigns(composeAction(ledger, bob.key, 'request', job, { debit: 2n, time: 7 }));
  await app.store.getState().send(bob.key, 3n);
  await app.store.getState().send(carol.key, 4n);
  app.store.getState().saveContact({ address: addressOf(carol.key), label: 'Caroline' });
  app.store.setState((s) => ({ ledgerVersion: s.ledgerVersion + 1 }));
  return app;
}

/** The markup names `name` with the account's shortened address beside it. */
function expectNamed(page: string, name: string, key: KeyHex): void {
  expect(page).toMatch(
    new RegExp(`${name} ?(</button>|</span>|\\()[^<]*(<code class="mono">)?${short(key)}`),
  );
}

describe('names wherever an address shows', () => {
  it('lists your contacts, then named members, never you, each with its short address', () => {
    const choices = recipientChoices(
      [{ address: 'gpow1carolcarolcarolcarolcarol', label: 'Caroline' }],
      [
        { address: 'gpow1bobbobbobbobbobbobbobbob', label: 'Bob' },
        { address: 'gpow1carolcarolcarolcarolcarol', label: 'Carol' },
        { address: 'gpow1mememememememememememe', label: 'Me' },
      ],
      'gpow1mememememememememememe',
    );
    expect(choices.map((c) => c.text)).toEqual([
      'Caroline (gpow1carolcar…rolcarol)',
      'Bob (gpow1bobbobbo…obbobbob)',
    ]);
  });

  it('names the counterparties in History', async () => {
    const app = await network('names history');
    const ledger = app.store.getState().runtime?.ledger;
    if (!ledger) throw new Error('no ledger');
    const page = renderNowIn(
      app,
      createElement(HistoryTable, { entries: historyOf(ledger, me), caption: 'History' }),
    );
    expectNamed(page, 'Bob', bob.key);
    expectNamed(page, 'Caroline', carol.key);
  });

  it('names the choices of Send’s picker and the account the typed address is', async () => {
    const app = await network('names send');
    at('send');
    const page = render(app);
    expect(page).toContain(
      `<option value="${addressOf(bob.key)}">Bob (${short(bob.key)})</option>`,
    );
    expect(page).toContain(
      `<option value="${addressOf(carol.key)}">Caroline (${short(carol.key)})</option>`,
    );
    const typed = renderNowIn(app, createElement(RecipientName, { address: addressOf(bob.key) }));
    expectNamed(typed, 'Bob', bob.key);
    expect(renderNowIn(app, createElement(RecipientName, { address: 'gpow1nope' }))).toBe('');
  });

  it('names the people to share a key with on Messages', async () => {
    const app = await network('names messages');
    at('messages');
    expect(render(app)).toContain(`>Bob (${short(bob.key)})</option>`);
  });

  it('names the provider in the negotiation’s ranking, its radio button too', async () => {
    const app = await network('names negotiation');
    const draft = draftOf(
      BUILT_IN_SERVICES.get('pow')!,
      { data: 'abc', difficulty: '4', fn: '', input: '', fields: {}, volume: '' },
      {
        validators: '0',
        fee: '0',
        maxRate: '',
        minReputation: '',
        within: MACHINE_WITHIN.map(deadlineText),
      },
      { poolSize: 1, canSeal: false, t: translator('en') },
    );
    const result = app.store.getState().market!.negotiate(negotiationOf(draft));
    const page = renderNowIn(
      app,
      createElement(Negotiation, {
        draft,
        result,
        onBack: () => undefined,
        onChoose: () => undefined,
      }),
    );
    expect(page).toContain('aria-label="Choose Bob"');
    expectNamed(page, 'Bob', bob.key);
  });

  it('names the consumer of an incoming request, and in its Accept and Decline labels', async () => {
    const app = await network('names incoming');
    at('provider');
    const page = render(app);
    const incoming = /data-testid="incoming-table".*?<\/table>/s.exec(page)?.[0] ?? '';
    expectNamed(incoming, 'Bob', bob.key);
    expect(incoming).toMatch(/aria-label="Accept the request [0-9a-f]{12} from Bob"/);
    expect(incoming).toMatch(/aria-label="Decline the request [0-9a-f]{12} from Bob"/);
  });
});
